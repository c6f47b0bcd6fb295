package dev.rloop.tls;

import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import dev.rloop.net.LoopChannel;
import dev.rloop.net.PythonBuffers;
import dev.rloop.net.StreamChannel;

/**
 * TLS over a loop-owned {@link StreamChannel}: Java's {@link SSLEngine} encrypts and decrypts
 * the records inside the channel, so Python sees plain bytes and makes one call per read or
 * write, not one per record and handshake message.
 *
 * <p>It offers the calls a stream transport makes on its channel ({@link #read}, {@link #write},
 * {@link #flush}, {@link #setReading}, {@link #close}, ...) with the same return conventions, so
 * {@code rloop._tls_transport} is a stream transport with a handshake, close_notify and the
 * TLS extra info on top. Read events drive the handshake: each read answers what the engine
 * asks for (its delegated tasks run inline on the loop thread, as OpenSSL's work does in
 * asyncio's TLS layer) and reports {@link #HANDSHAKE_DONE} once, before any application data.
 * Failures leave a kind and a message ({@link #errorKind()}) from which Python makes the
 * {@code ssl} module's exception.
 */
public final class TlsChannel {
    /** read(): the handshake has just completed; call read again for data. */
    public static final int HANDSHAKE_DONE = -3;
    private static final int EOF = -1;
    private static final int ERROR = LoopChannel.ERROR;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final StreamChannel channel;
    private final SSLEngine engine;
    private final boolean serverSide;
    private final String serverHostname;
    private final int packetSize;
    private final int appSize;
    private ByteBuffer leftover;     // ciphertext kept between reads: a partial record (write mode)
    private ByteBuffer staged = EMPTY; // plaintext for a reader whose buffer was too small (read mode)
    private boolean handshakeDone;
    private boolean handshakeJustDone;
    private boolean inboundClosed;   // the peer's close_notify arrived
    private boolean peerEof;         // the socket reached end of stream
    private boolean eofReported;
    private TlsFailure failure;

    TlsChannel(StreamChannel channel, SSLEngine engine, boolean serverSide, String serverHostname) {
        this.channel = channel;
        this.engine = engine;
        this.serverSide = serverSide;
        this.serverHostname = serverHostname;
        SSLSession session = engine.getSession();
        this.packetSize = session.getPacketBufferSize();
        this.appSize = session.getApplicationBufferSize();
    }

    /**
     * The loop thread's buffers, shared by its TLS connections (a call uses them and is done with
     * them before it returns): a connection holds only the partial record a read left, so
     * thousands of idle connections cost little. One socket read takes up to 4 records (64 KiB
     * of plaintext: larger chunks measured slower in bulk transfers, as a StreamReader then
     * pauses and resumes reading on nearly every read) and one socket write up to 8.
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> OF_THREAD = new ThreadLocal<>();
        final ByteBuffer in;
        final ByteBuffer out;

        private Scratch(int packetSize) {
            in = ByteBuffer.allocate(4 * packetSize);
            out = ByteBuffer.allocate(8 * packetSize);
        }

        static Scratch of(int packetSize) {
            Scratch s = OF_THREAD.get();
            if (s == null || s.out.capacity() < 8 * packetSize) {
                s = new Scratch(packetSize);
                OF_THREAD.set(s);
            }
            return s;
        }
    }

    // ---- the channel's calls, as StreamChannel offers them ----------------------------------

    @HostAccess.Export
    public int id() {
        return channel.id();
    }

    @HostAccess.Export
    public int errno() {
        return channel.errno();
    }

    @HostAccess.Export
    public boolean isOpen() {
        return channel.isOpen();
    }

    @HostAccess.Export
    public void setReading(boolean on) {
        channel.setReading(on);
    }

    @HostAccess.Export
    public void discard() {
        channel.discard();
    }

    @HostAccess.Export
    public void close() {
        engine.closeOutbound();
        channel.close();
    }

    /** Sends what is queued after a writable event: the bytes still pending, or ERROR. */
    @HostAccess.Export
    public long flush() {
        return channel.flush();
    }

