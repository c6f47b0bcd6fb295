"""uvicorn + Starlette server for the web benchmarks and the launcher's smoke test.

    python starlette_app.py PORT [h11|httptools|auto] [asyncio|uvloop]

GET /plaintext answers "Hello, World!" as text, GET /json {"message": "Hello, World!"}; it prints
"listening on PORT" once it accepts connections, and SIGINT or SIGTERM end it.
"""

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

import uvicorn_serve


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def json_endpoint(request):
    return JSONResponse({"message": "Hello, World!"})


app = Starlette(routes=[Route("/plaintext", plaintext), Route("/json", json_endpoint)])

if __name__ == "__main__":
    uvicorn_serve.main(app)
