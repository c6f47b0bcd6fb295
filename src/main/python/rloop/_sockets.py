"""The socket-like object a transport or server hands out for a Java channel the loop owns.

Transports report ``get_extra_info('socket')`` and servers list ``Server.sockets``; asyncio
wraps real sockets in ``TransportSocket`` for that, which only allows harmless calls. rloop's
sockets are Java channels with no Python socket behind them, so ``ChannelSocket`` offers the
same harmless surface (family, type, addresses, a few options) over the channel and refuses
what would fight the loop for the socket (I/O, blocking, closing).
"""

import errno
import os
import socket
import struct

# (level, option) -> the Java option name dev.rloop.net.SocketOptions knows
_OPTIONS = {
    (socket.IPPROTO_TCP, socket.TCP_NODELAY): "TCP_NODELAY",
    (socket.SOL_SOCKET, socket.SO_KEEPALIVE): "SO_KEEPALIVE",
    (socket.SOL_SOCKET, socket.SO_REUSEADDR): "SO_REUSEADDR",
    (socket.SOL_SOCKET, socket.SO_BROADCAST): "SO_BROADCAST",
    (socket.SOL_SOCKET, socket.SO_SNDBUF): "SO_SNDBUF",
    (socket.SOL_SOCKET, socket.SO_RCVBUF): "SO_RCVBUF",
    (socket.SOL_SOCKET, socket.SO_LINGER): "SO_LINGER",
}
if hasattr(socket, "SO_REUSEPORT"):
    _OPTIONS[(socket.SOL_SOCKET, socket.SO_REUSEPORT)] = "SO_REUSEPORT"

AF_UNIX = getattr(socket, "AF_UNIX", 1)


def os_error(code, message=None):
    """OSError(code, message), worded by os.strerror unless `message` is given; Python picks the
    subclass (ConnectionResetError, ...) from the errno."""
    code = code or errno.EIO
    return OSError(code, message or os.strerror(code))


def channel_error(channel, message=None):
    """The OSError a failed Java channel call left behind (see NetErrors)."""
    return os_error(channel.errno(), message)


def address(family, host, port):
    """A socket address as Python's socket module gives it for `family`."""
    if family == AF_UNIX:
        return host if host is not None else ""
    if host is None:
        return None
    if family == socket.AF_INET6:
        return (host, port, 0, 0)
    return (host, port)


class ChannelSocket:
    """A read-mostly view of a loop-owned Java channel, shaped like a socket."""

    def __init__(self, channel, family, type_, proto=0):
        self._channel = channel
        self.family = socket.AddressFamily(family) if family != AF_UNIX else family
        self.type = socket.SocketKind(type_)
        self.proto = proto

    @property
    def channel(self):
        return self._channel

    def fileno(self):
        # The JVM does not expose a channel's descriptor; -1 is what a closed socket reports.
        return -1

    def getsockname(self):
        return address(self.family, self._channel.localHost(), self._channel.localPort())

    def getpeername(self):
        host = self._channel.remoteHost()
        if host is None:
            raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN))
        return address(self.family, host, self._channel.remotePort())

    def getsockopt(self, level, optname, buflen=None):
        name = self._option(level, optname)
        value = self._channel.getOption(name)
        if value == -2 and self._channel.errno():
            raise channel_error(self._channel)
        if name == "SO_LINGER":
            # Java says -1 for "off", the C API a struct linger {onoff, seconds}
            return struct.pack("ii", int(value >= 0), max(value, 0))
        return value

    def setsockopt(self, level, optname, value, optlen=None):
        name = self._option(level, optname)
        if name == "SO_LINGER":
            onoff, seconds = struct.unpack("ii", bytes(value))
            value = seconds if onoff else -1
        if self._channel.setOption(name, int(value)) == -2:
            raise channel_error(self._channel)

    @staticmethod
    def _option(level, optname):
        name = _OPTIONS.get((level, optname))
        if name is None:
            raise OSError(errno.ENOPROTOOPT, os.strerror(errno.ENOPROTOOPT))
        return name

    def gettimeout(self):
        return 0

    def getblocking(self):
        return False

    def listen(self, backlog=None):
        """Servers call this before serving; the loop's listeners listen from creation."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(
            "this socket belongs to an rloop transport or server; use the transport's or "
            "server's methods instead")

    send = sendall = sendto = recv = recv_into = recvfrom = recvfrom_into = _refuse
    accept = connect = connect_ex = bind = shutdown = close = detach = dup = _refuse
    setblocking = settimeout = makefile = _refuse

    def __repr__(self):
        s = f"<rloop.ChannelSocket family={self.family!r}, type={self.type!r}, proto={self.proto}"
        if not self._channel.isOpen():
            return s + " [closed]>"
        try:
            s += f", laddr={self.getsockname()!r}"
        except OSError:
            pass
        try:
            s += f", raddr={self.getpeername()!r}"
        except OSError:
            pass
        return s + ">"
