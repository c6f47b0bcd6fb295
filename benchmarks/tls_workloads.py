"""TLS workloads for loop_bench.py: the stream echo, new connections, and the bulk transfer, over
TLS on 127.0.0.1.

They reuse the sessions of net_workloads.py with a TLS version of its PlainStreams, so a TLS
figure and its plain-TCP counterpart measure the same exchange. The certificates are made at
the first TLS workload of a run with the ``openssl`` command line (the benchmarks also run on
CPython, where rloop's Java helpers are not there): a throw-away CA and a server certificate for
localhost and 127.0.0.1 signed by it, in a temporary directory removed at exit. The client
verifies the chain and the name (server_hostname "localhost"), as a real client would. Without
``openssl`` (or a working ``subprocess``) the TLS workloads are reported as skipped.
RLOOP_BENCH_TLS_DIR names a directory with ca.pem, server.pem and server.key to use instead.
"""

import asyncio
import atexit
import os
import shutil
import subprocess
import tempfile

from bench_core import BenchError, WorkloadSkipped
from net_workloads import Bulk, MessageFormat, NetWorkload, Session, StreamEcho, StreamEchoServer

SERVER_NAME = "localhost"  # what the client checks the certificate against
# RSA 2048 is what most servers still use, and what the project's TLS tests use; the key type
# sets much of a handshake's cost.
KEY_ARGS = ["-newkey", "rsa:2048"]
OPENSSL_TIMEOUT = 60.0


# ---- certificates ---------------------------------------------------------------------------------

class CertificateMaker:
    """Writes ca.pem, server.pem and server.key into a directory with the openssl command line.
    Raises WorkloadSkipped when that cannot be done here."""

    # the server certificate's extensions: a leaf (not a CA) for TLS servers at both names the
    # benchmarks connect by
    SERVER_EXTENSIONS = ("basicConstraints = critical, CA:FALSE\n"
                         "keyUsage = critical, digitalSignature, keyEncipherment\n"
                         "extendedKeyUsage = serverAuth\n"
                         "subjectAltName = DNS:localhost, IP:127.0.0.1\n")
    CA_EXTENSIONS = ("basicConstraints = critical, CA:TRUE\n"
                     "keyUsage = critical, keyCertSign, cRLSign\n")

    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name)

    def make(self):
        openssl = shutil.which("openssl")
        if openssl is None:
            raise WorkloadSkipped("no openssl command on PATH to make the test certificates")
        self._write("ca.ext", self.CA_EXTENSIONS)
        self._write("server.ext", self.SERVER_EXTENSIONS)
        p = self.path
        # the CA: self-signed; x509 -req rather than req -x509 so that the extensions come from
        # a file, which every OpenSSL version since 1.0 accepts
        self._run(openssl, "req", "-new", *KEY_ARGS, "-nodes", "-keyout", p("ca.key"),
                  "-subj", "/CN=rloop benchmark CA", "-out", p("ca.csr"))
        self._run(openssl, "x509", "-req", "-in", p("ca.csr"), "-signkey", p("ca.key"),
                  "-days", "7", "-extfile", p("ca.ext"), "-out", p("ca.pem"))
        self._run(openssl, "req", "-new", *KEY_ARGS, "-nodes", "-keyout", p("server.key"),
                  "-subj", "/CN=" + SERVER_NAME, "-out", p("server.csr"))
        self._run(openssl, "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"),
                  "-CAkey", p("ca.key"), "-set_serial", "2", "-days", "7",
                  "-extfile", p("server.ext"), "-out", p("server.pem"))

    def _write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def _run(self, *command):
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=OPENSSL_TIMEOUT)
        except (OSError, NotImplementedError, subprocess.SubprocessError) as exc:
            # e.g. an embedded Python that cannot start processes: say so, do not crash
            raise WorkloadSkipped(f"could not run openssl to make the test certificates: "
                                  f"{exc!r} (or set RLOOP_BENCH_TLS_DIR)") from None
        if done.returncode != 0:
            err = done.stderr.decode(errors="replace").strip().splitlines()
            raise WorkloadSkipped(f"openssl {command[1]} failed (exit {done.returncode}): "
                                  f"{err[-1] if err else 'no message'}")


class TlsContexts:
    """The server's and the client's SSLContext, made once per process from the certificates
    (making a context reads and parses them, which is not what a round should measure)."""

    def __init__(self, directory):
        import ssl
        self.server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.load_cert_chain(os.path.join(directory, "server.pem"),
                                    os.path.join(directory, "server.key"))
        self.client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and hostname
        self.client.load_verify_locations(os.path.join(directory, "ca.pem"))


_contexts = None  # TlsContexts, or the WorkloadSkipped that says why there are none


