"""Unix domain stream sockets in a temporary directory (rloop only: GraalPy's emulated sockets
have no AF_UNIX, so its stdlib loop cannot serve them)."""

import asyncio
import os
import socket
import stat
import tempfile

from nettest import NetTestCase


async def echo_handler(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


class UnixTests(NetTestCase):
    def setUp(self):
        super().setUp()
        self.skip_on_stdlib("no AF_UNIX in GraalPy's emulated sockets")
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "echo.sock")

    def tearDown(self):
        super().tearDown()
        if os.path.exists(self.path):
            os.unlink(self.path)
        os.rmdir(self.dir)

    def test_echo_and_cleanup(self):
        async def main():
            server = await asyncio.start_unix_server(echo_handler, self.path)
            self.assertTrue(stat.S_ISSOCK(os.stat(self.path).st_mode))
            self.assertEqual(self.path, server.sockets[0].getsockname())
            reader, writer = await asyncio.open_unix_connection(self.path)
            self.assertEqual(self.path, writer.get_extra_info("peername"))
            for i in range(100):
                writer.write(b"unix %d" % i)
                self.assertEqual(b"unix %d" % i, await reader.readexactly(len(b"unix %d" % i)))
            writer.write_eof()
            self.assertEqual(b"", await reader.read())
            writer.close()
            await writer.wait_closed()
            server.close()
            await server.wait_closed()
            self.assertFalse(os.path.exists(self.path), "the socket file was left behind")
        self.run_async(main())

    def test_server_closed_right_after_a_connection_is_made(self):
        # the listener's readiness may already be queued when the server closes in the same
        # batch of callbacks; that accept must not run on the closed channel (it would log
        # "Bad file number" from the exception handler)
        reported = []
        self.loop.set_exception_handler(lambda loop, context: reported.append(context))

        async def main():
            for _ in range(20):
                server = await asyncio.start_unix_server(lambda r, w: w.close(), self.path)
                reader, writer = await asyncio.open_unix_connection(self.path)
                writer.close()
                server.close()
                await server.wait_closed()
            await asyncio.sleep(0.05)
        self.run_async(main())
        self.assertEqual([], reported)

    def test_stale_socket_file_is_replaced(self):
        async def main():
            first = await asyncio.start_unix_server(echo_handler, self.path,
                                                    cleanup_socket=False)
            first.close()
            await first.wait_closed()
            self.assertTrue(os.path.exists(self.path))
            second = await asyncio.start_unix_server(echo_handler, self.path)
            reader, writer = await asyncio.open_unix_connection(self.path)
            writer.write(b"ok")
            self.assertEqual(b"ok", await reader.readexactly(2))
            writer.close()
            await writer.wait_closed()
            second.close()
            await second.wait_closed()
        self.run_async(main())

    def test_missing_path(self):
        with self.assertRaises(FileNotFoundError):
            self.run_async(asyncio.open_unix_connection(os.path.join(self.dir, "nobody")))

    def test_not_a_socket_file(self):
        with open(self.path, "w") as f:
            f.write("plain file")

        async def main():
            with self.assertRaises(OSError) as cm:
                await asyncio.start_unix_server(echo_handler, self.path)
            self.assertIn("already in use", str(cm.exception))
        self.run_async(main())
        self.assertTrue(os.path.isfile(self.path), "a plain file must not be removed")

    def test_path_like_and_bytes_paths(self):
        import pathlib

        async def main():
            server = await asyncio.start_unix_server(echo_handler, pathlib.Path(self.path))
            reader, writer = await asyncio.open_unix_connection(os.fsencode(self.path))
            writer.write(b"p")
            self.assertEqual(b"p", await reader.readexactly(1))
            writer.close()
            await writer.wait_closed()
            server.close()
            await server.wait_closed()
        self.run_async(main())
