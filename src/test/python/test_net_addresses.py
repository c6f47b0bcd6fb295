"""IP-address hosts are used as they are, without a getaddrinfo call on the executor
(rloop._addresses), while names still go through getaddrinfo."""

import asyncio
import socket
import unittest
from asyncio import base_events

from rloop import _addresses

from nettest import NetTestCase

TCP, UDP = socket.IPPROTO_TCP, socket.IPPROTO_UDP
STREAM, DGRAM = socket.SOCK_STREAM, socket.SOCK_DGRAM
INET, INET6, UNSPEC = socket.AF_INET, socket.AF_INET6, socket.AF_UNSPEC


class LiteralTests(unittest.TestCase):
    def test_ipv4_literals(self):
        for host in ("127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.200.9", "1.2.3.0"):
            with self.subTest(host=host):
                self.assertTrue(_addresses.is_ipv4_literal(host))
        for host in ("localhost", "127.0.0", "127.0.0.1.5", "256.1.1.1", "01.2.3.4", "1.2.3.",
                     "1..2.3", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.0x4", "1.2.3.٣",
                     "::1", ""):
            with self.subTest(host=host):
                self.assertFalse(_addresses.is_ipv4_literal(host))

    def test_ipv6_literals(self):
        for host in ("::1", "::", "fe80::1", "2001:db8::8:800:200c:417a", "::ffff:10.0.0.1"):
            with self.subTest(host=host):
                self.assertTrue(_addresses.is_ipv6_literal(host))
        for host in ("fe80::1%lo", "1.2.3.4", "localhost", ":::1", "2001:db8::g", "[::1]", ""):
            with self.subTest(host=host):
                self.assertFalse(_addresses.is_ipv6_literal(host))


class NumericInfoTests(unittest.TestCase):
    def test_ipv4_host(self):
        self.assertEqual((INET, STREAM, TCP, "", ("127.0.0.1", 8080)),
                         _addresses.numeric_info("127.0.0.1", 8080, UNSPEC, STREAM, 0))
        self.assertEqual((INET, DGRAM, UDP, "", ("10.1.2.3", 53)),
                         _addresses.numeric_info("10.1.2.3", "53", INET, DGRAM, UDP))
        self.assertEqual((INET, STREAM, TCP, "", ("127.0.0.1", 7)),
                         _addresses.numeric_info(b"127.0.0.1", b"7", UNSPEC, STREAM, TCP))

    def test_ipv6_host_keeps_flowinfo_and_scope(self):
        self.assertEqual((INET6, STREAM, TCP, "", ("::1", 443, 0, 0)),
                         _addresses.numeric_info("::1", 443, UNSPEC, STREAM, 0))
        self.assertEqual((INET6, DGRAM, UDP, "", ("fe80::1", 5, 7, 2)),
                         _addresses.numeric_info("fe80::1", 5, INET6, DGRAM, 0, 7, 2))

    def test_no_port_is_port_zero(self):
        for port in (None, "", b""):
            with self.subTest(port=port):
                self.assertEqual(("127.0.0.1", 0),
                                 _addresses.numeric_info("127.0.0.1", port, UNSPEC, STREAM, 0)[4])

    def test_what_needs_getaddrinfo(self):
        cases = [
            ("localhost", 80, UNSPEC, STREAM, 0),     # a name
            ("127.0.0.1", "http", UNSPEC, STREAM, 0),  # a service name
            ("127.0.0.1", 80, INET6, STREAM, 0),       # the family does not match the address
            ("::1", 80, INET, STREAM, 0),
            ("fe80::1%eth0", 80, UNSPEC, STREAM, 0),   # a zone index
            ("127.0.0.1", 80, UNSPEC, getattr(socket, "SOCK_RAW", 3), 0),  # not in GraalPy's socket
            ("127.0.0.1", 80, UNSPEC, STREAM, 132),     # a protocol getaddrinfo must check (SCTP)
            (None, 80, UNSPEC, STREAM, 0),             # all interfaces
        ]
        for case in cases:
            with self.subTest(case=case):
                self.assertIsNone(_addresses.numeric_info(*case))

    def test_agrees_with_the_stdlib_where_its_inet_pton_works(self):
        # CPython's asyncio gives the same answers; on GraalPy its inet_pton check fails for every
        # IPv4 host, which is why rloop has its own
        try:
            socket.inet_pton(INET, "127.0.0.1")
        except OSError:
            self.skipTest("socket.inet_pton rejects 127.0.0.1 on this Python (GraalPy 25.0.3)")
        for args in [("127.0.0.1", 80, UNSPEC, STREAM, 0), ("::1", 0, UNSPEC, DGRAM, 0),
                     ("localhost", 80, UNSPEC, STREAM, 0), ("1.2.3.4", "x", INET, STREAM, 0)]:
            with self.subTest(args=args):
                self.assertEqual(base_events._ipaddr_info(*args), _addresses.numeric_info(*args))


class ResolutionTests(NetTestCase):
    def count_getaddrinfo(self):
        """Counts the loop's getaddrinfo calls (the executor round trip asyncio makes for a name)."""
        calls = []
        real = self.loop.getaddrinfo

        async def counting(*args, **kwargs):
            calls.append(args[0])
            return await real(*args, **kwargs)

        self.loop.getaddrinfo = counting
        return calls

    def check_ip_addresses_not_resolved(self, calls):
        if self.is_rloop or base_events._ipaddr_info("127.0.0.1", 0, UNSPEC, STREAM, 0):
            self.assertEqual([], calls)
        else:
            # GraalPy's stdlib loop: its inet_pton check fails, so it resolves IP addresses too
            self.assertIn("127.0.0.1", calls)

    async def echo_through(self, host):
        """One 4-byte echo over a connection to `host` and a server on 127.0.0.1."""
        server = await asyncio.start_server(echo_once, "127.0.0.1", 0)
        try:
            port = server.sockets[0].getsockname()[1]
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                self.skipTest(f"{host} does not reach 127.0.0.1 here: {exc}")
            writer.write(b"ping")
            self.assertEqual(b"ping", await reader.readexactly(4))
            writer.close()
            await writer.wait_closed()
        finally:
            server.close()
            await server.wait_closed()

    def test_ip_address_host_is_not_resolved(self):
        calls = self.count_getaddrinfo()
        self.run_async(self.echo_through("127.0.0.1"))
        self.check_ip_addresses_not_resolved(calls)

    def test_name_host_is_resolved(self):
        calls = self.count_getaddrinfo()
        self.run_async(self.echo_through("localhost"))
        self.assertIn("localhost", calls)

    def test_datagram_to_an_ip_address(self):
        calls = self.count_getaddrinfo()

        async def main():
            received = self.loop.create_future()

            class Receiver(asyncio.DatagramProtocol):
                def datagram_received(self, data, addr):
                    if not received.done():
                        received.set_result((data, addr))

            server, _ = await self.loop.create_datagram_endpoint(
                Receiver, local_addr=("127.0.0.1", 0))
            port = server.get_extra_info("sockname")[1]
            client, _ = await self.loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
            client.sendto(b"datagram", ("127.0.0.1", port))
            data, addr = await received
            self.assertEqual(b"datagram", data)
            self.assertEqual(client.get_extra_info("sockname"), addr)
            client.close()
            server.close()
        self.run_async(main())
        self.check_ip_addresses_not_resolved(calls)


async def echo_once(reader, writer):
    writer.write(await reader.readexactly(4))
    await writer.drain()
    writer.close()
