"""FastAPI server (on uvicorn) for the web benchmarks.

    python fastapi_app.py PORT [h11|httptools|auto] [asyncio|uvloop]

GET /json answers {"message": "Hello, World!"}; it prints "listening on PORT" once it accepts
connections, and SIGINT or SIGTERM end it.
"""

from fastapi import FastAPI

import uvicorn_serve

app = FastAPI()


@app.get("/json")
async def json_endpoint():
    return {"message": "Hello, World!"}


if __name__ == "__main__":
    uvicorn_serve.main(app)
