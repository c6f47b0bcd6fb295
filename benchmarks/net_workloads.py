"""Network workloads for loop_bench.py: echo round trips and a bulk transfer on 127.0.0.1.

Every round opens its own server and connections, times only the exchange, and closes all it
opened before it returns, so that no socket, transport or server outlives its round (a leak
would slow down or break the next round, and the next round could be on the other loop).

A round is three steps (see NetWorkload): ``open()`` (untimed: start the server, connect, wait
until the server side has accepted every connection), ``exchange()`` (timed: the traffic and
its checks), ``close()`` (untimed, bounded by CLOSE_TIMEOUT). Server and client run in the same
loop. A loop that lacks an API a workload needs raises NotImplementedError, which the runner
reports as "not implemented" for that loop.
"""

import asyncio
import socket
import struct

from bench_core import BenchError, Workload, perf_counter

LOCALHOST = "127.0.0.1"
# Longest a round's close() may take; longer means something stayed open (a leak), which fails
# the round instead of hanging the benchmark.
CLOSE_TIMEOUT = 5.0
# Loopback UDP does not drop datagrams in practice; a reply missing this long fails the round.
UDP_REPLY_TIMEOUT = 1.0
UDP_WATCH_PERIOD = 0.25

_HEADER = struct.Struct(">II")  # connection number, sequence number


class MessageFormat:
    """Fixed-size test messages that start with their connection and sequence numbers, so that
    one comparison of an echo with what was sent checks its content and its order."""

    def __init__(self, size):
        self.size = size
        self._body = bytes((13 + 7 * i) & 0xFF for i in range(size - _HEADER.size))

    def make(self, conn, seq):
        return _HEADER.pack(conn, seq) + self._body

    def describe(self, data):
        if len(data) < _HEADER.size:
            return f"{len(data)} bytes"
        conn, seq = _HEADER.unpack_from(data)
        body = "" if data[_HEADER.size:] == self._body else ", body differs"
        return f"connection {conn} seq {seq} ({len(data)} bytes{body})"

    def mismatch(self, sent, echo):
        return f"echo mismatch: sent {self.describe(sent)}, got back {self.describe(echo)}"


