"""Pipe transports over rloop's Java pipes (``dev.rloop.process.ReadPipe``/``WritePipe``): a
child process's stdin, stdout and stderr, and the program's own standard streams.

A Java virtual thread does the blocking reads or writes of each pipe and posts a read or write
event for the pipe's id, which the loop dispatches as it dispatches a ready socket; so these
transports look like asyncio's Unix pipe transports to protocols (the callbacks, their order,
``pause_reading``, the write buffer's water marks, ``write_eof``) without a descriptor Python
could poll. Pipes made by Python code (``os.pipe()``) use asyncio's own transports instead
(``Loop.connect_read_pipe``).
"""

import os
import warnings

from asyncio import constants, futures, transports
from asyncio.log import logger

from . import _buffers, _tasks
from ._transport import PausableReading, report_fatal_error

_ERROR = -2          # dev.rloop.net.LoopChannel.ERROR
_EOF = -1            # ReadPipe.EOF
_READER_GONE = -3    # WritePipe.READER_GONE


def _pipe_error(pipe):
    errno = pipe.errno()
    return OSError(errno, os.strerror(errno))


class _PipeTransport:
    """What both directions share: the loop's channel table, closing, fatal errors."""

    def _init_pipe(self, loop, pipe, protocol, file, waiter):
        self._extra["pipe"] = file
        self._loop = loop
        self._channel = pipe     # the Java pipe; Loop.close() closes what is left in its table
        self._file = file
        self._id = pipe.id()
        self._protocol = protocol
        self._closing = False
        loop._register_channel(self._id, self)
        loop.call_soon(protocol.connection_made, self)
        self._started(loop)
        if waiter is not None:
            loop.call_soon(futures._set_result_unless_cancelled, waiter, None)

    def __repr__(self):
        info = [self.__class__.__name__, f"pipe={self._file!r}"]
        if self._channel is None:
            info.append("closed")
        elif self._closing:
            info.append("closing")
        return "<{}>".format(" ".join(info))

    def __del__(self, _warn=warnings.warn):
        if self._channel is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            self._channel.close()

    def is_closing(self):
        return self._closing

    def set_protocol(self, protocol):
        self._protocol = protocol

    def get_protocol(self):
        return self._protocol

    def _fatal_error(self, exc, message):
        report_fatal_error(self, exc, message)
        self._close(exc)

    def _call_connection_lost(self, exc):
        if self._loop is None:
            return  # already called (a close that raced with the end of the stream)
        try:
            self._protocol.connection_lost(exc)
        finally:
            channel = self._channel
            self._channel = None
            if channel is not None:
                channel.close()
            self._close_file()
            self._protocol = None
            self._loop = None

    def _close_file(self):
        # asyncio's pipe transports close the pipe object they were given; a child's pipes are
        # rloop's own (_process.JavaPipe), the program's standard streams GraalPy's files
        close = getattr(self._file, "close", None)
        if close is not None:
            try:
                close()
            except (OSError, ValueError):
                pass


class ReadPipeTransport(PausableReading, _PipeTransport, transports.ReadTransport):
    """Reads a Java ReadPipe: ``data_received`` per read, ``eof_received`` then
    ``connection_lost(None)`` at its end."""

    def __init__(self, loop, pipe, protocol, file, waiter=None, extra=None):
        super().__init__(extra)
        self._paused = False
        self._pipe_read = pipe.read  # read off the Java pipe once (_buffers.ChannelWriter)
        self._read_handle = _tasks.ReadinessHandle(self._read_ready, (), loop, None)
        self._write_handle = None
        self._init_pipe(loop, pipe, protocol, file, waiter)

    def _started(self, loop):
        # only start reading once connection_made() has been called
        loop.call_soon(self._start_reading)

    def _start_reading(self):
        if self.is_reading():
            self._channel.setReading(True)

    def is_reading(self):
        return not self._paused and not self._closing

    def _read_ready(self):
        if self._paused or self._closing or self._channel is None:
            return  # an event posted before pause_reading(): resume_reading() posts again
        buf = self._loop._read_buffer
        n = self._pipe_read(buf.java, buf.SIZE)
        if n > 0:
            try:
                self._protocol.data_received(buf.take(n))
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal error: protocol.data_received() call failed.")
        elif n == _EOF:
            if self._loop.get_debug():
                logger.info("%r was closed by peer", self)
            self._closing = True
            self._loop._unregister_channel(self._id)
            self._loop.call_soon(self._protocol.eof_received)
            self._loop.call_soon(self._call_connection_lost, None)
        elif n == _ERROR:
            self._fatal_error(_pipe_error(self._channel), "Fatal read error on pipe transport")

    def close(self):
        if not self._closing:
            self._close(None)

    def _close(self, exc):
        self._closing = True
        if self._loop is None:
            return
        self._loop._unregister_channel(self._id)
        self._channel.setReading(False)
        self._loop.call_soon(self._call_connection_lost, exc)


class WritePipeTransport(_PipeTransport, transports._FlowControlMixin, transports.WriteTransport):
    """Writes a Java WritePipe: ``write`` queues and returns, the pump writes; the protocol is
    paused above the high-water mark and resumed as the pump drains the queue."""

    def __init__(self, loop, pipe, protocol, file, waiter=None, extra=None):
        super().__init__(extra, loop)
        self._pending = 0
        self._conn_lost = 0
        self._writer = _buffers.ChannelWriter(pipe)
        self._read_handle = None
        self._write_handle = _tasks.ReadinessHandle(self._write_ready, (), loop, None)
        self._init_pipe(loop, pipe, protocol, file, waiter)

    def _started(self, loop):
        # the reader may be gone already (a child that exited before its pipes were connected)
        loop.call_soon(self._write_ready)

    def get_write_buffer_size(self):
        return self._pending

    def write(self, data):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, "
                            f"not {type(data).__name__!r}")
        if not data:
            return
        if self._conn_lost or self._closing:
            if self._conn_lost >= constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES:
                logger.warning("pipe closed by peer or os.write(pipe, data) raised exception.")
            self._conn_lost += 1
            return
        pending = self._writer(data)
        if pending == _ERROR:
            self._conn_lost += 1
            self._fatal_error(_pipe_error(self._channel), "Fatal write error on pipe transport")
            return
        self._pending = pending
        self._maybe_pause_protocol()

    def _write_ready(self):
        channel = self._channel
        if channel is None or self._conn_lost:
            return
        pending = channel.flush()
        if pending == _ERROR:
            self._pending = 0
            self._conn_lost += 1
            channel.discard()
            self._fatal_error(_pipe_error(channel), "Fatal write error on pipe transport")
            return
        if pending == _READER_GONE:
            # the reading end has closed (the child exited) with nothing left to write
            self._close()
            return
        self._pending = pending
        self._maybe_resume_protocol()
        if pending == 0 and self._closing:
            self._loop._unregister_channel(self._id)
            self._call_connection_lost(None)

    def can_write_eof(self):
        return True

    def write_eof(self):
        if self._closing:
            return
        self._closing = True
        if not self._pending:
            self._loop._unregister_channel(self._id)
            self._loop.call_soon(self._call_connection_lost, None)

    def close(self):
        if self._channel is not None and not self._closing:
            # write out what is queued, then close
            self.write_eof()

    def abort(self):
        self._close(None)

    def _close(self, exc=None):
        self._closing = True
        if self._loop is None:
            return
        if self._channel is not None:
            self._channel.discard()
        self._pending = 0
        self._conn_lost += 1
        self._loop._unregister_channel(self._id)
        self._loop.call_soon(self._call_connection_lost, exc)
