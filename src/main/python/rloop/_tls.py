"""TLS for the loop's stream transports: in Java when the context allows, else asyncio's own
``SSLProtocol`` over a channel transport.

The fast route (``rloop._tls_transport``): Java's ``SSLEngine`` runs inside the channel
(``dev.rloop.tls.TlsChannel``), configured from what the program loaded into its ``SSLContext``
(``rloop._tls_settings``); Python sees plaintext. The fallback, for contexts holding settings
the Java engine would not honour as the ssl module does, and for ``start_tls``: the app gets
asyncio's TLS transport (``sslproto._SSLProtocolTransport``) over a plain ``StreamTransport``
whose protocol is the ``SSLProtocol`` (a ``BufferedProtocol``: the channel reads ciphertext
straight into its buffer), and GraalPy's ``ssl`` module (Java's ``SSLEngine`` behind
``SSLObject``/``MemoryBIO``) encrypts and decrypts. Both give the stdlib's semantics;
docs/ARCHITECTURE.md has the numbers that chose the split.
"""

import ssl as _ssl
from asyncio import sslproto

from . import _tls_settings
from ._stream import StreamTransport
from ._tls_transport import TlsTransport


def check_client_args(ssl, host, server_hostname, handshake_timeout, shutdown_timeout):
    """create_connection's checks of its TLS arguments, with the stdlib's messages; returns the
    server_hostname to use (the host, unless one was given)."""
    if server_hostname is not None and not ssl:
        raise ValueError("server_hostname is only meaningful with ssl")
    if server_hostname is None and ssl:
        if not host:
            raise ValueError("You must set server_hostname when using ssl without a host")
        server_hostname = host
    check_timeouts(ssl, handshake_timeout, shutdown_timeout)
    return server_hostname


def check_server_args(ssl, handshake_timeout, shutdown_timeout):
    """create_server's checks: an SSLContext or None, and timeouts only with it."""
    if isinstance(ssl, bool):
        raise TypeError("ssl argument must be an SSLContext or None")
    check_timeouts(ssl, handshake_timeout, shutdown_timeout)


def check_timeouts(ssl, handshake_timeout, shutdown_timeout):
    if handshake_timeout is not None and not ssl:
        raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
    if shutdown_timeout is not None and not ssl:
        raise ValueError("ssl_shutdown_timeout is only meaningful with ssl")


def open_tls_transport(loop, channel, sock, app_protocol, ssl, waiter, *, server_side,
                       server_hostname=None, handshake_timeout=None, shutdown_timeout=None,
                       server=None):
    """Starts TLS on a connected channel: returns the app's transport; `waiter` completes when
    the handshake has (or fails with its error). ``ssl=True`` means a default client context."""
    context = _default_context(server_hostname) if isinstance(ssl, bool) else ssl
    config = _tls_settings.java_config(context)
    if config is not None:
        tls = config.open(channel, server_side, server_hostname)
        return TlsTransport(loop, tls, sock, app_protocol, context, waiter,
                            handshake_timeout=handshake_timeout,
                            shutdown_timeout=shutdown_timeout, server=server)
    ssl_protocol = sslproto.SSLProtocol(
        loop, app_protocol, context, waiter, server_side,
        server_hostname, ssl_handshake_timeout=handshake_timeout,
        ssl_shutdown_timeout=shutdown_timeout)
    StreamTransport(loop, channel, sock, ssl_protocol, server=server)
    return ssl_protocol._app_transport


def serve_tls(loop, channel, sock, app_protocol, listener):
    """An accepted connection of a TLS server: the handshake runs without anyone awaiting it, so
    a failure closes the connection (and is reported in debug mode), as the stdlib's accept
    path does."""
    waiter = loop.create_future()
    transport = open_tls_transport(
        loop, channel, sock, app_protocol, listener.ssl, waiter, server_side=True,
        handshake_timeout=listener.ssl_handshake_timeout,
        shutdown_timeout=listener.ssl_shutdown_timeout, server=listener.server)

    def handshake_done(fut):
        if fut.cancelled():
            transport.close()
            return
        exc = fut.exception()
        if exc is None:
            return
        transport.close()
        if loop.get_debug():
            loop.call_exception_handler({
                "message": "Error on transport creation for incoming connection",
                "exception": exc,
                "protocol": app_protocol,
                "transport": transport,
            })

    waiter.add_done_callback(handshake_done)


_default_contexts = {}


def _default_context(server_hostname):
    """``ssl=True``: the ssl module's default client context (host names checked when there is
    one to check), made once per loop process, since making one loads the system's CA store."""
    check = bool(server_hostname)
    ctx = _default_contexts.get(check)
    if ctx is None:
        ctx = _ssl.create_default_context()
        ctx.check_hostname = check
        _default_contexts[check] = ctx
    return ctx
