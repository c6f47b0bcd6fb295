"""FastAPI server (on uvicorn) for the web benchmarks and the launcher's smoke test.

    python fastapi_app.py PORT [h11|httptools|auto] [asyncio|uvloop]

GET /json answers {"message": "Hello, World!"}; prints "listening on PORT" once it accepts
connections; SIGINT or SIGTERM end it.
"""

import asyncio
import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/json")
async def json_endpoint():
    return {"message": "Hello, World!"}


async def serve(port, http):
    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="none", http=http,
                            lifespan="off", access_log=False, log_level="warning", backlog=1024)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            return await task
        await asyncio.sleep(0.05)
    print(f"listening on {port} ({type(asyncio.get_running_loop()).__module__}, {http})", flush=True)
    await task


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[3] == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "h11"))
