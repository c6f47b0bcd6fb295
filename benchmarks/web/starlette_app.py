"""uvicorn + Starlette server for the web benchmarks and the launcher's smoke test.

    python starlette_app.py PORT [h11|httptools|auto] [asyncio|uvloop]

GET /plaintext answers "Hello, World!" as text, GET /json {"message": "Hello, World!"}. The loop
is the running asyncio loop (uvicorn's loop="none"): rloop under rloop-graalpy, uvloop when asked.
It prints "listening on PORT" once uvicorn accepts connections; SIGINT or SIGTERM end it.
"""

import asyncio
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def json_endpoint(request):
    return JSONResponse({"message": "Hello, World!"})


app = Starlette(routes=[Route("/plaintext", plaintext), Route("/json", json_endpoint)])


async def serve(port, http):
    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="none", http=http,
                            lifespan="off", access_log=False, log_level="warning", backlog=1024)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            return await task  # failed to start: its exception
        await asyncio.sleep(0.05)
    print(f"listening on {port} ({type(asyncio.get_running_loop()).__module__}, {http})", flush=True)
    await task


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[3] == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "h11"))
