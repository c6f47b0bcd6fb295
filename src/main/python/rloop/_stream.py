"""Stream transports (TCP and Unix) over a loop-owned Java ``StreamChannel``.

The channel does the socket work and keeps the write buffer; this class keeps asyncio's
transport contract: the protocol callbacks and their order, flow control at the water marks,
``pause_reading``, half-close, close after flushing, and ``BufferedProtocol``.
"""

from asyncio import constants, protocols, transports
from asyncio.log import logger

from . import _buffers
from ._sockets import channel_error
from ._transport import ChannelTransport, PausableReading

_ERROR = -2
_EOF = -1
_LOG_AFTER = constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES


class StreamTransport(PausableReading, ChannelTransport, transports.Transport):
    """A connected stream socket's transport."""

    # loop.start_tls() (the stdlib's) swaps in asyncio's SSLProtocol through set_protocol
    _start_tls_compatible = True
    # loop.sendfile() copies the file through write(): the JVM cannot hand a GraalPy file's
    # descriptor to the channel for a native sendfile
    _sendfile_compatible = constants._SendfileMode.FALLBACK

    def __init__(self, loop, channel, socket, protocol, waiter=None, server=None):
        self._paused = False
        self._eof = False  # write_eof() was called
        self._empty_waiter = None
        # the calls made per read and write, read off the Java channel once (_buffers.ChannelWriter)
        self._channel_read = channel.read
        self._writer = _buffers.ChannelWriter(channel)
        super().__init__(loop, channel, socket, protocol, waiter, server)

    def __repr__(self):
        r = super().__repr__()
        if self._channel is not None and not self._closing:
            r = r[:-1] + " read=" + ("paused" if self._paused else "polling") + ">"
        return r

    def set_protocol(self, protocol):
        self._buffered = isinstance(protocol, protocols.BufferedProtocol)
        super().set_protocol(protocol)

    # ---- reading ----------------------------------------------------------------------------

    def _start_reading(self):
        if not self._paused:
            super()._start_reading()

    def is_reading(self):
        return not self.is_closing() and not self._paused

    def _read_ready(self):
        # a readiness the last wait queued before a callback in the same batch paused reading
        # or closed the transport must not deliver data: the stdlib's remove_reader cancels it
        # (a lost connection has _closing set too)
        if self._closing or self._paused:
            return
        n = self._read_into_protocol_buffer() if self._buffered else self._read_and_deliver()
        if n < 0:
            self._read_failed(n)

    def _read_and_deliver(self):
        """One read into the loop's buffer, handed to data_received: the channel's count."""
        buf = self._loop._read_buffer
        n = self._channel_read(buf.java, buf.SIZE)
        if n > 0:
            data = buf.take(n)
            try:
                self._protocol.data_received(data)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal error: protocol.data_received() call failed.")
        return n

    def _read_failed(self, n):
        """After a read that returned no data: end of stream or an error."""
        if n == _EOF:
            self._read_eof()
        elif n == _ERROR:
            self._fatal_error(channel_error(self._channel), "Fatal read error on socket transport")

    def _read_into_protocol_buffer(self):
        """One read into the protocol's buffer, then buffer_updated: the channel's count (0 when
        get_buffer failed)."""
        try:
            buf = self._protocol.get_buffer(-1)
            if not len(buf):
                raise RuntimeError("get_buffer() returned an empty buffer")
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.get_buffer() call failed.")
            return 0
        if type(buf) is bytearray:
            n = self._channel.read(_buffers.storage(buf), len(buf))
        elif (type(buf) is memoryview and type(buf.obj) is bytearray and buf.c_contiguous
              and buf.nbytes == len(buf.obj)):
            # a view of a whole bytearray (asyncio's SSLProtocol hands out one): read into the
            # bytearray's own Java array, no copy
            n = self._channel.read(_buffers.storage(buf.obj), buf.nbytes)
        else:
            # a memoryview (or other buffer) has no Java array of its own: read into the loop's
            # buffer, then copy
            view = memoryview(buf).cast("B")
            scratch = self._loop._read_buffer
            n = self._channel.read(scratch.java, min(len(view), scratch.SIZE))
            if n > 0:
                view[:n] = memoryview(scratch.bytes)[:n]
        if n > 0:
            try:
                self._protocol.buffer_updated(n)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal error: protocol.buffer_updated() call failed.")
        return n

    def _read_eof(self):
        if self._loop.get_debug():
            logger.debug("%r received EOF", self)
        try:
            keep_open = self._protocol.eof_received()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.eof_received() call failed.")
            return
        if keep_open:
            # the peer sends nothing more: stop watching for reads, keep writing
            self._channel.setReading(False)
        else:
            self.close()

    # ---- writing ----------------------------------------------------------------------------

    def write(self, data):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, "
                            f"not {type(data).__name__!r}")
        if self._eof:
            raise RuntimeError("Cannot call write() after write_eof()")
        if self._empty_waiter is not None:
            raise RuntimeError("unable to write; sendfile is in progress")
        if not data:
            return
        if self._conn_lost:
            if self._conn_lost >= _LOG_AFTER:
                logger.warning("socket.send() raised exception.")
            self._conn_lost += 1
            return
        pending = self._writer(data)
        if pending == _ERROR:
            self._fatal_error(channel_error(self._channel), "Fatal write error on socket transport")
            return
        if pending:
            self._pending = pending
            self._maybe_pause_protocol()

    def writelines(self, list_of_data):
        if self._eof:
            raise RuntimeError("Cannot call writelines() after write_eof()")
        if self._empty_waiter is not None:
            raise RuntimeError("unable to writelines; sendfile is in progress")
        data = b"".join(list_of_data)
        if data:
            self.write(data)

    def _write_ready(self):
        if self._conn_lost or self._channel is None:
            return
        pending = self._channel.flush()
        if pending == _ERROR:
            exc = channel_error(self._channel)
            self._channel.discard()
            self._pending = 0
            if self._empty_waiter is not None:
                self._empty_waiter.set_exception(exc)
            self._fatal_error(exc, "Fatal write error on socket transport")
            return
        self._pending = pending
        self._maybe_resume_protocol()
        if pending == 0:
            if self._empty_waiter is not None:
                self._empty_waiter.set_result(None)
            self._drained()

    def _drained(self):
        """Everything written has been sent."""
        if self._closing:
            self._call_connection_lost(None)

    def write_eof(self):
        if self._closing or self._eof:
            return
        self._eof = True
        if self._channel.shutdownOutput() == _ERROR:
            raise channel_error(self._channel)

    def can_write_eof(self):
        return True

    def _make_empty_waiter(self):
        if self._empty_waiter is not None:
            raise RuntimeError("Empty waiter is already set")
        self._empty_waiter = self._loop.create_future()
        if not self._pending:
            self._empty_waiter.set_result(None)
        return self._empty_waiter

    def _reset_empty_waiter(self):
        self._empty_waiter = None
