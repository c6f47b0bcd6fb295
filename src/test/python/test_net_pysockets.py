"""Sockets made by Python code: the sock_* methods, sock= in the create_* methods, and
connect_accepted_socket, mixed with the loop's own connections."""

import asyncio
import errno
import socket

from nettest import EchoProtocol, NetTestCase, Recorder


def listening_socket():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.setblocking(False)
    return srv


async def accepted_pair(loop):
    """A listening socket, a client connected to it and the accepted end, all made by Python
    code and joined with sock_accept and sock_connect; returns (srv, client, conn, peer)."""
    srv = listening_socket()
    client = socket.socket()
    client.setblocking(False)
    accepting = asyncio.ensure_future(loop.sock_accept(srv))
    await loop.sock_connect(client, srv.getsockname())
    conn, peer = await accepting
    return srv, client, conn, peer


class SockApiTests(NetTestCase):
    def test_accept_connect_sendall_recv(self):
        loop = self.loop

        async def main():
            srv, client, conn, peer = await accepted_pair(loop)
            conn.setblocking(False)
            self.assertEqual(client.getsockname()[1], peer[1])
            for i in range(100):
                msg = b"message %03d" % i
                await loop.sock_sendall(client, msg)
                got = b""
                while len(got) < len(msg):
                    got += await loop.sock_recv(conn, 4096)
                self.assertEqual(msg, got)
                await loop.sock_sendall(conn, got)
                buf = bytearray(64)
                n = await loop.sock_recv_into(client, buf)
                self.assertEqual(msg[:n], bytes(buf[:n]))
                while n < len(msg):
                    n += await loop.sock_recv_into(client, memoryview(buf)[n:])
                self.assertEqual(msg, bytes(buf[:n]))
            big = bytes(range(256)) * 8192  # 2 MiB: sendall has to wait for room
            sender = asyncio.ensure_future(loop.sock_sendall(client, big))
            got = bytearray()
            while len(got) < len(big):
                got += await loop.sock_recv(conn, 65536)
            await sender
            self.assertEqual(big, bytes(got))
            client.close()
            self.assertEqual(b"", await loop.sock_recv(conn, 10))
            conn.close()
            srv.close()
        self.run_async(main())

    def test_connect_refused(self):
        async def main():
            srv = listening_socket()
            addr = srv.getsockname()
            srv.close()
            s = socket.socket()
            s.setblocking(False)
            try:
                with self.assertRaises(ConnectionRefusedError):
                    await self.loop.sock_connect(s, addr)
            finally:
                s.close()
        self.run_async(main())

    def test_udp_sendto_recvfrom(self):
        async def main():
            a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for s in (a, b):
                s.bind(("127.0.0.1", 0))
                s.setblocking(False)
            try:
                receiving = asyncio.ensure_future(self.loop.sock_recvfrom(b, 100))
                await asyncio.sleep(0)
                await self.loop.sock_sendto(a, b"datagram", b.getsockname())
                data, addr = await receiving
                self.assertEqual(b"datagram", data)
                self.assertEqual(a.getsockname()[1], addr[1])
                await self.loop.sock_sendto(b, b"reply", a.getsockname())
                buf = bytearray(10)
                n, addr = await self.loop.sock_recvfrom_into(a, buf)
                self.assertEqual(b"reply", bytes(buf[:n]))
            finally:
                a.close()
                b.close()
        self.run_async(main())

    def test_blocking_socket_rejected_in_debug_mode(self):
        self.loop.set_debug(True)
        with socket.socket() as s:
            with self.assertRaisesRegex(ValueError, "the socket must be non-blocking"):
                self.run_async(self.loop.sock_recv(s, 10))

    def test_cancelled_recv_stops_watching(self):
        async def main():
            srv, client, conn, _ = await accepted_pair(self.loop)
            conn.setblocking(False)
            task = asyncio.ensure_future(self.loop.sock_recv(conn, 10))
            await asyncio.sleep(0.01)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            self.assertFalse(self.loop.remove_reader(conn.fileno()))
            for s in (conn, client, srv):
                s.close()
        self.run_async(main())


    def test_receives_after_one_that_found_nothing(self):
        # A receive that found nothing makes rloop wait for readability before its next
        # receives (rloop._py_sockets.RecvAttempts): data that is already there, a peer's
        # reset or its EOF must come back exactly as from a receive that tries first.
        async def main():
            srv, client, conn, _ = await accepted_pair(self.loop)
            conn.setblocking(False)
            waiting = asyncio.ensure_future(self.loop.sock_recv(conn, 100))
            await asyncio.sleep(0.01)
            self.assertFalse(waiting.done())
            await self.loop.sock_sendall(client, b"first")
            self.assertEqual(b"first", await waiting)
            # twelve messages already waiting, taken in turns by sock_recv and sock_recv_into
            for i in range(12):
                await self.loop.sock_sendall(client, b"%02d" % i)
            await asyncio.sleep(0.05)
            got = b""
            buf = bytearray(1)
            while len(got) < 24:
                if len(got) % 2:
                    n = await self.loop.sock_recv_into(conn, buf)
                    got += bytes(buf[:n])
                else:
                    got += await self.loop.sock_recv(conn, 1)
            self.assertEqual(b"".join(b"%02d" % i for i in range(12)), got)
            self.assertFalse(self.loop.remove_reader(conn.fileno()))
            client.shutdown(socket.SHUT_WR)
            self.assertEqual(b"", await self.loop.sock_recv(conn, 100))
            self.assertEqual(0, await self.loop.sock_recv_into(conn, bytearray(4)))
            for s in (conn, client, srv):
                s.close()
        self.run_async(main())


