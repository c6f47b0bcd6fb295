"""What the loop's stream and datagram transports share: a loop-owned Java channel registered
under an id, the socket-like view, protocol bookkeeping, and closing (after the channel's write
buffer drains, or at once on abort or a fatal error) with the stdlib's error handling: OSErrors
close the transport quietly, other exceptions reach the loop's exception handler.
"""

import warnings

from asyncio import transports
from asyncio.log import logger

from . import _tasks


async def transport_ready(transport, protocol, waiter):
    """Waits until ``transport`` has called ``connection_made`` (``waiter`` done); a failed or
    cancelled wait closes the transport. Returns the pair the create_* methods give."""
    try:
        await waiter
    except BaseException:
        transport.close()
        raise
    return transport, protocol


def report_fatal_error(transport, exc, message):
    """How asyncio's transports report the error that ends them: an OSError (the peer or the
    system ended it) only in debug mode, anything else to the loop's exception handler."""
    loop = transport._loop
    if isinstance(exc, OSError):
        if loop.get_debug():
            logger.debug("%r: %s", transport, message, exc_info=True)
    else:
        loop.call_exception_handler({
            "message": message,
            "exception": exc,
            "transport": transport,
            "protocol": transport._protocol,
        })


class PausableReading:
    """``pause_reading``/``resume_reading`` for a transport over a Java object with
    ``setReading`` (a loop-owned channel, a pumped pipe); the class sets ``_paused`` and
    defines ``is_reading``."""

    def pause_reading(self):
        if not self.is_reading():
            return
        self._paused = True
        self._channel.setReading(False)
        if self._loop.get_debug():
            logger.debug("%r pauses reading", self)

    def resume_reading(self):
        if self._closing or not self._paused:
            return
        self._paused = False
        self._channel.setReading(True)
        if self._loop.get_debug():
            logger.debug("%r resumes reading", self)


class ChannelTransport(transports._FlowControlMixin):
    """The base of rloop's transports; subclasses add reading and writing."""

    def __init__(self, loop, channel, socket, protocol, waiter=None, server=None, extra=None):
        super().__init__(extra, loop)
        self._channel = channel
        self._id = channel.id()
        self._sock = socket
        self._extra["socket"] = socket
        try:
            self._extra["sockname"] = socket.getsockname()
        except OSError:
            self._extra["sockname"] = None
        if "peername" not in self._extra:
            try:
                self._extra["peername"] = socket.getpeername()
            except OSError:
                self._extra["peername"] = None
        self._protocol = None
        self._protocol_connected = False
        self.set_protocol(protocol)
        self._closing = False
        self._conn_lost = 0
        self._pending = 0  # bytes in the channel's write buffer, as the channel last said
        self._server = server
        if server is not None:
            server._attach_transport(self)
        self._read_handle = _tasks.ReadinessHandle(self._read_ready, (), loop, None)
        self._write_handle = _tasks.ReadinessHandle(self._write_ready, (), loop, None)
        loop._register_channel(self._id, self)
        self._connect(waiter)

    def _connect(self, waiter):
        """Tells the protocol it is connected, starts reading, then completes `waiter`."""
        loop = self._loop
        loop.call_soon(self._protocol.connection_made, self)
        loop.call_soon(self._start_reading)
        if waiter is not None:
            loop.call_soon(_set_result_unless_cancelled, waiter, None)

    def __repr__(self):
        info = [self.__class__.__name__]
        if self._channel is None:
            info.append("closed")
        elif self._closing:
            info.append("closing")
        info.append(f"id={self._id}")
        if self._channel is not None and not self._closing:
            info.append(f"write=<bufsize={self._pending}>")
        return "<{}>".format(" ".join(info))

    def __del__(self, _warn=warnings.warn):
        if self._channel is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            self._channel.close()

    def set_protocol(self, protocol):
        self._protocol = protocol
        self._protocol_connected = True

    def get_protocol(self):
        return self._protocol

    def is_closing(self):
        return self._closing

    def get_write_buffer_size(self):
        return self._pending

    def _start_reading(self):
        if not self._closing and self._channel is not None:
            self._channel.setReading(True)

    def close(self):
        if self._closing:
            return
        self._closing = True
        self._channel.setReading(False)
        if not self._pending:
            self._conn_lost += 1
            self._loop.call_soon(self._call_connection_lost, None)

    def abort(self):
        self._force_close(None)

    def _fatal_error(self, exc, message="Fatal error on transport"):
        report_fatal_error(self, exc, message)
        self._force_close(exc)

    def _force_close(self, exc):
        if self._conn_lost:
            return
        if self._pending:
            self._channel.discard()
            self._pending = 0
        if not self._closing:
            self._closing = True
            self._channel.setReading(False)
        self._conn_lost += 1
        self._loop.call_soon(self._call_connection_lost, exc)

    def _call_connection_lost(self, exc):
        if self._channel is None:
            return
        try:
            if self._protocol_connected:
                self._protocol.connection_lost(exc)
        finally:
            self._channel.close()
            self._loop._unregister_channel(self._id)
            self._channel = None
            self._protocol = None
            self._loop = None
            server = self._server
            if server is not None:
                server._detach_transport(self)
                self._server = None


def _set_result_unless_cancelled(fut, result):
    if not fut.cancelled():
        fut.set_result(result)
