package dev.rloop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes the loop while it blocks in Python's {@code select.select}.
 *
 * <p>When Python code watches its own sockets ({@code add_reader}), the loop has to wait in
 * {@code select.select}: GraalPy's emulated sockets are invisible to a Java {@link
 * java.nio.channels.Selector}. Another thread then wakes it by making a watched socket readable.
 * Python owns one end of a loopback TCP connection and Java the other, so any Java thread (a signal
 * dispatcher, a virtual thread) can wake the loop without entering the Python context. A random
 * token sent by Python proves that the accepted connection is the loop's own.
 */
final class PythonWakeChannel implements AutoCloseable {
    private static final int TOKEN_BYTES = 16;

    private final ServerSocketChannel server;
    private final byte[] token = new byte[TOKEN_BYTES];
    private final AtomicBoolean pending = new AtomicBoolean();
    private SocketChannel peer;

    PythonWakeChannel() throws IOException {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        new SecureRandom().nextBytes(token);
    }

    int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    byte[] token() {
        return token.clone();
    }

    /** Accepts the connection Python has just made and checks its token. */
    void accept() throws IOException {
        SocketChannel ch = server.accept();
        ByteBuffer got = ByteBuffer.allocate(TOKEN_BYTES);
        while (got.hasRemaining()) {
            if (ch.read(got) < 0) {
                break;
            }
        }
        if (got.hasRemaining() || !java.util.Arrays.equals(got.array(), token)) {
            ch.close();
            throw new IOException("rloop: wake-up connection did not present the loop's token");
        }
        server.close();
        ch.configureBlocking(false);
        ch.socket().setTcpNoDelay(true);
        peer = ch;
    }

    /** Makes Python's end readable, at most once until {@link #drained()}. Any thread. */
    void signal() {
        if (pending.compareAndSet(false, true)) {
            try {
                peer.write(ByteBuffer.wrap(new byte[] {0}));
            } catch (IOException e) {
                pending.set(false);
            }
        }
    }

    /** Python has read what was written: the next {@link #signal()} writes again. */
    void drained() {
        pending.set(false);
    }

    @Override
    public void close() {
        try {
            server.close();
            if (peer != null) {
                peer.close();
            }
        } catch (IOException ignored) {
            // closing a loopback socket cannot fail in a way the caller can act on
        }
    }
}
