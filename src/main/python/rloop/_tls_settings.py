"""What a program loaded into its ``ssl.SSLContext``, kept so Java can run the same TLS.

A Python ``SSLContext`` cannot be read back (the ssl module has no getter for the certificate
chain and key it loaded), so rloop records what goes in: importing rloop wraps the context's
loading methods, and each context made afterwards carries a ``_Settings`` holding the PEM text of
its chains and CAs, whether it loaded the system's CAs, and its ALPN list. ``java_config`` turns
those, with the context's verify mode, host-name check and protocol range, into a Java
``dev.rloop.tls.TlsConfig`` for the channel-level TLS engine, cached per context and settings.

A context holding anything the Java engine would not honour as the ssl module does (a cipher
string, a password-protected key, a CA directory, CRL checks, DH or ECDH parameters, a key log,
an SNI callback) gets ``None``, and the loop runs TLS through asyncio's own ``SSLProtocol``
over GraalPy's ssl module instead: slower, the same for the program.
"""

import base64
import os
import ssl

import java

_ATTR = "_rloop_tls_settings"
_TlsConfig = java.type("dev.rloop.tls.TlsConfig")
_VERSION_NAMES = {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}
_CRL_FLAGS = ssl.VERIFY_CRL_CHECK_LEAF | ssl.VERIFY_CRL_CHECK_CHAIN


class _Settings:
    """What one context loaded, in the order it was loaded."""

    __slots__ = ("chains", "cas", "system_cas", "alpn", "refused", "generation", "cached")

    def __init__(self):
        self.chains = []         # (cert PEM, key PEM or None)
        self.cas = []            # (text, is_der_base64)
        self.system_cas = False  # load_default_certs / set_default_verify_paths
        self.alpn = ""
        self.refused = None      # why the Java engine cannot serve this context
        self.generation = 0
        self.cached = None       # (key, TlsConfig or reason)

    def changed(self):
        self.generation += 1


def settings(ctx):
    return ctx.__dict__.get(_ATTR)


def _read(path):
    with open(path, "r", encoding="ascii", errors="replace") as f:
        return f.read()


def _record_chain(s, certfile, keyfile=None, password=None):
    if password is not None:
        s.refused = "a password-protected private key"
    else:
        s.chains.append((_read(certfile), _read(keyfile) if keyfile is not None else None))


def _record_cas(s, cafile=None, capath=None, cadata=None):
    if cafile is not None:
        s.cas.append((_read(os.fspath(cafile)), False))
    if capath is not None:
        s.refused = "a CA directory (capath)"
    if isinstance(cadata, str):
        s.cas.append((cadata, False))
    elif cadata is not None:
        s.cas.append((base64.b64encode(bytes(cadata)).decode("ascii"), True))


def _record_system_cas(s):
    s.system_cas = True  # load_default_certs calls this


def _record_alpn(s, alpn_protocols):
    s.alpn = ",".join(alpn_protocols)


def _refuse(why):
    def record(s, *args, **kwargs):
        s.refused = why
    return record


def _install():
    cls = ssl.SSLContext
    if getattr(cls, "_rloop_recording", False):
        return
    make = cls.__new__

    def __new__(klass, *args, **kwargs):
        self = make(klass, *args, **kwargs)
        self.__dict__[_ATTR] = _Settings()
        return self

    def record_after(name, record):
        """Wraps method `name`: the ssl module's own runs first (its errors and effects stay
        its own), then `record` notes what it loaded in the context's _Settings."""
        original = getattr(cls, name, None)
        if original is None:
            return  # GraalPy's ssl module lacks it: nothing to record

        def wrapper(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            s = settings(self)
            if s is not None:
                record(s, *args, **kwargs)
                s.changed()
            return result
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        setattr(cls, name, wrapper)

    record_after("load_cert_chain", _record_chain)
    record_after("load_verify_locations", _record_cas)
    record_after("set_default_verify_paths", _record_system_cas)
    record_after("set_alpn_protocols", _record_alpn)
    record_after("set_ciphers", _refuse("a cipher list (OpenSSL's names)"))
    record_after("load_dh_params", _refuse("DH parameters"))
    record_after("set_ecdh_curve", _refuse("an ECDH curve"))
    cls.__new__ = staticmethod(__new__)
    cls._rloop_recording = True


def java_config(ctx):
    """The Java TLS configuration for `ctx`, or None when the context must stay on asyncio's TLS
    layer (see the module's docstring)."""
    s = settings(ctx)
    if s is None or s.refused is not None:
        return None
    if (_setting(ctx, "sni_callback") or _setting(ctx, "verify_flags", 0) & _CRL_FLAGS
            or _setting(ctx, "keylog_filename") or _setting(ctx, "post_handshake_auth")):
        return None
    if ctx.protocol not in (ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER):
        return None
    key = (s.generation, ctx.verify_mode, ctx.check_hostname, ctx.minimum_version,
           ctx.maximum_version, ctx.options)
    cached = s.cached
    if cached is not None and cached[0] == key:
        return cached[1]
    config = _build(ctx, s)
    s.cached = (key, config)
    return config


def _setting(ctx, name, default=None):
    """A context attribute, or `default` where GraalPy's ssl module does not have it (reading
    sni_callback raises NotImplementedError there: no program can have set one)."""
    try:
        return getattr(ctx, name, default)
    except NotImplementedError:
        return default


def _protocols(ctx):
    names = []
    low, high = ctx.minimum_version, ctx.maximum_version
    for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
        if low != ssl.TLSVersion.MINIMUM_SUPPORTED and low > version:
            continue
        if high != ssl.TLSVersion.MAXIMUM_SUPPORTED and high < version:
            continue
        if ctx.options & (ssl.OP_NO_TLSv1_3 if version is ssl.TLSVersion.TLSv1_3
                          else ssl.OP_NO_TLSv1_2):
            continue
        names.append(_VERSION_NAMES[version])
    return ",".join(names)


def _build(ctx, s):
    config = _TlsConfig.create(_protocols(ctx), int(ctx.verify_mode), bool(ctx.check_hostname),
                               s.alpn, s.system_cas)
    for cert, key in s.chains:
        if config.addKeyPair(cert, key) is not None:
            return None
    for text, der in s.cas:
        if config.addTrusted(text, der) is not None:
            return None
    if config.build() is not None:
        return None
    return config


_install()
