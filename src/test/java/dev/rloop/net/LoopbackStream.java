package dev.rloop.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A loop's stream channel connected over 127.0.0.1 to a blocking java.nio peer, for the tests. */
record LoopbackStream(StreamChannel stream, SocketChannel peer) {

    /** Connects channel {@code id} of {@code net} and waits (5 s at most) until it is connected. */
    static LoopbackStream open(NetChannels net, int id) throws IOException {
        StreamChannel stream;
        SocketChannel peer;
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            stream = net.connectTcp(id, false, "127.0.0.1", port, null, 0);
            assertNotNull(stream, "connect failed, errno " + net.errno());
            peer = listener.accept();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stream.isConnected()) {
            assertTrue(stream.finishConnect() >= 0, "finishConnect failed");
            assertTrue(System.nanoTime() < deadline, "connect did not finish in 5 s");
            Thread.onSpinWait();
        }
        return new LoopbackStream(stream, peer);
    }

    /** A test's clean-up: closes what it opened (any may be null, when it skipped or failed early). */
    static void closeAll(StreamChannel stream, SocketChannel peer, Selector selector) throws IOException {
        if (stream != null) {
            stream.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (selector != null) {
            selector.close();
        }
    }
}
