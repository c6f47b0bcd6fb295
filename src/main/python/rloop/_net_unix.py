"""The loop's Unix stream sockets: create_unix_connection and create_unix_server, over Java's
AF_UNIX channels, with the stdlib's checks on path and sock. Connecting, the stream transport
and accepting are the TCP ones (``_net_stream``).
"""

import errno
import os
import socket

from asyncio import tasks

from . import _bridge, _tls
from ._server import Server, remove_socket_file
from ._sockets import AF_UNIX, ChannelSocket, os_error


def _unix_path(path, sock, missing_message):
    """The checks of the stdlib's create_unix_* on path and sock; returns the path as str. A
    socket object here can only fail them: GraalPy's socket module has no AF_UNIX."""
    if path is not None:
        if sock is not None:
            raise ValueError("path and sock can not be specified at the same time")
        return os.fsdecode(os.fspath(path))
    if sock is None:
        raise ValueError(missing_message)
    raise ValueError(f"A UNIX Domain Stream Socket was expected, got {sock!r}")


def _java_unix_path(path):
    """The path to give Java for a Unix socket: a relative one counts from the program's working
    directory, which in the launcher's daemon is not the JVM's own (Java resolves it against that)."""
    if not path or path.startswith("\0") or os.path.isabs(path):
        return path
    cwd = os.getcwd()
    return path if cwd == _jvm_working_directory() else os.path.join(cwd, path)


def _jvm_working_directory():
    return _bridge.bridge.jvmWorkingDirectory()


class UnixMixin:
    """create_unix_connection and create_unix_server."""

    async def create_unix_connection(
            self, protocol_factory, path=None, *, ssl=None, sock=None, server_hostname=None,
            ssl_handshake_timeout=None, ssl_shutdown_timeout=None):
        if ssl:
            if server_hostname is None:
                raise ValueError("you have to pass server_hostname when using ssl")
        elif server_hostname is not None:
            raise ValueError("server_hostname is only meaningful with ssl")
        _tls.check_timeouts(ssl, ssl_handshake_timeout, ssl_shutdown_timeout)
        path = _unix_path(path, sock, "no path and sock were specified")
        channel = self._net.connectUnix(self._new_channel_id(), _java_unix_path(path))
        if channel is None:
            raise os_error(self._net.errno())
        try:
            await self._wait_connected(channel, path)
        except BaseException:
            channel.close()
            raise
        sock = ChannelSocket(channel, AF_UNIX, socket.SOCK_STREAM)
        return await self._make_stream(channel, sock, protocol_factory, ssl, server_hostname,
                                       ssl_handshake_timeout, ssl_shutdown_timeout)

    async def create_unix_server(
            self, protocol_factory, path=None, *, sock=None, backlog=100, ssl=None,
            ssl_handshake_timeout=None, ssl_shutdown_timeout=None, start_serving=True,
            cleanup_socket=True):
        _tls.check_server_args(ssl, ssl_handshake_timeout, ssl_shutdown_timeout)
        path = _unix_path(path, sock, "path was not specified, and no sock specified")
        # a socket file left by an earlier server is replaced, as the stdlib does
        remove_socket_file(path, "Unable to check or remove stale UNIX socket")
        channel = self._net.listenUnix(self._new_channel_id(), _java_unix_path(path), backlog)
        if channel is None:
            code = self._net.errno()
            if code == errno.EADDRINUSE:
                raise OSError(errno.EADDRINUSE, f"Address {path!r} is already in use") from None
            raise os_error(code)
        sock = ChannelSocket(channel, AF_UNIX, socket.SOCK_STREAM)
        server = Server(self, [sock], protocol_factory, ssl, backlog, ssl_handshake_timeout,
                        ssl_shutdown_timeout, unix_path=path if cleanup_socket else None)
        if start_serving:
            server._start_serving()
            await tasks.sleep(0)
        return server