def split_evenly(n, parts):
    """n as `parts` counts that differ by at most one (so any N works with any connection
    count)."""
    base, extra = divmod(n, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


async def _quietly(coro):
    """Runs a clean-up while an error is already on its way: its own errors would only hide
    that one."""
    try:
        await asyncio.wait_for(coro, CLOSE_TIMEOUT)
    except Exception:
        pass


class PlainStreams:
    """How the stream workloads start their server and open their connections: plain TCP on
    127.0.0.1. The TLS workloads (tls_workloads.py) swap in a TLS version of this, so that the
    same sessions measure the same exchange with and without TLS."""

    async def start_server(self, handler):
        return await asyncio.start_server(handler, LOCALHOST, 0)

    async def open_connection(self, host, port):
        return await asyncio.open_connection(host, port)

    def end_of_data(self, writer):
        """Tells the peer that no more data follows (its read() then returns b"")."""
        writer.write_eof()


class Session:
    """One round's sockets and servers. `close()` must release whatever `open()` managed to
    create, also after a failure half-way through `open()` or `exchange()`."""

    def __init__(self, workload, loop):
        self.loop = loop
        self.n = workload.n

    async def open(self):
        pass

    async def close(self):
        pass

    def server_error(self):
        """The exception a server-side handler failed with, if any: when the client then fails
        (e.g. on the connection the handler closed), this is the cause worth reporting."""
        return None


class NetWorkload(Workload):
    """A workload whose rounds are Session objects: open (untimed), exchange (timed), close."""

    session_class = Session
    streams = PlainStreams()  # for the stream sessions: plain TCP unless a workload says TLS

    def run(self, loop):
        return loop.run_until_complete(self._round(loop))

    async def _round(self, loop):
        session = self.session_class(self, loop)
        try:
            await session.open()
            t0 = perf_counter()
            await session.exchange()
            dt = perf_counter() - t0
        except BaseException as exc:
            await _quietly(session.close())
            cause = session.server_error()
            if isinstance(exc, Exception) and cause is not None and cause is not exc:
                raise cause from exc
            raise
        try:
            await asyncio.wait_for(session.close(), CLOSE_TIMEOUT)
        except asyncio.TimeoutError:
            raise BenchError(f"closing the round's connections and server took more than "
                             f"{CLOSE_TIMEOUT:g} s (something stayed open)") from None
        return dt


# ---- asyncio streams: echo round trips ---------------------------------------------------------

class StreamEchoServer:
    """`asyncio.start_server` on 127.0.0.1 whose handler echoes fixed-size messages
    (readexactly, write, drain) until the client's EOF. Keeps its handler tasks, so that open()
    can wait until every connection has been accepted and close() until every handler ended,
    and the first error a handler had (a task's error would otherwise only be logged)."""

    def __init__(self, loop, size, connections, streams):
        self.size = size
        self.streams = streams
        self.server = None
        self.address = None
        self.handlers = []
        self.errors = []
        self._expected = connections
        self._all_accepted = loop.create_future()

    async def start(self):
        self.server = await self.streams.start_server(self._handle)
        self.address = self.server.sockets[0].getsockname()[:2]

    async def all_accepted(self):
        await self._all_accepted

    async def _handle(self, reader, writer):
        self.handlers.append(asyncio.current_task())
        if len(self.handlers) == self._expected and not self._all_accepted.done():
            self._all_accepted.set_result(None)
        size = self.size
        try:
            while True:
                try:
                    data = await reader.readexactly(size)
                except asyncio.IncompleteReadError as exc:
                    if exc.partial:
                        raise BenchError(f"echo server: {len(exc.partial)} bytes of a "
                                         f"{size}-byte message, then EOF") from None
                    break  # the client's EOF between messages: the normal end
                writer.write(data)
                await writer.drain()
        except Exception as exc:
            self.errors.append(exc)
        finally:
            writer.close()

    async def close(self):
        if self.server is None:
            return
        self.server.close()  # stop listening; the handlers end on their clients' EOF
        if self.handlers:
            await asyncio.wait(self.handlers)
        await self.server.wait_closed()


class StreamEchoSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.connections = workload.connections
        self.messages = workload.messages
        self.streams = workload.streams
        self.server = StreamEchoServer(loop, self.messages.size, self.connections,
                                       self.streams)
        self.clients = []  # (reader, writer) per connection

    async def open(self):
        await self.server.start()
        host, port = self.server.address
        for _ in range(self.connections):
            self.clients.append(await self.streams.open_connection(host, port))
        await self.server.all_accepted()

    async def exchange(self):
        shares = split_evenly(self.n, self.connections)
        if self.connections == 1:
            reader, writer = self.clients[0]
            done = await self._ping_pong(0, reader, writer, shares[0])
        else:
            tasks = [self.loop.create_task(self._ping_pong(i, r, w, shares[i]))
                     for i, (r, w) in enumerate(self.clients)]
            try:
                done = sum(await asyncio.gather(*tasks))
            except BaseException:
                for t in tasks:  # the other clients would wait for echoes that never come
                    t.cancel()
                raise
        if done != self.n:
            raise BenchError(f"{done} round trips done, expected {self.n}")

    async def _ping_pong(self, conn, reader, writer, count):
        make = self.messages.make
        size = self.messages.size
        for seq in range(count):
            msg = make(conn, seq)
            writer.write(msg)
            await writer.drain()
            echo = await reader.readexactly(size)
            if echo != msg:
                raise BenchError(self.messages.mismatch(msg, echo))
        return count

    async def close(self):
        for _, writer in self.clients:
            writer.close()
        for _, writer in self.clients:
            await writer.wait_closed()
        await self.server.close()
        if self.server.errors:
            raise self.server.errors[0]

    def server_error(self):
        return self.server.errors[0] if self.server.errors else None


class StreamEcho(NetWorkload):
    # Per round, untimed: start_server, open_connection, and at the end closing both. Timed:
    # the n round trips (write 100 bytes, drain, readexactly the 100-byte echo).
    name = "stream_echo"
    title = "stream echo, 1 conn, 100 B"
    unit = "round trips/s"
    n_full = 2_000
    n_quick = 200
    connections = 1
    session_class = StreamEchoSession

    def __init__(self, n):
        super().__init__(n)
        self.messages = MessageFormat(100)


class StreamEcho50(StreamEcho):
    # As stream_echo over 50 connections opened per round (untimed); 50 client tasks each do
    # their share of the n round trips concurrently.
    name = "stream_echo_50"
    title = "stream echo, 50 conns, 100 B"
    n_full = 2_500
    n_quick = 250
    connections = 50


# ---- asyncio streams: bulk one-way transfer ----------------------------------------------------

BULK_CHUNK = 256 * 1024
BULK_PATTERNS = 4  # distinct chunk contents, so that swapped or repeated chunks show


def bulk_byte(pos):
    """The byte the bulk stream carries at position `pos`: chunk k holds pattern k % 4, and
    pattern j at offset i is (i + 61 j) & 0xFF (chunks are a multiple of 256 long)."""
    return (pos + 61 * ((pos // BULK_CHUNK) % BULK_PATTERNS)) & 0xFF


class BulkSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.chunks = workload.chunks
        self.streams = workload.streams
        self.server = None
        self.reader = self.writer = None
        self.handler = None
        self.accepted = loop.create_future()
        self.received = loop.create_future()  # (byte count, failed samples, first failed pos)

    async def open(self):
        self.server = await self.streams.start_server(self._receive)
        host, port = self.server.sockets[0].getsockname()[:2]
        self.reader, self.writer = await self.streams.open_connection(host, port)
        await self.accepted

    async def _receive(self, reader, writer):
        # Reads until EOF; checks the first and last byte of every read against bulk_byte(),
        # which costs two look-ups per read, not a pass over 64 MiB.
        self.handler = asyncio.current_task()
        self.accepted.set_result(None)
        count = bad = 0
        first_bad = None
        try:
            while True:
                data = await reader.read(BULK_CHUNK)
                if not data:
                    break
                end = count + len(data) - 1
                if data[0] != bulk_byte(count) or data[-1] != bulk_byte(end):
                    bad += 1
                    if first_bad is None:
                        first_bad = count
                count = end + 1
            self.received.set_result((count, bad, first_bad))
        except Exception as exc:
            self.received.set_exception(exc)
        finally:
            writer.close()

    async def exchange(self):
        writer = self.writer
        chunks = self.chunks
        full, rest = divmod(self.n, BULK_CHUNK)
        for k in range(full):
            writer.write(chunks[k % BULK_PATTERNS])
            await writer.drain()
        if rest:
            writer.write(chunks[full % BULK_PATTERNS][:rest])
            await writer.drain()
        self.streams.end_of_data(writer)
        count, bad, first_bad = await self.received
        if count != self.n:
            raise BenchError(f"server received {count} bytes, expected {self.n}")
        if bad:
            raise BenchError(f"{bad} server reads had unexpected content, the first at "
                             f"stream position {first_bad}")

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        if self.server is not None:
            self.server.close()
            if self.handler is not None:
                await asyncio.wait([self.handler])
            await self.server.wait_closed()

    def server_error(self):
        r = self.received
        return r.exception() if r.done() and not r.cancelled() else None


class Bulk(NetWorkload):
    # Per round, untimed: start_server and open_connection, closing both at the end. Timed:
    # writing n bytes in 256 KiB chunks with drain() after each, write_eof(), until the server
    # has read up to EOF and checked the count and the sampled bytes.
    name = "bulk"
    title = "stream bulk one-way, 256 KiB writes"
    unit = "bytes/s"
    n_full = 64 * 1024 * 1024
    n_quick = 8 * 1024 * 1024
    session_class = BulkSession

    def __init__(self, n):
        super().__init__(n)
        self.chunks = [bytes((i + 61 * j) & 0xFF for i in range(256)) * (BULK_CHUNK // 256)
                       for j in range(BULK_PATTERNS)]


# ---- asyncio.Protocol: echo round trips ---------------------------------------------------------

class EchoServerProtocol(asyncio.Protocol):
    """Writes back whatever arrives, as it arrives; closes on the client's EOF."""

    def __init__(self, loop):
        self.transport = None
        self.lost = loop.create_future()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def eof_received(self):
        return False  # let the transport close

    def connection_lost(self, exc):
        self.lost.set_result(exc)


class PingPongClientProtocol(asyncio.Protocol):
    """Sends message 0; each time the whole echo of the message in flight has arrived (in one
    piece or several) checks it and sends the next; resolves `done` after n echoes."""

    def __init__(self, loop, messages, n):
        self.messages = messages
        self.n = n
        self.count = 0
        self.transport = None
        self.done = loop.create_future()
        self.lost = loop.create_future()
        self._sent = None
        self._buf = bytearray()

    def connection_made(self, transport):
        self.transport = transport

    def start(self):
        self._send()

    def _send(self):
        self._sent = self.messages.make(0, self.count)
        self.transport.write(self._sent)

    def _fail(self, message):
        if not self.done.done():
            self.done.set_exception(BenchError(message))

    def data_received(self, data):
        size = self.messages.size
        buf = self._buf
        if not buf and len(data) == size:
            echo = data  # the common case: the echo arrived in one piece
        else:
            buf += data
            if len(buf) < size:
                return
            if len(buf) > size:
                self._fail(f"{len(buf)} bytes arrived while one {size}-byte message was in "
                           f"flight")
                return
            echo = bytes(buf)
            buf.clear()
        if echo != self._sent:
            self._fail(self.messages.mismatch(self._sent, echo))
            return
        self.count += 1
        if self.count == self.n:
            self.done.set_result(self.count)
        else:
            self._send()

    def connection_lost(self, exc):
        self._fail(f"connection lost after {self.count} of {self.n} echoes ({exc!r})")
        self.lost.set_result(exc)


class ProtocolEchoSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.messages = workload.messages
        self.server = None
        self.server_sides = []
        self.accepted = loop.create_future()
        self.client = None

    def _server_side(self):
        proto = EchoServerProtocol(self.loop)
        self.server_sides.append(proto)
        if not self.accepted.done():
            self.accepted.set_result(None)
        return proto

    async def open(self):
        self.server = await self.loop.create_server(self._server_side, LOCALHOST, 0)
        host, port = self.server.sockets[0].getsockname()[:2]
        _, self.client = await self.loop.create_connection(
            lambda: PingPongClientProtocol(self.loop, self.messages, self.n), host, port)
        await self.accepted

    async def exchange(self):
        self.client.start()
        done = await self.client.done
        if done != self.n:
            raise BenchError(f"{done} round trips done, expected {self.n}")

    async def close(self):
        if self.client is not None:
            self.client.transport.close()
            await self.client.lost
        for side in self.server_sides:
            await side.lost  # closes on the client's EOF
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


class ProtocolEcho(NetWorkload):
    # Per round, untimed: create_server and create_connection, closing both at the end. Timed:
    # the n round trips of 1 KiB, driven by the client protocol's data_received.
    name = "protocol_echo"
    title = "Protocol echo, 1 KiB"
    unit = "round trips/s"
    n_full = 3_000
    n_quick = 300
    session_class = ProtocolEchoSession

    def __init__(self, n):
        super().__init__(n)
        self.messages = MessageFormat(1024)


# ---- datagram endpoints: UDP echo round trips ---------------------------------------------------

class UdpEchoServerProtocol(asyncio.DatagramProtocol):
    """Sends every datagram back to where it came from."""

    def __init__(self, loop):
        self.transport = None
        self.error = None
        self.lost = loop.create_future()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)

    def error_received(self, exc):
        self.error = exc

    def connection_lost(self, exc):
        self.lost.set_result(exc)


class UdpClientProtocol(asyncio.DatagramProtocol):
    """Hands each reply to the future in `waiter` (one datagram is in flight at a time)."""

    def __init__(self, loop):
        self.transport = None
        self.waiter = None
        self.replies = 0
        self.unexpected = 0
        self.lost = loop.create_future()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        waiter = self.waiter
        if waiter is None or waiter.done():
            self.unexpected += 1
            return
        self.replies += 1
        waiter.set_result(data)

    def error_received(self, exc):
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def connection_lost(self, exc):
        self.lost.set_result(exc)


class UdpEchoSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.messages = workload.messages
        self.server = self.client = None
        self._watch_handle = None
        self._replies_seen = 0
        self._last_progress = 0.0

    async def open(self):
        _, self.server = await self.loop.create_datagram_endpoint(
            lambda: UdpEchoServerProtocol(self.loop), local_addr=(LOCALHOST, 0))
        address = self.server.transport.get_extra_info("sockname")[:2]
        _, self.client = await self.loop.create_datagram_endpoint(
            lambda: UdpClientProtocol(self.loop), remote_addr=address)

    def _watch(self):
        # One timer per period rather than one per round trip: a reply missing for
        # UDP_REPLY_TIMEOUT (noticed within one more period) fails the pending future.
        client = self.client
        now = self.loop.time()
        if client.replies != self._replies_seen:
            self._replies_seen = client.replies
            self._last_progress = now
        elif now - self._last_progress >= UDP_REPLY_TIMEOUT:
            waiter = client.waiter
            if waiter is not None and not waiter.done():
                waiter.set_exception(BenchError(
                    f"no UDP echo within {UDP_REPLY_TIMEOUT:g} s for sequence number "
                    f"{client.replies}"))
                return
        self._watch_handle = self.loop.call_later(UDP_WATCH_PERIOD, self._watch)

    async def exchange(self):
        loop = self.loop
        client = self.client
        transport = client.transport
        make = self.messages.make
        self._last_progress = loop.time()
        self._watch_handle = loop.call_later(UDP_WATCH_PERIOD, self._watch)
        try:
            for seq in range(self.n):
                msg = make(0, seq)
                client.waiter = waiter = loop.create_future()
                transport.sendto(msg)
                echo = await waiter
                if echo != msg:
                    raise BenchError(self.messages.mismatch(msg, echo))
        finally:
            self._watch_handle.cancel()
            client.waiter = None
        if client.replies != self.n or client.unexpected:
            raise BenchError(f"{client.replies} replies for {self.n} datagrams, "
                             f"{client.unexpected} unexpected")
        if self.server.error is not None:
            raise BenchError(f"echo server's error_received: {self.server.error!r}")

    async def close(self):
        if self._watch_handle is not None:
            self._watch_handle.cancel()
        for endpoint in (self.client, self.server):
            if endpoint is not None:
                endpoint.transport.close()
                await endpoint.lost


class UdpEcho(NetWorkload):
    # Per round, untimed: both datagram endpoints, closed at the end. Timed: the n round trips
    # (sendto 100 bytes, await the future datagram_received resolves, compare).
    name = "udp_echo"
    title = "UDP echo, 100 B datagrams"
    unit = "round trips/s"
    n_full = 2_500
    n_quick = 250
    session_class = UdpEchoSession

    def __init__(self, n):
        super().__init__(n)
        self.messages = MessageFormat(100)


# ---- the loop's sock_* API: echo round trips ------------------------------------------------------

class SockEchoSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.messages = workload.messages
        self.listener = self.client = self.server_side = None
        self.echo_task = None

    async def open(self):
        loop = self.loop
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setblocking(False)
        self.listener.bind((LOCALHOST, 0))
        self.listener.listen(1)
        self.client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.client.setblocking(False)
        accepting = loop.create_task(loop.sock_accept(self.listener))
        try:
            await loop.sock_connect(self.client, self.listener.getsockname())
            self.server_side, _ = await accepting
        finally:
            if not accepting.done():  # sock_connect failed: do not leave the accept pending
                accepting.cancel()
        self.server_side.setblocking(False)
        self.echo_task = loop.create_task(self._echo())

    async def _echo(self):
        # The server: gathers each 100-byte message (it may arrive in pieces) and sends it back;
        # ends on the client's EOF. On an error it shuts the socket down, so that the client
        # sees EOF instead of waiting for ever, and the round reports this error.
        loop, sock, size = self.loop, self.server_side, self.messages.size
        buf = bytearray()
        try:
            while True:
                data = await loop.sock_recv(sock, 4096)
                if not data:
                    if buf:
                        raise BenchError(f"echo server: {len(buf)} bytes of a {size}-byte "
                                         f"message, then EOF")
                    return
                if not buf and len(data) == size:
                    await loop.sock_sendall(sock, data)
                    continue
                buf += data
                while len(buf) >= size:
                    await loop.sock_sendall(sock, bytes(buf[:size]))
                    del buf[:size]
        except BaseException:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            raise

    async def exchange(self):
        loop, sock = self.loop, self.client
        make, size = self.messages.make, self.messages.size
        for seq in range(self.n):
            msg = make(0, seq)
            await loop.sock_sendall(sock, msg)
            echo = b""
            while len(echo) < size:
                data = await loop.sock_recv(sock, 4096)
                if not data:
                    raise BenchError(f"the server closed the connection after {seq} echoes "
                                     f"and {len(echo)} bytes of the next")
                echo += data
            if echo != msg:
                raise BenchError(self.messages.mismatch(msg, echo))

    async def close(self):
        try:
            if self.echo_task is not None:
                if not self.echo_task.done():
                    try:
                        self.client.shutdown(socket.SHUT_WR)  # the server's EOF
                    except OSError:
                        self.echo_task.cancel()
                await asyncio.wait([self.echo_task])
                if not self.echo_task.cancelled() and self.echo_task.exception() is not None:
                    raise self.echo_task.exception()
        finally:
            for sock in (self.client, self.server_side, self.listener):
                if sock is not None:
                    sock.close()

    def server_error(self):
        t = self.echo_task
        if t is not None and t.done() and not t.cancelled():
            return t.exception()
        return None


class SockEcho(NetWorkload):
    # Per round, untimed: a listening socket, sock_connect and sock_accept, and closing the
    # three sockets at the end. Timed: the n round trips, each sock_sendall then sock_recv until
    # 100 bytes on the client and the same on the server side's echo task.
    name = "sock_echo"
    title = "sock_* API echo, 100 B"
    unit = "round trips/s"
    n_full = 2_000
    n_quick = 200
    session_class = SockEchoSession

    def __init__(self, n):
        super().__init__(n)
        self.messages = MessageFormat(100)


NET_WORKLOADS = [StreamEcho, StreamEcho50, ProtocolEcho, Bulk, UdpEcho, SockEcho]
