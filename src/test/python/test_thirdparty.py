"""Real third-party asyncio libraries on both loops: websockets, aiohttp (server and client),
uvicorn with Starlette on h11, httpx and anyio, taken from Debian's python3-* packages when they are installed (.ci/run
installs them where it can). Their pure-Python code runs on GraalPy; the CPython-only C
accelerators in those packages are skipped by GraalPy's importer, and the libraries fall back
to Python. Each test skips with the reason when its packages are absent."""

import asyncio
import importlib
import os
import sys

from nettest import NetTestCase

# Debian installs python3-* packages here, for CPython; appended last so nothing GraalPy ships
# itself is shadowed.
_DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"


def _require(*modules):
    """Imports `modules` (from Debian's packages if need be) or returns why they cannot be."""
    if os.path.isdir(_DEBIAN_PACKAGES) and _DEBIAN_PACKAGES not in sys.path:
        sys.path.append(_DEBIAN_PACKAGES)
    loaded = []
    for name in modules:
        try:
            loaded.append(importlib.import_module(name))
        except ImportError as exc:
            debian = "python3-" + name.split(".")[0]
            return None, (f"{name} is not importable ({exc}); install Debian's {debian} "
                          f"(apt-get install {debian})")
    return loaded, None


def _QuietServer(config):
    """A uvicorn Server that leaves the process's signal handlers alone (a test shares its
    process with the others), as servers embedded in an application do."""
    import uvicorn

    class QuietServer(uvicorn.Server):
        def install_signal_handlers(self):
            pass
    return QuietServer(config)


