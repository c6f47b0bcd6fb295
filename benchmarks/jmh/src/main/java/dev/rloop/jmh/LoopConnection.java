package dev.rloop.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import dev.rloop.LoopCore;
import dev.rloop.net.LoopChannel;
import dev.rloop.net.StreamChannel;

/**
 * A loop's {@link StreamChannel} connected over 127.0.0.1 to a plain NIO peer: what
 * {@code create_connection} gives a transport, made with rloop's own classes ({@link LoopCore},
 * {@code NetChannels.connectTcp}) and no Python. The peer is non-blocking, so a benchmark can
 * interleave its sends and receives with the channel's on one thread.
 */
final class LoopConnection implements AutoCloseable {
    final LoopCore core;
    final StreamChannel stream;
    final SocketChannel peer;

    LoopConnection(int id) throws IOException {
        core = new LoopCore();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            stream = core.net().connectTcp(id, false, "127.0.0.1", port, null, 0);
            if (stream == null) {
                throw new IOException("connectTcp failed, errno " + core.net().errno());
            }
            peer = listener.accept();
        }
        peer.configureBlocking(false);
        finishConnect();
    }

    /** What the loop does on the channel's OP_CONNECT event; on loopback it is done at once. */
    private void finishConnect() throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stream.isConnected()) {
            int r = stream.finishConnect();
            if (r == LoopChannel.ERROR) {
                throw new IOException("finishConnect failed, errno " + stream.errno());
            }
            if (r != 0 && System.nanoTime() > deadline) {
                throw new IOException("connect to the loopback peer did not complete in 5 s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
        peer.close();
        core.close();
    }
}
