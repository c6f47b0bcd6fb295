"""Datagram transports (UDP) over a loop-owned Java ``DatagramPort``.

As in the stdlib, errors sending or receiving a datagram go to the protocol's
``error_received`` and leave the transport open; datagrams the socket cannot take at once wait
in the port's queue, with flow control at the water marks.
"""

import errno
import os
import socket

from asyncio import constants, transports
from asyncio.log import logger

from . import _addresses, _buffers
from ._sockets import channel_error
from ._transport import ChannelTransport

_ERROR = -2
_LENGTH_MASK = (1 << 20) - 1  # receive() returns sender id << 20 | length
_CACHE_SIZE = 1024  # addresses remembered per transport, each way
_LOG_AFTER = constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES


class DatagramTransport(ChannelTransport, transports.DatagramTransport):
    """A UDP socket's transport; `address` is the fixed peer (remote_addr) or None."""

    max_size = 256 * 1024

    def __init__(self, loop, port, socket_, protocol, address=None, waiter=None):
        self._address = address
        self._sources = {}  # the port's sender id -> address tuple
        self._targets = {}  # sendto address -> numeric (host, port)
        # the calls made per datagram, read off the Java port once (_buffers.ChannelWriter)
        self._receive = port.receive
        self._send = port.send
        self._send_buffer = port.sendBuffer
        super().__init__(loop, port, socket_, protocol, waiter,
                         extra={"peername": address} if address else None)

    def _read_ready(self):
        if self._closing:  # closed (or lost) in the batch that had this readiness
            return
        buf = self._loop._read_buffer
        result = self._receive(buf.java, self.max_size)
        if result < 0:
            if result == _ERROR:
                self._protocol.error_received(channel_error(self._channel))
            return
        data = buf.take(result & _LENGTH_MASK)
        addr = self._sources.get(result >> 20)
        if addr is None:
            addr = self._new_source(result >> 20)
        self._protocol.datagram_received(data, addr)

    def _new_source(self, source_id):
        """The address tuple of a sender the port has given a new id."""
        addr = (self._channel.sourceHost(), self._channel.sourcePort())
        if self._sock.family == socket.AF_INET6:
            addr += (0, 0)
        if len(self._sources) >= _CACHE_SIZE:
            self._sources.clear()
        self._sources[source_id] = addr
        return addr

    def sendto(self, data, addr=None):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, "
                            f"not {type(data).__name__!r}")
        if not data:
            return
        if self._address:
            if addr not in (None, self._address):
                raise ValueError(f"Invalid address: must be None or {self._address}")
            addr = None
        if self._conn_lost and self._address:
            if self._conn_lost >= _LOG_AFTER:
                logger.warning("socket.send() raised exception.")
            self._conn_lost += 1
            return
        if addr is None and not self._address:
            raise OSError(errno.EDESTADDRREQ, os.strerror(errno.EDESTADDRREQ))
        host, port = None, 0
        if addr is not None:
            target = self._targets.get(addr)
            if target is None:
                target = _numeric_address(addr, self._sock.family)
                if len(self._targets) >= _CACHE_SIZE:
                    self._targets.clear()
                self._targets[addr] = target
            host, port = target
        pending = _buffers.send(self._send, self._send_buffer, data, host, port)
        if pending == _ERROR:
            self._protocol.error_received(channel_error(self._channel))
            return
        if pending:
            self._pending = pending
            self._maybe_pause_protocol()

    def _write_ready(self):
        if self._channel is None:
            return
        pending = self._channel.flush()
        if pending == _ERROR:
            self._pending = self._channel.pending()
            self._protocol.error_received(channel_error(self._channel))
            return
        self._pending = pending
        self._maybe_resume_protocol()
        if not pending and self._closing:
            self._call_connection_lost(None)


def _numeric_address(addr, family):
    """(host, port) with a numeric host, resolving a name on the spot as socket.sendto would;
    what the port passes to Java."""
    host, port = addr[0], addr[1]
    if _addresses.numeric_info(host, port, family, socket.SOCK_DGRAM, 0) is None:
        host = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM)[0][4][0]
    return host, int(port)
