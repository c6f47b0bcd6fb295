"""The loop's TCP streams: create_connection and create_server, and the machinery the Unix
variants share with them (waiting for a connect, making the stream transport, accepting on a
listening channel). Each socket is a Java channel the loop owns (see ``_network``).
"""

import collections.abc
import errno
import itertools
import os
import socket

from asyncio import base_events, constants, staggered, tasks
from asyncio.log import logger

from . import _tasks, _tls
from ._server import Server
from ._sockets import ChannelSocket, os_error
from ._stream import StreamTransport
from ._transport import transport_ready

_RESOURCE_ERRNOS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


class _ConnectWaiter:
    """Stands in the channel table for a channel whose connect is in progress."""

    def __init__(self, loop, channel, address):
        self._channel = channel
        self._address = address
        self.future = loop.create_future()
        self._read_handle = None
        self._write_handle = _tasks.ReadinessHandle(self._connect_ready, (), loop, None)

    def _connect_ready(self):
        if self.future.done():
            return
        status = self._channel.finishConnect()
        if status == 0:
            self.future.set_result(None)
        elif status < 0:
            self.future.set_exception(os_error(
                self._channel.errno(), f"Connect call failed {self._address}"))


class _Listener:
    """Accepts connections for a Server from one listening channel."""

    def __init__(self, loop, sock, protocol_factory, server, backlog, ssl=None,
                 ssl_handshake_timeout=None, ssl_shutdown_timeout=None):
        self._loop = loop
        self.sock = sock
        self._channel = sock.channel
        self._protocol_factory = protocol_factory
        self.server = server
        self._backlog = backlog
        self.ssl = ssl  # an SSLContext: each connection starts with a TLS handshake
        self.ssl_handshake_timeout = ssl_handshake_timeout
        self.ssl_shutdown_timeout = ssl_shutdown_timeout
        self._read_handle = _tasks.ReadinessHandle(self._accept_ready, (), loop, None)
        self._write_handle = None

    def _accept_ready(self):
        loop = self._loop
        for _ in range(self._backlog):
            channel = self._channel.accept(loop._new_channel_id())
            if channel is None:
                code = self._channel.errno()
                if code == 0:
                    return  # no more pending connections
                if code == errno.ECONNABORTED:
                    continue  # the client gave up before we accepted
                exc = os_error(code)
                if code in _RESOURCE_ERRNOS:
                    loop.call_exception_handler({
                        "message": "socket.accept() out of system resource",
                        "exception": exc,
                        "socket": self.sock,
                    })
                    self._channel.setAccepting(False)
                    loop.call_later(constants.ACCEPT_RETRY_DELAY, self.resume)
                    return
                raise exc
            self._serve(channel)

    def _serve(self, channel):
        try:
            protocol = self._protocol_factory()
            sock = ChannelSocket(channel, self.sock.family, socket.SOCK_STREAM)
            if getattr(self.sock, "_keep_alive", False):
                channel.setOption("SO_KEEPALIVE", 1)  # create_server(keep_alive=True)
            if self.ssl is not None:
                _tls.serve_tls(self._loop, channel, sock, protocol, self)
            else:
                StreamTransport(self._loop, channel, sock, protocol, server=self.server)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            # the stdlib reports this only in debug mode; it also leaves the accepted socket
            # to the garbage collector, while rloop closes it so the client sees EOF at once
            channel.close()
            self._loop._unregister_channel(channel.id())
            if self._loop.get_debug():
                self._loop.call_exception_handler({
                    "message": "Error on transport creation for incoming connection",
                    "exception": exc,
                })

    def resume(self):
        if self._channel.isOpen():
            self._channel.setAccepting(True)



