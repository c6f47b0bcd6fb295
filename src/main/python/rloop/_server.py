"""``Server`` for the loop's listeners: asyncio's own ``Server`` (serve_forever, wait_closed,
async with, start_serving, ...) over ``ChannelSocket`` listeners, plus the clients it has
accepted so that ``close_clients()`` and ``abort_clients()`` (Python 3.13's additions) work."""

import os
import stat

from asyncio import base_events
from asyncio.log import logger


class Server(base_events.Server):
    def __init__(self, loop, sockets, protocol_factory, ssl_context, backlog,
                 ssl_handshake_timeout, ssl_shutdown_timeout=None, unix_path=None):
        super().__init__(loop, sockets, protocol_factory, ssl_context, backlog,
                         ssl_handshake_timeout, ssl_shutdown_timeout)
        self._clients = set()
        self._unix_path = unix_path  # removed on close, as Python 3.13 does (cleanup_socket)

    def _attach_transport(self, transport):
        self._clients.add(transport)
        self._attach()

    def _detach_transport(self, transport):
        self._clients.discard(transport)
        self._detach()

    def close_clients(self):
        for transport in list(self._clients):
            transport.close()

    def abort_clients(self):
        for transport in list(self._clients):
            transport.abort()

    def close(self):
        path, self._unix_path = self._unix_path, None
        super().close()
        if path:
            remove_socket_file(path, "Unable to clean up listening UNIX socket")


def remove_socket_file(path, failure_message):
    """Removes the Unix socket file at `path` if there is one (not another kind of file, not an
    abstract-namespace name); logs `failure_message` when that fails."""
    if not path or path[0] == "\0":
        return
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as err:
        logger.error("%s %r: %r", failure_message, path, err)
