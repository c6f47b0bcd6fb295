"""Network errors and bad arguments: the exception types and messages of the stdlib loop."""

import asyncio
import errno
import socket
import ssl

from nettest import EchoProtocol, NetTestCase


def closed_port():
    """A TCP port on 127.0.0.1 that nothing listens on (it was just free)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()  # GraalPy's emulated sockets report port 0 until they listen
        return s.getsockname()[1]


class ConnectErrorTests(NetTestCase):
    def test_connection_refused(self):
        port = closed_port()
        with self.assertRaises(ConnectionRefusedError) as cm:
            self.run_async(asyncio.open_connection("127.0.0.1", port))
        self.assertEqual(errno.ECONNREFUSED, cm.exception.errno)

    def test_connection_refused_all_errors(self):
        port = closed_port()
        with self.assertRaises(ExceptionGroup) as cm:
            self.run_async(self.loop.create_connection(asyncio.Protocol, "127.0.0.1", port,
                                                       all_errors=True))
        self.assertEqual("create_connection failed", cm.exception.message)
        self.assertIsInstance(cm.exception.exceptions[0], ConnectionRefusedError)

    def test_happy_eyeballs_connects(self):
        async def main():
            server = await self.loop.create_server(EchoProtocol, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            transport, _ = await self.loop.create_connection(
                asyncio.Protocol, "localhost", port, happy_eyeballs_delay=0.05,
                family=socket.AF_INET)
            self.assertEqual(port, transport.get_extra_info("peername")[1])
            transport.close()
            server.close()
            await server.wait_closed()
        self.run_async(main())

    def test_local_addr(self):
        async def main():
            server = await self.loop.create_server(EchoProtocol, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            local_port = closed_port()
            transport, _ = await self.loop.create_connection(
                asyncio.Protocol, "127.0.0.1", port, local_addr=("127.0.0.1", local_port))
            self.assertEqual(("127.0.0.1", local_port), transport.get_extra_info("sockname"))
            transport.close()
            server.close()
            await server.wait_closed()
        self.run_async(main())

    def test_local_addr_in_use(self):
        async def main():
            server = await self.loop.create_server(EchoProtocol, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            with self.assertRaises(OSError) as cm:
                await self.loop.create_connection(asyncio.Protocol, "127.0.0.1", port,
                                                  local_addr=("127.0.0.1", port))
            self.assertEqual(errno.EADDRINUSE, cm.exception.errno)
            if self.is_rloop:  # GraalPy's stdlib loop leaves out the address (CPython's adds it)
                self.assertIn("error while attempting to bind on address", str(cm.exception))
            server.close()
            await server.wait_closed()
        self.run_async(main())

    def test_unknown_host(self):
        with self.assertRaises(socket.gaierror):
            self.run_async(asyncio.open_connection("no-such-host.invalid", 80))


class BadArgumentTests(NetTestCase):
    def check(self, exc_type, message, coro):
        with self.assertRaises(exc_type) as cm:
            self.run_async(coro)
        if message is not None:
            self.assertIn(message, str(cm.exception))

    def test_create_connection_arguments(self):
        loop = self.loop
        self.check(ValueError, "host and port was not specified and no sock specified",
                   loop.create_connection(asyncio.Protocol))
        self.check(ValueError, "server_hostname is only meaningful with ssl",
                   loop.create_connection(asyncio.Protocol, "127.0.0.1", 1,
                                          server_hostname="x"))
        self.check(ValueError, "ssl_handshake_timeout is only meaningful with ssl",
                   loop.create_connection(asyncio.Protocol, "127.0.0.1", 1,
                                          ssl_handshake_timeout=1))
        with socket.socket() as s:
            self.check(ValueError, "host/port and sock can not be specified at the same time",
                       loop.create_connection(asyncio.Protocol, "127.0.0.1", 1, sock=s))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            self.check(ValueError, "A Stream Socket was expected",
                       loop.create_connection(asyncio.Protocol, sock=s))

    def test_port_out_of_range(self):
        with self.assertRaises((OverflowError, OSError)):
            self.run_async(self.loop.create_connection(asyncio.Protocol, "127.0.0.1", 70000))
        with self.assertRaises((OverflowError, OSError)):
            self.run_async(self.loop.create_server(asyncio.Protocol, "127.0.0.1", 70000))

    def test_create_server_arguments(self):
        loop = self.loop
        self.check(ValueError, "Neither host/port nor sock were specified",
                   loop.create_server(asyncio.Protocol))
        self.check(TypeError, "ssl argument must be an SSLContext or None",
                   loop.create_server(asyncio.Protocol, "127.0.0.1", 0, ssl=True))
        self.check(ValueError, "ssl_handshake_timeout is only meaningful with ssl",
                   loop.create_server(asyncio.Protocol, "127.0.0.1", 0,
                                      ssl_handshake_timeout=1))
        with socket.socket() as s:
            self.check(ValueError, "host/port and sock can not be specified at the same time",
                       loop.create_server(asyncio.Protocol, "127.0.0.1", 0, sock=s))

    def test_unix_arguments(self):
        loop = self.loop
        if not hasattr(loop, "create_unix_connection") or not hasattr(socket, "AF_UNIX"):
            self.skip_on_stdlib("no AF_UNIX in GraalPy's emulated sockets")
        self.check(ValueError, "no path and sock were specified",
                   loop.create_unix_connection(asyncio.Protocol))
        self.check(ValueError, "you have to pass server_hostname when using ssl",
                   loop.create_unix_connection(asyncio.Protocol, "/tmp/x",
                                               ssl=ssl.create_default_context()))
        self.check(ValueError, "server_hostname is only meaningful with ssl",
                   loop.create_unix_connection(asyncio.Protocol, "/tmp/x", server_hostname="h"))
        self.check(TypeError, "ssl argument must be an SSLContext or None",
                   loop.create_unix_server(asyncio.Protocol, "/tmp/x", ssl=True))

    def test_datagram_arguments(self):
        loop = self.loop
        self.check(ValueError, "unexpected address family",
                   loop.create_datagram_endpoint(asyncio.DatagramProtocol))
        self.check(TypeError, "2-tuple is expected",
                   loop.create_datagram_endpoint(asyncio.DatagramProtocol,
                                                 local_addr="127.0.0.1"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            self.check(ValueError, "socket modifier keyword arguments can not be used when sock "
                                   "is specified. (local_addr=('127.0.0.1', 0))",
                       loop.create_datagram_endpoint(asyncio.DatagramProtocol, sock=s,
                                                     local_addr=("127.0.0.1", 0)))
        with socket.socket() as s:
            self.check(ValueError, "A datagram socket was expected",
                       loop.create_datagram_endpoint(asyncio.DatagramProtocol, sock=s))
