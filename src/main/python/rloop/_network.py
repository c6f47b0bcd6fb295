"""The loop's network methods: connections, servers and datagram endpoints over Java channels.

Names are resolved in Python (``getaddrinfo``, off the loop thread as the stdlib does), the
checks and error messages follow the stdlib's ``create_connection``/``create_server``/...,
and every socket is a Java channel the loop owns, registered with the loop's selector under an
id (``Loop._channels``); the iteration turns ready ids into the transports' read and write
handles. Sockets made by Python code (``sock=``) are GraalPy's emulated sockets, which Java
cannot watch or drive: those go the stdlib's way (``_py_sockets``).

This module keeps the channel table, the event dispatch and name resolution; the set-up of each
kind of socket has a module of its own: ``_net_stream`` (TCP), ``_net_unix``, ``_net_datagram``.
"""

import socket

from . import _addresses
from ._buffers import ReadBuffer
from ._net_datagram import DatagramMixin
from ._net_stream import StreamMixin
from ._net_unix import UnixMixin
from ._sockets import ChannelSocket
from ._transport import ChannelTransport

_MORE = 1 << 62               # dev.rloop.LoopCore.MORE: another event follows
_EVENT_BITS = _MORE - 1


class NetworkMixin(StreamMixin, UnixMixin, DatagramMixin):
    """create_connection, create_server, the Unix and datagram variants, and their plumbing."""

    def _init_network(self):
        self._net = self._core.net()
        self._channels = {}          # channel id -> object with _read_handle/_write_handle
        self._last_channel_id = 0
        self._read_buffer = ReadBuffer()  # every channel of the loop reads into it

    # ---- the channel table ------------------------------------------------------------------

    def _new_channel_id(self):
        self._last_channel_id += 1
        return self._last_channel_id

    def _register_channel(self, channel_id, handler):
        self._channels[channel_id] = handler

    def _unregister_channel(self, channel_id):
        self._channels.pop(channel_id, None)

    def _dispatch_io(self, event):
        """Queues the handlers of the channels the last wait found ready, starting from its first
        event (LoopCore.waitFor's result): `id << 5 | ops`, with _MORE set while others follow."""
        channels = self._channels
        ready = self._ready
        while True:
            if event < 0:
                if event == -2:  # LoopCore.SAMPLE_DUE
                    self._sample()
                return
            handler = channels.get((event & _EVENT_BITS) >> 5)
            if handler is not None:
                if event & 17:  # OP_READ | OP_ACCEPT
                    ready.append(handler._read_handle)
                if event & 12:  # OP_WRITE | OP_CONNECT
                    ready.append(handler._write_handle)
                if event & 2:  # PythonSocketWatch.UNWATCHABLE
                    handler.unwatchable()
            if event < _MORE:
                return
            event = self._next_event()

    def _ensure_fd_no_transport(self, fd):
        # The stdlib refuses add_reader/add_writer on a socket a live transport owns. rloop's own
        # transports have no descriptor (ChannelSocket.fileno() is -1), so their sockets are
        # known by their channel instead; Python's sockets get the stdlib's check.
        if isinstance(fd, ChannelSocket):
            owner = self._channels.get(fd.channel.id())
            if isinstance(owner, ChannelTransport) and not owner.is_closing():
                raise RuntimeError(f"File descriptor {fd!r} is used by transport {owner!r}")
        return super()._ensure_fd_no_transport(fd)

    def _close_channels(self):
        for handler in list(self._channels.values()):
            channel = getattr(handler, "_channel", None)
            if channel is not None:
                channel.close()
        self._channels.clear()

    # ---- name resolution --------------------------------------------------------------------

    async def _ensure_resolved(self, address, *, family=0, type=socket.SOCK_STREAM, proto=0,
                               flags=0, loop):
        # The stdlib's, with an IP-address host recognised here rather than by its inet_pton
        # check, which never succeeds on GraalPy (rloop._addresses): a connection to 127.0.0.1
        # otherwise waits for getaddrinfo on the executor. The stdlib's create_server and the
        # sock_* paths call this too.
        host, port = address[:2]
        info = _addresses.numeric_info(host, port, family, type, proto, *address[2:])
        if info is not None:
            return [info]
        return await loop.getaddrinfo(host, port, family=family, type=type, proto=proto,
                                      flags=flags)
