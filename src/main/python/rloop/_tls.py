"""TLS for the loop's stream transports: asyncio's own ``SSLProtocol`` over a channel transport.

The app gets asyncio's TLS transport (``sslproto._SSLProtocolTransport``), so TLS semantics are
the stdlib's by construction: the handshake and its timeout, close_notify and the shutdown
timeout, flow control in both directions, ``write_eof`` refused, ``get_extra_info`` of
``ssl_object``, ``peercert``, ``cipher``, ``compression`` and ``sslcontext``, and the errors and
exception-handler messages. Below it is a plain ``StreamTransport`` whose protocol is the
``SSLProtocol`` (a ``BufferedProtocol``: the channel reads ciphertext straight into its buffer).
The records are encrypted and decrypted by the ``ssl`` module, which on GraalPy is Java's
``SSLEngine`` behind ``SSLObject``/``MemoryBIO``, so a Python ``SSLContext`` is honoured as it
is (certificates, CA store, verify mode, ciphers, ALPN, SNI callback). docs/ARCHITECTURE.md says
why this route and has the numbers.
"""

from asyncio import sslproto

from ._stream import StreamTransport


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
    ssl_protocol = sslproto.SSLProtocol(
        loop, app_protocol, None if isinstance(ssl, bool) else ssl, waiter, server_side,
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