    /** Starts the handshake (a client sends its hello now): 0 or ERROR. */
    @HostAccess.Export
    public int begin() {
        try {
            engine.beginHandshake();
            return advance(engine.getHandshakeStatus()) ? 0 : ERROR;
        } catch (SSLException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Reads and decrypts what the socket has, at most {@code max} plaintext bytes into
     * {@code into} (a Python bytearray's storage): the byte count; 0 when nothing is readable
     * yet (handshake messages, a partial record); {@link #HANDSHAKE_DONE}; -1 once the peer sent
     * close_notify or closed the socket after the handshake; or ERROR.
     */
    @HostAccess.Export
    public int read(byte[] into, int max) {
        if (failure != null) {
            return ERROR;
        }
        if (staged.hasRemaining()) {
            return drainStaged(into, max);
        }
        ByteBuffer in = Scratch.of(packetSize).in;
        in.clear();
        if (leftover != null && leftover.position() > 0) {
            in.put(leftover.flip());
            leftover.clear();
        }
        if (!inboundClosed && !peerEof) {
            int n = channel.read(in);
            if (n == ERROR) {
                keepLeftover(in);
                return fail(TlsFailure.socket());
            }
            peerEof = n < 0;
        }
        boolean direct = max >= appSize;
        if (!direct && staged.capacity() < appSize) {
            staged = ByteBuffer.allocate(appSize);
        }
        ByteBuffer dst = direct ? ByteBuffer.wrap(into, 0, max) : staged.clear();
        int produced;
        try {
            produced = unwrap(in, dst);
        } catch (SSLException | RuntimeException e) {
            return fail(e);
        } finally {
            keepLeftover(in);
        }
        if (!direct) {
            staged.flip();
        }
        if (failure != null) {
            return ERROR;
        }
        if (handshakeJustDone) {
            handshakeJustDone = false;
            return HANDSHAKE_DONE;
        }
        if (produced > 0) {
            return direct ? produced : drainStaged(into, max);
        }
        if (inboundClosed || peerEof) { // what is left over is no whole record
            return endOfStream();
        }
        return 0;
    }

    /** Whether decrypted data, or records not yet decrypted, wait for another read call. */
    @HostAccess.Export
    public boolean buffered() {
        // close_notify read along with data is reported by the next read: no event will come
        return staged.hasRemaining()
                || (failure == null && ((leftover != null && leftover.position() > 0)
                        || (inboundClosed && !eofReported)));
    }

    /** Encrypts and sends {@code data}, queueing what the socket does not take: the bytes pending, or ERROR. */
    @HostAccess.Export
    public long write(byte[] data, int length) {
        return write(ByteBuffer.wrap(data, 0, length));
    }

    /** {@link #write(byte[], int)} for a Python {@code bytes}: the records are new arrays anyway. */
    @HostAccess.Export
    public long writeShared(byte[] data, int length) {
        return write(data, length);
    }

    /** {@link #write(byte[], int)} for a Python buffer with no Java array of its own. */
    @HostAccess.Export
    public long writeBuffer(Value data) {
        byte[] bytes = PythonBuffers.copyOf(data);
        return write(bytes, bytes.length);
    }

    /** Sends close_notify after what is queued: the bytes pending, or ERROR. */
    @HostAccess.Export
    public long closeNotify() {
        engine.closeOutbound();
        try {
            if (!advance(HandshakeStatus.NEED_WRAP)) {
                return ERROR;
            }
        } catch (SSLException | RuntimeException e) {
            return fail(e);
        }
        return channel.pending();
    }

    // ---- what Python turns into the ssl module's exceptions ---------------------------------

    /** "os" (errno()), "eof" (the peer left mid-handshake), "verify" or "ssl"; null if none. */
    @HostAccess.Export
    public String errorKind() {
        return failure == null ? null : failure.kind();
    }

    @HostAccess.Export
    public String errorReason() {
        return failure == null ? null : failure.reason();
    }

    @HostAccess.Export
    public String errorMessage() {
        return failure == null ? null : failure.message();
    }

    @HostAccess.Export
    public int verifyCode() {
        return failure == null ? 0 : failure.verifyCode();
    }

    // ---- the session, for get_extra_info and the ssl_object look-alike -----------------------

    @HostAccess.Export
    public String protocol() {
        return engine.getSession().getProtocol();
    }

    @HostAccess.Export
    public String cipherSuite() {
        return engine.getSession().getCipherSuite();
    }

    /** The ALPN protocol chosen; null when none was. */
    @HostAccess.Export
    public String applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /** The peer's certificate, base64 of its DER; null when it sent none. */
    @HostAccess.Export
    public String peerCertificate() {
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            return chain.length == 0 ? null : Base64.getEncoder().encodeToString(chain[0].getEncoded());
        } catch (SSLPeerUnverifiedException | CertificateEncodingException e) {
            return null;
        }
    }

    @HostAccess.Export
    public boolean serverSide() {
        return serverSide;
    }

    @HostAccess.Export
    public String serverHostname() {
        return serverHostname;
    }

    // ---- the engine ----------------------------------------------------------------------

    /** Unwraps the complete records in netIn (write mode) into dst, answering the handshake on the way. */
    private int unwrap(ByteBuffer netIn, ByteBuffer dst) throws SSLException {
        int produced = 0;
        while (netIn.position() > 0) {
            netIn.flip();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, dst);
            } finally {
                netIn.compact();
            }
            produced += r.bytesProduced();
            Status status = r.getStatus();
            if (status == Status.CLOSED) {
                inboundClosed = true;
                advance(r.getHandshakeStatus()); // TLS 1.2 answers close_notify with its own
                return produced;
            }
            if (status != Status.OK) {
                return produced; // a partial record (more bytes to come) or dst is full
            }
            HandshakeStatus hs = r.getHandshakeStatus();
            if (!advance(hs) || handshakeJustDone) {
                return produced;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
                    && hs != HandshakeStatus.NEED_TASK && hs != HandshakeStatus.NEED_WRAP) {
                return produced; // the engine made no progress: wait for more bytes
            }
            if (dst.remaining() < appSize) {
                return produced; // buffered() tells the caller to read again
            }
        }
        return produced;
    }

    /** Does what the handshake needs now; false when that failed (failure is set). */
    private boolean advance(HandshakeStatus hs) throws SSLException {
        while (true) {
            switch (hs) {
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    ByteBuffer netOut = Scratch.of(packetSize).out;
                    netOut.clear();
                    SSLEngineResult r = engine.wrap(EMPTY, netOut);
                    netOut.flip();
                    if (netOut.hasRemaining() && channel.write(netOut) == ERROR) {
                        fail(TlsFailure.socket());
                        return false;
                    }
                    if (r.getStatus() == Status.CLOSED) {
                        return true; // close_notify made (or the engine is done)
                    }
                    hs = r.getHandshakeStatus();
                }
                case FINISHED -> {
                    if (!handshakeDone) {
                        handshakeDone = true;
                        handshakeJustDone = true;
                    }
                    return true;
                }
                default -> {
                    return true; // NEED_UNWRAP(_AGAIN): wait for the peer; NOT_HANDSHAKING
                }
            }
        }
    }

