"""TLS transports whose records are encrypted and decrypted in Java (``dev.rloop.tls``).

``TlsTransport`` is a stream transport over a ``TlsChannel``: the channel's reads hand back
plaintext and its writes take plaintext, so a round trip costs Python one read and one write,
as plain TCP does. On top of the stream transport it keeps asyncio's TLS transport contract:
the handshake (with its timeout) before ``connection_made``, ``write_eof`` refused, close_notify
on ``close()`` and the wait for the peer's (with the shutdown timeout), ``eof_received`` when
the peer closes, the TLS water marks, ``get_extra_info`` of ``ssl_object``, ``peercert``,
``cipher``, ``compression`` and ``sslcontext``, and the errors as the ssl module raises them.
"""

import base64
import os
import ssl
import tempfile

from asyncio import constants, sslproto
from asyncio.log import logger

from ._sockets import channel_error
from ._stream import StreamTransport

_ERROR = -2
_EOF = -1
_HANDSHAKE_DONE = -3


class TlsTransport(StreamTransport):
    """A TLS connection on a loop-owned channel; the app's transport."""

    def __init__(self, loop, channel, sock, protocol, sslcontext, waiter, *,
                 handshake_timeout=None, shutdown_timeout=None, server=None):
        self._sslcontext = sslcontext
        self._handshake_waiter = waiter
        self._handshake_timeout = (constants.SSL_HANDSHAKE_TIMEOUT if handshake_timeout is None
                                   else handshake_timeout)
        self._shutdown_timeout = (constants.SSL_SHUTDOWN_TIMEOUT if shutdown_timeout is None
                                  else shutdown_timeout)
        self._handshaking = True
        self._handshake_started = None
        self._timer = None        # the handshake's, then the shutdown's timeout
        self._peer_closed = False  # close_notify or end of stream from the peer
        self._session = None
        super().__init__(loop, channel, sock, protocol, None, server)
        self._extra["sslcontext"] = sslcontext

    def set_protocol(self, protocol):
        super().set_protocol(protocol)
        # the protocol hears nothing (no connection_lost either) before the handshake is done
        self._protocol_connected = not self._handshaking

    def _set_write_buffer_limits(self, high=None, low=None):
        high, low = sslproto.add_flowcontrol_defaults(
            high, low, constants.FLOW_CONTROL_HIGH_WATER_SSL_WRITE)
        self._high_water = high
        self._low_water = low

    def get_extra_info(self, name, default=None):
        session = self._session
        if session is not None:
            if name == "peercert":
                return session.getpeercert()
            if name == "cipher":
                return session.cipher()
        return super().get_extra_info(name, default)

    # ---- the handshake ------------------------------------------------------------------------

    def _connect(self, waiter):
        loop = self._loop
        if loop.get_debug():
            logger.debug("%r starts SSL handshake", self)
            self._handshake_started = loop.time()
        self._timer = loop.call_later(self._handshake_timeout, self._handshake_timed_out)
        loop.call_soon(self._begin)

    def _begin(self):
        if self._conn_lost:
            return
        if self._channel.begin() == _ERROR:
            self._handshake_failed(self._error())
            return
        self._channel.setReading(True)

    def _handshake_timed_out(self):
        if self._handshaking and not self._conn_lost:
            self._timer = None
            self._fatal_error(ConnectionAbortedError(
                f"SSL handshake is taking longer than {self._handshake_timeout} seconds: "
                f"aborting the connection"))

    def _handshake_complete(self):
        self._handshaking = False
        self._cancel_timer()
        loop = self._loop
        if self._handshake_started is not None:
            logger.debug("%r: SSL handshake took %.1f ms", self,
                         (loop.time() - self._handshake_started) * 1e3)
        self._session = TlsSession(self._channel, self._sslcontext)
        self._extra.update(ssl_object=self._session, compression=None)
        self._protocol_connected = True
        try:
            self._protocol.connection_made(self)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Error on SSL protocol: connection_made() failed")
            return
        waiter = self._handshake_waiter
        self._handshake_waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _handshake_failed(self, exc):
        self._cancel_timer()
        if isinstance(exc, ssl.CertificateError):
            message = "SSL handshake failed on verifying the certificate"
        else:
            message = "SSL handshake failed"
        self._fatal_error(exc, message)

    # ---- reading ------------------------------------------------------------------------------

    def _read_ready(self):
        channel = self._channel
        while not self._conn_lost:
            if self._handshaking or self._closing:
                # nothing for the app: handshake messages, or data after it closed (dropped)
                buf = self._loop._read_buffer
                n = channel.read(buf.java, buf.SIZE)
            elif self._buffered:
                n = self._read_into_protocol_buffer()
            else:
                n = self._read_and_deliver()
            if n > 0:
                if self._paused or self._conn_lost or not channel.buffered():
                    return
            elif n == _HANDSHAKE_DONE:
                self._handshake_complete()
            elif n == 0:
                return
            else:
                self._read_failed(n)
                return

    def _read_failed(self, n):
        if n == _EOF:
            self._peer_closed = True
            if self._closing:
                self._maybe_finish_shutdown()
            else:
                self._peer_finished()
            return
        exc = self._error()
        if self._handshaking:
            self._handshake_failed(exc)
        elif isinstance(exc, ssl.SSLError):
            self._fatal_error(exc, "Fatal error on SSL protocol")
        else:
            self._fatal_error(exc, "Fatal read error on socket transport")

    def _peer_finished(self):
        """The peer sent close_notify (or closed the socket): tell the app, then close."""
        if self._loop.get_debug():
            logger.debug("%r received EOF", self)
        self._channel.setReading(False)
        try:
            if self._protocol.eof_received():
                logger.warning("returning true from eof_received() has no effect when using ssl")
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Error calling eof_received()")
            return
        self.close()

    def resume_reading(self):
        was_paused = self._paused
        super().resume_reading()
        if was_paused and not self._paused and self._channel.buffered():
            # plaintext decrypted before the pause is in Java, and no read event will announce it
            self._loop.call_soon(self._read_ready)

    # ---- writing and closing ------------------------------------------------------------------

    def write(self, data):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data: expecting a bytes-like instance, got {type(data).__name__}")
        if self._closing and not self._conn_lost:
            # after close() (close_notify on its way) the stdlib's TLS transport drops writes
            if data:
                self._conn_lost_writes()
            return
        super().write(data)

    def _conn_lost_writes(self):
        if self._conn_lost >= constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES:
            logger.warning("SSL connection is closed")
        self._conn_lost += 1

    def write_eof(self):
        raise NotImplementedError("TLS has no half-close: close() sends close_notify")

    def can_write_eof(self):
        return False

    def close(self):
        if self._closing:
            return
        if self._handshaking:
            self._force_close(None)
            return
        self._closing = True
        self._timer = self._loop.call_later(self._shutdown_timeout, self._shutdown_timed_out)
        pending = self._channel.closeNotify()
        if pending == _ERROR:
            self._fatal_error(self._error(), "Fatal error on SSL protocol")
            return
        self._pending = pending
        # read on (whatever the app paused) until the peer's close_notify or end of stream
        if not self._peer_closed:
            self._channel.setReading(True)
        self._maybe_finish_shutdown()

    def _drained(self):
        if self._closing:
            self._maybe_finish_shutdown()

    def _maybe_finish_shutdown(self):
        if self._pending or not self._peer_closed or self._conn_lost:
            return
        self._cancel_timer()
        self._conn_lost += 1
        self._loop.call_soon(self._call_connection_lost, None)

    def _shutdown_timed_out(self):
        self._timer = None
        if not self._conn_lost:
            self._force_close(TimeoutError("SSL shutdown timed out"))

    def _call_connection_lost(self, exc):
        self._cancel_timer()
        waiter = self._handshake_waiter
        self._handshake_waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc if exc is not None else
                                 ConnectionResetError("the connection closed during the TLS "
                                                      "handshake"))
        super()._call_connection_lost(exc)

    def _cancel_timer(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ---- errors -------------------------------------------------------------------------------

    def _error(self):
        """The exception for the channel's last failure, as the ssl module would raise it."""
        channel = self._channel
        kind = channel.errorKind()
        if kind == "os" or kind is None:
            return channel_error(channel)
        if kind == "eof":
            return ConnectionResetError(channel.errorMessage())
        reason = channel.errorReason()
        if kind == "verify":
            message = channel.errorMessage()
            exc = ssl.SSLCertVerificationError(
                1, f"[SSL: {reason}] certificate verify failed: {message} (_ssl.c:1006)")
            exc.verify_code = channel.verifyCode()
            exc.verify_message = message
        else:
            exc = ssl.SSLError(1, f"[SSL: {reason}] {channel.errorMessage()} (_ssl.c:1006)")
        exc.library = "SSL"
        exc.reason = reason
        return exc


class TlsSession:
    """``get_extra_info('ssl_object')`` of a Java-run TLS connection: the read-only part of
    ``ssl.SSLObject``'s API, from the session Java negotiated."""

    def __init__(self, channel, context):
        self.context = context
        self.server_side = channel.serverSide()
        self.server_hostname = channel.serverHostname()
        self._version = channel.protocol()
        self._suite = channel.cipherSuite()
        self._alpn = channel.applicationProtocol()
        der = channel.peerCertificate()
        self._peer_der = base64.b64decode(der) if der is not None else None
        self._peer_dict = None

    def __repr__(self):
        return f"<rloop TlsSession {self._version} {self._suite}>"

    def version(self):
        return self._version

    def cipher(self):
        bits = 256 if ("_256" in self._suite or "CHACHA20" in self._suite) else \
            128 if "_128" in self._suite else None
        return (self._suite, self._version, bits)

    def shared_ciphers(self):
        return None

    def compression(self):
        return None

    def selected_alpn_protocol(self):
        return self._alpn

    def selected_npn_protocol(self):
        return None

    def pending(self):
        return 0

    def get_channel_binding(self, cb_type="tls-unique"):
        if cb_type not in ssl.CHANNEL_BINDING_TYPES:
            raise ValueError(f"{cb_type} channel binding type not implemented")
        return None  # Java's SSLEngine does not expose the Finished message

    def getpeercert(self, binary_form=False):
        if self._peer_der is None:
            return None
        if binary_form:
            return self._peer_der
        if self.context.verify_mode == ssl.CERT_NONE:
            return {}  # as the ssl module: an unverified certificate is not decoded
        if self._peer_dict is None:
            self._peer_dict = _decode_certificate(self._peer_der)
        return self._peer_dict


def _decode_certificate(der):
    """The ssl module's dict form of a DER certificate, made by the ssl module itself."""
    fd, path = tempfile.mkstemp(suffix=".pem", prefix="rloop-peer-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(ssl.DER_cert_to_PEM_cert(der))
        return ssl._ssl._test_decode_cert(path)
    finally:
        os.unlink(path)
