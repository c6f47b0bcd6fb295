"""A TCP echo server and a client talking to it on 127.0.0.1, with asyncio streams.

    launcher/rloop-graalpy examples/echo_tcp.py [messages]
"""

import asyncio
import sys
import time


async def handle(reader, writer):
    peer = writer.get_extra_info("peername")
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    print(f"server: {peer[0]}:{peer[1]} disconnected")


async def main(count):
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"server: listening on {host}:{port} ({type(asyncio.get_running_loop()).__module__})")
    reader, writer = await asyncio.open_connection(host, port)
    start = time.perf_counter()
    for i in range(count):
        writer.write(b"message %d\n" % i)
        await writer.drain()
        echo = await reader.readline()
        if echo != b"message %d\n" % i:
            raise SystemExit(f"wrong echo: {echo!r}")
    elapsed = time.perf_counter() - start
    print(f"client: {count} round trips in {elapsed:.2f} s")
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
