"""Certificates and contexts for the TLS tests, made fresh for each test run.

The certificates come from ``dev.rloop.TestCertificates`` (Java, BouncyCastle), called through
GraalPy's Java interop: a test CA, ``server`` (localhost, 127.0.0.1, ::1), ``other``
(other.test, for SNI), ``client``, ``expired`` and ``selfsigned``; or, where
RLOOP_TEST_CERTS names a folder, the ones it holds (written by the same class beforehand).
"""

import atexit
import os
import shutil
import ssl
import tempfile
import unittest

_dir = None


def cert_dir():
    global _dir
    if _dir is None and os.environ.get("RLOOP_TEST_CERTS"):
        # made beforehand by the Java side (LauncherIT), for the suite run through the launcher,
        # where the test classes are not on the class path
        _dir = os.environ["RLOOP_TEST_CERTS"]
    if _dir is None:
        import java
        try:
            maker = java.type("dev.rloop.TestCertificates")
        except KeyError:
            raise unittest.SkipTest("no test certificates: the Java test classes are not on the class path "
                                    "(run through the launcher, set RLOOP_TEST_CERTS to a folder that "
                                    "dev.rloop.TestCertificates.write made)") from None
        path = tempfile.mkdtemp(prefix="rloop-tls-")
        atexit.register(shutil.rmtree, path, True)
        maker.write(path)
        _dir = path
    return _dir


def path(name):
    return os.path.join(cert_dir(), name)


def server_context(name="server", versions=None, client_ca=False, alpn=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(path(name + ".pem"), path(name + ".key"))
    if versions:
        ctx.minimum_version, ctx.maximum_version = versions
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(path("ca.pem"))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def client_context(versions=None, client_cert=False, alpn=None, trust="ca"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(path(trust + ".pem"))
    if versions:
        ctx.minimum_version, ctx.maximum_version = versions
    if client_cert:
        ctx.load_cert_chain(path("client.pem"), path("client.key"))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx
