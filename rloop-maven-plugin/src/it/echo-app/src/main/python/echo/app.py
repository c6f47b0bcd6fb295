"""A TCP echo server on 127.0.0.1 (an ephemeral port) and clients that talk to it, in one loop."""
import asyncio
import sys


async def handle(reader, writer):
    while data := await reader.readline():
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, n, messages):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    got = []
    for i in range(messages):
        writer.write(f"client {n} message {i}\n".encode())
        await writer.drain()
        got.append((await reader.readline()).decode().strip())
    writer.close()
    await writer.wait_closed()
    return got


async def main(clients, messages):
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        results = await asyncio.gather(*(client(port, n, messages) for n in range(clients)))
    expected = [[f"client {n} message {i}" for i in range(messages)] for n in range(clients)]
    print("transport:", type(server).__module__)
    print(f"echoed {sum(map(len, results))} lines over {clients} connections:",
          "ok" if results == expected else "MISMATCH")
    return 0 if results == expected else 1


sys.exit(asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]))))