def tls_contexts():
    """This process's TlsContexts; the certificates are made on the first call. Raises
    WorkloadSkipped (the same one on every call) when TLS cannot be set up."""
    global _contexts
    if _contexts is None:
        try:
            _contexts = TlsContexts(_certificate_dir())
        except WorkloadSkipped as exc:
            _contexts = exc
        except (ImportError, OSError, ValueError) as exc:  # no ssl module, unreadable files
            _contexts = WorkloadSkipped(f"cannot set up TLS: {exc!r}")
    if isinstance(_contexts, WorkloadSkipped):
        raise _contexts
    return _contexts


def _certificate_dir():
    given = os.environ.get("RLOOP_BENCH_TLS_DIR")
    if given:
        return given
    directory = tempfile.mkdtemp(prefix="rloop-bench-tls-")
    atexit.register(shutil.rmtree, directory, True)
    CertificateMaker(directory).make()
    return directory


class TlsStreams:
    """net_workloads.PlainStreams over TLS: the server with the server context, the clients
    verifying it as SERVER_NAME."""

    def __init__(self, contexts):
        self.contexts = contexts

    async def start_server(self, handler):
        return await asyncio.start_server(handler, "127.0.0.1", 0, ssl=self.contexts.server)

    async def open_connection(self, host, port):
        return await asyncio.open_connection(host, port, ssl=self.contexts.client,
                                             server_hostname=SERVER_NAME)

    def end_of_data(self, writer):
        # a TLS transport refuses write_eof(); closing sends close_notify after the data still
        # buffered, which the peer's read() sees as EOF
        writer.close()


class TlsWorkload(NetWorkload):
    """A network workload over TLS; listed first among a workload's bases, so that the plain
    workload's own set-up (messages, chunks) still runs. No certificates: skipped."""

    def __init__(self, n):
        super().__init__(n)
        self.streams = TlsStreams(tls_contexts())


# ---- the workloads ---------------------------------------------------------------------------------

class TlsEcho(TlsWorkload, StreamEcho):
    # As stream_echo, over TLS. Per round, untimed: start_server and open_connection with the
    # handshake, and closing both at the end. Timed: the n round trips of 100 bytes.
    name = "tls_echo"
    title = "TLS stream echo, 1 conn, 100 B"
    n_full = 2_000
    n_quick = 200


class TlsHandshakeSession(Session):
    def __init__(self, workload, loop):
        super().__init__(workload, loop)
        self.messages = workload.messages
        self.streams = workload.streams
        self.server = StreamEchoServer(loop, self.messages.size, self.n, self.streams)
        self.writer = None  # the connection in progress, for close() after a failure

    async def open(self):
        await self.server.start()

    async def exchange(self):
        host, port = self.server.address
        size = self.messages.size
        for conn in range(self.n):
            reader, self.writer = await self.streams.open_connection(host, port)
            msg = self.messages.make(conn, 0)
            self.writer.write(msg)
            await self.writer.drain()
            echo = await reader.readexactly(size)
            if echo != msg:
                raise BenchError(self.messages.mismatch(msg, echo))
            self.writer.close()
            await self.writer.wait_closed()  # close_notify sent and the connection closed
            self.writer = None
        if len(self.server.handlers) != self.n:
            raise BenchError(f"the server accepted {len(self.server.handlers)} connections, "
                             f"expected {self.n}")

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        await self.server.close()  # waits for the server side of every connection to end
        if self.server.errors:
            raise self.server.errors[0]

    def server_error(self):
        return self.server.errors[0] if self.server.errors else None


class TlsHandshakes(TlsWorkload):
    # Per round, untimed: the TLS server, and at the end waiting for its side of every
    # connection to end and closing it. Timed: n times one new connection after another:
    # connect, full handshake (no session resumption), a 100-byte echo, close (close_notify)
    # until the client's connection is closed.
    name = "tls_handshake"
    title = "TLS new connections (handshake, 1 echo, close)"
    unit = "connections/s"
    n_full = 200
    n_quick = 20
    session_class = TlsHandshakeSession

    def __init__(self, n):
        super().__init__(n)
        self.messages = MessageFormat(100)


class TlsBulk(TlsWorkload, Bulk):
    # As bulk, over TLS: n bytes one way in 256 KiB writes with drain() after each, then
    # close() (close_notify) in place of write_eof(); timed until the server has read to EOF
    # and checked the count and the sampled bytes.
    name = "tls_bulk"
    title = "TLS bulk one-way, 256 KiB writes"
    n_full = 64 * 1024 * 1024
    n_quick = 8 * 1024 * 1024


TLS_WORKLOADS = [TlsEcho, TlsHandshakes, TlsBulk]
