"""aiohttp server for the web benchmarks and the launcher's smoke test.

    python aiohttp_app.py PORT

GET /plaintext answers "Hello, World!" as text, GET /json {"message": "Hello, World!"}. It prints
"listening on PORT" once it accepts connections, and ends on SIGINT or SIGTERM.
"""

import asyncio
import signal
import sys

from aiohttp import web


async def plaintext(request):
    return web.Response(text="Hello, World!")


async def json_endpoint(request):
    return web.json_response({"message": "Hello, World!"})


def make_app():
    app = web.Application()
    app.router.add_get("/plaintext", plaintext)
    app.router.add_get("/json", json_endpoint)
    return app


async def serve(port):
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {port} ({type(loop).__module__})", flush=True)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(serve(int(sys.argv[1])))
