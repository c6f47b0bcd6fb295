"""Serves an ASGI app with uvicorn on the running asyncio loop, for the web apps here.

uvicorn's own loop set-up is off (loop="none"): the loop is whatever asyncio.run made (rloop under
rloop-graalpy, uvloop when the app installed it). Prints "listening on PORT (loop module, http)"
once uvicorn accepts connections, so drivers and tests know when to start.
"""

import asyncio
import sys

import uvicorn


async def serve(app, port, http):
    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="none", http=http,
                            lifespan="off", access_log=False, log_level="warning", backlog=1024)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            return await task  # it failed to start: its exception
        await asyncio.sleep(0.05)
    print(f"listening on {port} ({type(asyncio.get_running_loop()).__module__}, {http})", flush=True)
    await task


def main(app):
    """`python APP.py PORT [h11|httptools|auto] [asyncio|uvloop]`."""
    if len(sys.argv) > 3 and sys.argv[3] == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(serve(app, int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "h11"))