class ThirdPartyTests(NetTestCase):
    TIMEOUT = 120.0

    def need(self, *modules):
        loaded, why = _require(*modules)
        if why:
            self.skipTest(why)
        return loaded

    def test_websockets_echo_server_and_client(self):
        websockets, = self.need("websockets")

        async def echo(ws, path=None):
            async for message in ws:
                await ws.send(message)

        async def main():
            async with websockets.serve(echo, "localhost", 0) as server:
                port = next(iter(server.sockets)).getsockname()[1]
                async with websockets.connect(f"ws://localhost:{port}") as ws:
                    for i in range(20):
                        await ws.send(f"text {i}")
                        self.assertEqual(f"text {i}", await ws.recv())
                    blob = bytes(range(256)) * 400
                    await ws.send(blob)
                    self.assertEqual(blob, await ws.recv())
        self.run_async(main())

    def _aiohttp_app(self, web):
        async def hello(request):
            return web.json_response({"hello": request.match_info["name"],
                                      "query": dict(request.query)})

        async def upload(request):
            body = await request.read()
            return web.Response(body=body[::-1], content_type="application/octet-stream")

        app = web.Application()
        app.router.add_get("/hello/{name}", hello)
        app.router.add_post("/upload", upload)
        return app

    async def _serve_aiohttp(self, web, ssl_context=None):
        runner = web.AppRunner(self._aiohttp_app(web))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        port = runner.addresses[0][1]
        scheme = "https" if ssl_context else "http"
        host = "localhost" if ssl_context else "127.0.0.1"  # the name the certificate has
        return runner, f"{scheme}://{host}:{port}"

    async def _hello_upload_missing(self, httpx, base):
        """What both servers answer over httpx: /hello/{name} as JSON, /upload reversed (sized
        and chunked), a 404."""
        async with httpx.AsyncClient() as client:
            for i in range(10):
                r = await client.get(f"{base}/hello/ada", params={"n": str(i)})
                self.assertEqual(200, r.status_code)
                self.assertEqual({"hello": "ada", "query": {"n": str(i)}}, r.json())
            payload = os.urandom(300_000)
            r = await client.post(f"{base}/upload", content=payload)
            self.assertEqual(payload[::-1], r.content)

            # No length given: httpx sends the body chunked, a chunk per piece. Pieces of 0x10000
            # bytes: Debian's aiohttp 3.8.4 refuses chunk sizes with hex letters in its
            # pure-Python parser (`isdigit()`), the one GraalPy runs, on any loop.
            async def pieces():
                for i in range(0, len(chunked), 0x10000):
                    yield chunked[i:i + 0x10000]
            chunked = payload[:4 * 0x10000]
            r = await client.post(f"{base}/upload", content=pieces())
            self.assertEqual(chunked[::-1], r.content)
            r = await client.get(f"{base}/missing")
            self.assertEqual(404, r.status_code)

    def test_aiohttp_server_answers_httpx(self):
        web, httpx = self.need("aiohttp.web", "httpx")

        async def main():
            runner, base = await self._serve_aiohttp(web)
            try:
                await self._hello_upload_missing(httpx, base)
            finally:
                await runner.cleanup()
        self.run_async(main())

    def test_aiohttp_server_answers_aiohttp_client(self):
        aiohttp, web = self.need("aiohttp", "aiohttp.web")

        async def main():
            runner, base = await self._serve_aiohttp(web)
            try:
                async with aiohttp.ClientSession() as session:
                    async def fetch(i):
                        async with session.get(f"{base}/hello/n{i}") as r:
                            self.assertEqual(200, r.status)
                            return (await r.json())["hello"]
                    names = await asyncio.gather(*[fetch(i) for i in range(25)])
                    self.assertEqual([f"n{i}" for i in range(25)], names)
                    payload = os.urandom(200_000)
                    async with session.post(f"{base}/upload", data=payload) as r:
                        self.assertEqual(payload[::-1], await r.read())
            finally:
                await runner.cleanup()
        self.run_async(main())

    def test_https_aiohttp_server_answers_httpx_and_aiohttp(self):
        aiohttp, web, httpx = self.need("aiohttp", "aiohttp.web", "httpx")
        import tlstest

        async def main():
            runner, base = await self._serve_aiohttp(web, tlstest.server_context())
            self.assertTrue(base.startswith("https://localhost:"))
            try:
                async with httpx.AsyncClient(verify=tlstest.client_context()) as client:
                    r = await client.get(f"{base}/hello/tls")
                    self.assertEqual({"hello": "tls", "query": {}}, r.json())
                async with aiohttp.ClientSession() as session:
                    async with session.get(f"{base}/hello/aio",
                                           ssl=tlstest.client_context()) as r:
                        self.assertEqual("aio", (await r.json())["hello"])
                async with aiohttp.ClientSession() as session:
                    # a server whose certificate the client does not trust is refused
                    with self.assertRaises(aiohttp.ClientConnectorCertificateError):
                        await session.get(f"{base}/hello/x",
                                          ssl=tlstest.client_context(trust="selfsigned"))
            finally:
                await runner.cleanup()
        self.run_async(main())

    def test_uvicorn_starlette_app_on_h11_answers_httpx(self):
        self._uvicorn_starlette_app_answers_httpx("h11")

    def test_uvicorn_starlette_app_on_httptools_answers_httpx(self):
        # on GraalPy, httptools' parser is rloop's (rloop._accelerators): its C part cannot load
        self._uvicorn_starlette_app_answers_httpx("httptools")

    def _uvicorn_starlette_app_answers_httpx(self, http):
        uvicorn, applications, responses, routing, httpx, _ = self.need(
            "uvicorn", "starlette.applications", "starlette.responses", "starlette.routing", "httpx", http)

        async def hello(request):
            return responses.JSONResponse({"hello": request.path_params["name"],
                                           "query": dict(request.query_params)})

        async def upload(request):
            return responses.Response((await request.body())[::-1], media_type="application/octet-stream")

        app = applications.Starlette(routes=[routing.Route("/hello/{name}", hello),
                                             routing.Route("/upload", upload, methods=["POST"])])

        async def main():
            # uvicorn's own loop set-up is off (loop="none"): it serves on the loop under test
            config = uvicorn.Config(app, host="127.0.0.1", port=0, loop="none", http=http,
                                    lifespan="off", log_level="warning")
            server = _QuietServer(config)
            serving = asyncio.ensure_future(server.serve())
            while not server.started:
                self.assertFalse(serving.done(), serving.done() and serving.exception())
                await asyncio.sleep(0.01)
            port = server.servers[0].sockets[0].getsockname()[1]
            base = f"http://127.0.0.1:{port}"
            try:
                await self._hello_upload_missing(httpx, base)
            finally:
                server.should_exit = True
                await serving
        self.run_async(main())

    def test_anyio_tasks_streams_and_tcp_listener(self):
        anyio, = self.need("anyio")

        async def main():
            # a task group with a memory object stream between two tasks
            send, receive = anyio.create_memory_object_stream(5)
            got = []

            async def produce():
                async with send:
                    for i in range(50):
                        await send.send(i)

            async def consume():
                async with receive:
                    async for item in receive:
                        got.append(item)

            async with anyio.create_task_group() as tg:
                tg.start_soon(produce)
                tg.start_soon(consume)
            self.assertEqual(list(range(50)), got)

            # a TCP listener served by a task group, and clients over connect_tcp
            async def handle(client):
                async with client:
                    while True:
                        try:
                            data = await client.receive()
                        except anyio.EndOfStream:
                            return
                        await client.send(data.upper())

            listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            async with anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, handle)
                for i in range(5):
                    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
                        await stream.send(b"hello %d" % i)
                        self.assertEqual(b"HELLO %d" % i, await stream.receive())
                tg.cancel_scope.cancel()
            await listener.aclose()

            # cancellation scopes and timeouts
            with anyio.move_on_after(0.05) as scope:
                await anyio.sleep(10)
            self.assertTrue(scope.cancel_called)
        self.run_async(main())