class StreamMixin:
    """TCP connections and servers, and the connect/accept plumbing Unix sockets reuse."""

    # ---- connections ------------------------------------------------------------------------

    async def create_connection(
            self, protocol_factory, host=None, port=None, *, ssl=None, family=0, proto=0,
            flags=0, sock=None, local_addr=None, server_hostname=None,
            ssl_handshake_timeout=None, ssl_shutdown_timeout=None,
            happy_eyeballs_delay=None, interleave=None, all_errors=False):
        server_hostname_checked = _tls.check_client_args(
            ssl, host, server_hostname, ssl_handshake_timeout, ssl_shutdown_timeout)
        if happy_eyeballs_delay is not None and interleave is None:
            interleave = 1

        if host is None and port is None:
            if sock is None:
                raise ValueError("host and port was not specified and no sock specified")
            # a socket made by Python code: the stdlib's path, over add_reader (_py_sockets)
            return await base_events.BaseEventLoop.create_connection(
                self, protocol_factory, ssl=ssl, sock=sock, local_addr=local_addr,
                server_hostname=server_hostname, ssl_handshake_timeout=ssl_handshake_timeout,
                ssl_shutdown_timeout=ssl_shutdown_timeout,
                happy_eyeballs_delay=happy_eyeballs_delay, interleave=interleave,
                all_errors=all_errors)
        if sock is not None:
            raise ValueError("host/port and sock can not be specified at the same time")

        infos = await self._ensure_resolved(
            (host, port), family=family, type=socket.SOCK_STREAM, proto=proto, flags=flags,
            loop=self)
        if not infos:
            raise OSError("getaddrinfo() returned empty list")
        laddr_infos = None
        if local_addr is not None:
            laddr_infos = await self._ensure_resolved(
                local_addr, family=family, type=socket.SOCK_STREAM, proto=proto, flags=flags,
                loop=self)
            if not laddr_infos:
                raise OSError("getaddrinfo() returned empty list")
        if interleave:
            infos = base_events._interleave_addrinfos(infos, interleave)

        exceptions = []
        connected = None
        if happy_eyeballs_delay is None:
            for info in infos:
                try:
                    connected = await self._connect_channel(exceptions, info, laddr_infos)
                    break
                except OSError:
                    continue
        else:
            connected, _, _ = await staggered.staggered_race(
                (lambda i=info: self._connect_channel(exceptions, i, laddr_infos)
                 for info in infos),
                happy_eyeballs_delay, loop=self)
        if connected is None:
            exceptions = [*itertools.chain.from_iterable(exceptions)]
            try:
                if all_errors:
                    raise ExceptionGroup("create_connection failed", exceptions)
                if len(exceptions) == 1:
                    raise exceptions[0]
                model = str(exceptions[0])
                if all(str(exc) == model for exc in exceptions):
                    raise exceptions[0]
                raise OSError("Multiple exceptions: {}".format(
                    ", ".join(str(exc) for exc in exceptions)))
            finally:
                exceptions = None

        channel, family, proto = connected
        sock = ChannelSocket(channel, family, socket.SOCK_STREAM, proto)
        return await self._make_stream(channel, sock, protocol_factory, ssl,
                                       server_hostname_checked, ssl_handshake_timeout,
                                       ssl_shutdown_timeout)

    async def _connect_channel(self, exceptions, addr_info, laddr_infos):
        """Connects one Java channel to one resolved address; records failures in
        `exceptions` (one list per attempt, as the stdlib does for happy eyeballs)."""
        mine = []
        exceptions.append(mine)
        family, _, proto, _, address = addr_info
        v6 = family == socket.AF_INET6
        channel = None
        try:
            if family not in (socket.AF_INET, socket.AF_INET6):
                raise OSError(errno.EAFNOSUPPORT, os.strerror(errno.EAFNOSUPPORT))
            if laddr_infos is None:
                channel = self._net.connectTcp(self._new_channel_id(), v6, address[0],
                                               address[1], None, 0)
                if channel is None:
                    raise self._connect_error(address)
            else:
                for lfamily, _, _, _, laddr in laddr_infos:
                    if lfamily != family:
                        continue
                    channel = self._net.connectTcp(self._new_channel_id(), v6, address[0],
                                                   address[1], laddr[0], laddr[1])
                    if channel is not None:
                        break
                    if self._net.bindFailed():
                        code = self._net.errno()
                        mine.append(OSError(
                            code, f"error while attempting to bind on address {laddr!r}: "
                                  f"{os.strerror(code).lower()}"))
                    else:
                        raise self._connect_error(address)
                else:
                    if mine:
                        raise mine.pop()
                    raise OSError(f"no matching local address with family={family} found")
            await self._wait_connected(channel, address)
            return channel, family, proto
        except BaseException as exc:
            if isinstance(exc, OSError):
                mine.append(exc)
            if channel is not None:
                channel.close()
            raise

    def _connect_error(self, address):
        code = self._net.errno()
        if code == errno.ECONNREFUSED:
            return os_error(code, f"Connect call failed {address}")
        return os_error(code)

    async def _wait_connected(self, channel, address):
        if channel.isConnected():
            return
        waiter = _ConnectWaiter(self, channel, address)
        self._register_channel(channel.id(), waiter)
        try:
            await waiter.future
        finally:
            self._unregister_channel(channel.id())

    async def _make_stream(self, channel, sock, protocol_factory, ssl=None, server_hostname=None,
                           ssl_handshake_timeout=None, ssl_shutdown_timeout=None):
        waiter = self.create_future()
        try:
            protocol = protocol_factory()
        except BaseException:
            channel.close()
            raise
        if ssl:
            transport = _tls.open_tls_transport(
                self, channel, sock, protocol, ssl, waiter, server_side=False,
                server_hostname=server_hostname, handshake_timeout=ssl_handshake_timeout,
                shutdown_timeout=ssl_shutdown_timeout)
        else:
            transport = StreamTransport(self, channel, sock, protocol, waiter)
        return await transport_ready(transport, protocol, waiter)

    # ---- servers ----------------------------------------------------------------------------

    async def create_server(
            self, protocol_factory, host=None, port=None, *, family=socket.AF_UNSPEC,
            flags=socket.AI_PASSIVE, sock=None, backlog=100, ssl=None, reuse_address=None,
            reuse_port=None, keep_alive=None, ssl_handshake_timeout=None,
            ssl_shutdown_timeout=None, start_serving=True):
        _tls.check_server_args(ssl, ssl_handshake_timeout, ssl_shutdown_timeout)
        if host is None and port is None:
            if sock is None:
                raise ValueError("Neither host/port nor sock were specified")
            return await base_events.BaseEventLoop.create_server(
                self, protocol_factory, sock=sock, backlog=backlog, ssl=ssl,
                ssl_handshake_timeout=ssl_handshake_timeout,
                ssl_shutdown_timeout=ssl_shutdown_timeout, start_serving=start_serving)
        if sock is not None:
            raise ValueError("host/port and sock can not be specified at the same time")
        if reuse_address is None:
            reuse_address = True
        if reuse_port and not hasattr(socket, "SO_REUSEPORT"):
            raise ValueError("reuse_port not supported by socket module")
        if host == "":
            hosts = [None]
        elif isinstance(host, str) or not isinstance(host, collections.abc.Iterable):
            hosts = [host]
        else:
            hosts = host
        infos = await tasks.gather(
            *[self._create_server_getaddrinfo(h, port, family, flags) for h in hosts])
        infos = set(itertools.chain.from_iterable(infos))
        sockets = self._bind_listeners(infos, backlog, reuse_address, reuse_port, keep_alive)
        server = Server(self, sockets, protocol_factory, ssl, backlog, ssl_handshake_timeout,
                        ssl_shutdown_timeout)
        if start_serving:
            server._start_serving()
            await tasks.sleep(0)
        if self._debug:
            logger.info("%r is serving", server)
        return server

    def _bind_listeners(self, infos, backlog, reuse_address, reuse_port, keep_alive):
        # Java cannot set IPV6_V6ONLY, so a wildcard IPv6 listener also takes IPv4: bind it
        # first, and skip the IPv4 wildcard it already covers (one socket instead of two).
        ordered = sorted(infos, key=lambda i: (i[0] != socket.AF_INET6, str(i[4])))
        sockets = []
        bound_v6_wildcards = set()
        try:
            for af, _, proto, _, sa in ordered:
                if af not in (socket.AF_INET, socket.AF_INET6):
                    continue
                host, port = sa[0], sa[1]
                if af == socket.AF_INET and host == "0.0.0.0" and port and port in bound_v6_wildcards:
                    continue
                channel = self._net.listenTcp(self._new_channel_id(), af == socket.AF_INET6,
                                              host, port, backlog, bool(reuse_address),
                                              bool(reuse_port))
                if channel is None:
                    code = self._net.errno()
                    msg = (f"error while attempting to bind on address {sa!r}: "
                           f"{os.strerror(code).lower()}")
                    if code == errno.EADDRNOTAVAIL:
                        if self._debug:
                            logger.warning(msg)
                        continue
                    raise OSError(code, msg) from None
                if af == socket.AF_INET6 and host == "::":
                    bound_v6_wildcards.add(port)
                sock = ChannelSocket(channel, af, socket.SOCK_STREAM, proto)
                sock._keep_alive = bool(keep_alive)
                sockets.append(sock)
            if not sockets:
                raise OSError("could not bind on any address out of %r"
                              % ([info[4] for info in infos],))
        except BaseException:
            for sock in sockets:
                sock.channel.close()
            raise
        return sockets

    def _start_serving(self, protocol_factory, sock, sslcontext=None, server=None,
                       backlog=100, ssl_handshake_timeout=None, ssl_shutdown_timeout=None):
        if not isinstance(sock, ChannelSocket):
            return self._start_serving_python_socket(
                protocol_factory, sock, sslcontext, server, backlog, ssl_handshake_timeout,
                ssl_shutdown_timeout)
        listener = _Listener(self, sock, protocol_factory, server, backlog, sslcontext,
                             ssl_handshake_timeout, ssl_shutdown_timeout)
        self._register_channel(sock.channel.id(), listener)
        sock.channel.setAccepting(True)

    def _stop_serving(self, sock):
        if not isinstance(sock, ChannelSocket):
            return self._stop_serving_python_socket(sock)
        channel = sock.channel
        listener = self._channels.get(channel.id())
        if listener is not None:
            # as the stdlib's remove_reader does: an accept the last wait already queued must
            # not run on the closed channel
            listener._read_handle.cancel()
        self._unregister_channel(channel.id())
        channel.close()