    private long write(ByteBuffer src) {
        if (failure != null) {
            return ERROR;
        }
        ByteBuffer netOut = Scratch.of(packetSize).out;
        try {
            while (src.hasRemaining()) {
                netOut.clear();
                while (src.hasRemaining() && netOut.remaining() >= packetSize) {
                    SSLEngineResult r = engine.wrap(src, netOut);
                    if (r.getStatus() == Status.CLOSED) {
                        return fail(TlsFailure.ssl("SSL_CONNECTION_CLOSED", "SSL connection is closed"));
                    }
                    HandshakeStatus hs = r.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
                        // a post-handshake message (a TLS 1.3 key update): send what is made, answer it
                        netOut.flip();
                        if (channel.write(netOut) == ERROR || !advance(hs)) {
                            return fail(TlsFailure.socket());
                        }
                        netOut.clear();
                    }
                }
                netOut.flip();
                if (channel.write(netOut) == ERROR) {
                    return fail(TlsFailure.socket());
                }
            }
        } catch (SSLException | RuntimeException e) {
            return fail(e);
        }
        return channel.pending();
    }

    /** Keeps what a read left in the scratch buffer (usually a partial record) for the next. */
    private void keepLeftover(ByteBuffer in) {
        int n = in.position();
        if (n == 0) {
            return;
        }
        if (leftover == null || leftover.capacity() < n) {
            leftover = ByteBuffer.allocate(Math.max(n, packetSize));
        }
        leftover.put(in.flip());
    }

    private int drainStaged(byte[] into, int max) {
        int n = Math.min(max, staged.remaining());
        staged.get(into, 0, n);
        return n;
    }

    private int endOfStream() {
        eofReported = true;
        if (!handshakeDone) {
            return fail(TlsFailure.eof());
        }
        if (!inboundClosed) {
            try {
                engine.closeInbound(); // no close_notify: a plain end of stream, as asyncio treats it
            } catch (SSLException ignored) {
                // "possible truncation attack": asyncio's TLS layer does not raise it either
            }
        }
        return EOF;
    }

    private int fail(Exception e) {
        TlsFailure f = TlsFailure.of(e, serverHostname);
        fail(f);
        // the engine may hold an alert telling the peer why: send it if the socket takes it
        try {
            ByteBuffer netOut = Scratch.of(packetSize).out;
            netOut.clear();
            engine.wrap(EMPTY, netOut);
            netOut.flip();
            if (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        } catch (SSLException | RuntimeException ignored) {
            // the engine has nothing more to say
        }
        return ERROR;
    }

    private int fail(TlsFailure f) {
        if (failure == null) {
            failure = f;
        }
        return ERROR;
    }
}