class SockArgumentTests(NetTestCase):
    def test_create_connection_and_server_with_sock(self):
        async def main():
            srv = listening_socket()
            server = await self.loop.create_server(EchoProtocol, sock=srv)
            addr = server.sockets[0].getsockname()
            client = socket.socket()
            client.connect(addr)  # blocking connect, then hand it over
            recorder = Recorder(self.loop)
            transport, _ = await self.loop.create_connection(lambda: recorder, sock=client)
            transport.write(b"through python sockets")
            await recorder.wait_bytes(22)
            self.assertEqual(b"through python sockets", bytes(recorder.data))
            transport.close()
            await recorder.lost
            server.close()
            await server.wait_closed()
        self.run_async(main())

    def test_connect_accepted_socket(self):
        async def main():
            srv, client, conn, _ = await accepted_pair(self.loop)
            recorder = Recorder(self.loop)
            transport, _ = await self.loop.connect_accepted_socket(lambda: recorder, conn)
            await self.loop.sock_sendall(client, b"hello accepted")
            await recorder.wait_bytes(14)
            transport.write(b"back")
            got = b""
            while len(got) < 4:
                got += await self.loop.sock_recv(client, 10)
            self.assertEqual(b"back", got)
            transport.close()
            await recorder.lost
            client.close()
            srv.close()
        self.run_async(main())

    def test_python_sockets_and_loop_connections_together(self):
        """A sock_recv wait and a loop-owned connection make progress in the same loop."""
        async def main():
            server = await self.loop.create_server(EchoProtocol, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            srv, client, conn, _ = await accepted_pair(self.loop)
            conn.setblocking(False)
            pending = asyncio.ensure_future(self.loop.sock_recv(conn, 100))
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for i in range(20):
                writer.write(b"loop %d" % i)
                self.assertEqual(b"loop %d" % i, await reader.readexactly(len(b"loop %d" % i)))
            self.assertFalse(pending.done())
            await self.loop.sock_sendall(client, b"python")
            self.assertEqual(b"python", await pending)
            writer.close()
            await writer.wait_closed()
            for s in (conn, client, srv):
                s.close()
            server.close()
            await server.wait_closed()
        self.run_async(main())
