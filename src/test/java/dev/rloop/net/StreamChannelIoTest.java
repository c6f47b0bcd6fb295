package dev.rloop.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loop-owned stream channel's reads and writes on a real loopback connection, through both
 * routes it has: {@code recv}/{@code send} called directly ({@link DirectSocketCalls}) and
 * java.nio's channel. Both must give the same results: bytes intact and in order, 0 for "nothing
 * now", -1 at end of stream, and ERROR with the errno Python raises from.
 */
class StreamChannelIoTest {
    private static final String PROPERTY = "rloop.directSocketCalls";

    private Selector selector;
    private StreamChannel stream;
    private SocketChannel peer;

    /** Connects a stream channel (direct calls on or off) to a blocking java.nio peer. */
    private void connect(boolean direct) throws IOException {
        assumeTrue(!direct || System.getProperty("os.name").equals("Linux"), "the direct calls are Linux's");
        selector = Selector.open();
        String old = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, Boolean.toString(direct));
        NetChannels net;
        try {
            net = new NetChannels(selector, null);
        } finally {
            if (old == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, old);
            }
        }
        LoopbackStream connected = LoopbackStream.open(net, 1);
        stream = connected.stream();
        peer = connected.peer();
        assertEquals(direct, stream.callsDirectly(), "route; direct calls unavailable: "
                + DirectSocketCalls.unavailableReason());
    }

    @AfterEach
    void close() throws IOException {
        LoopbackStream.closeAll(stream, peer, selector);
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Reads from the stream channel until {@code size} bytes came (spinning on 0). */
    private byte[] readAll(int size) {
        byte[] got = new byte[size];
        byte[] into = new byte[64 * 1024];
        int have = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (have < size) {
            int n = stream.read(into, Math.min(into.length, size - have));
            assertTrue(n >= 0, "read gave " + n + " (errno " + stream.errno() + ") after " + have + " bytes");
            System.arraycopy(into, 0, got, have, n);
            have += n;
            assertTrue(System.nanoTime() < deadline, "only " + have + " of " + size + " bytes in 10 s");
        }
        return got;
    }

    @ParameterizedTest(name = "direct calls {0}")
    @ValueSource(booleans = {true, false})
    void readsWhatThePeerSentThenNothingThenEndOfStream(boolean direct) throws IOException {
        connect(direct);
        byte[] into = new byte[256];
        assertEquals(0, stream.read(into, into.length), "nothing sent yet");
        byte[] sent = pattern(1000, 1);
        peer.write(ByteBuffer.wrap(sent));
        assertArrayEquals(sent, readAll(sent.length));
        assertEquals(0, stream.read(into, into.length), "all read");
        peer.shutdownOutput();
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n;
        while ((n = stream.read(into, into.length)) == 0) {
            assertTrue(System.nanoTime() < deadline, "no end of stream in 5 s");
            Thread.onSpinWait();
        }
        assertEquals(-1, n, "end of stream");
    }

    @ParameterizedTest(name = "direct calls {0}")
    @ValueSource(booleans = {true, false})
    void readsIntoABufferFromItsPosition(boolean direct) throws IOException {
        connect(direct);
        byte[] sent = pattern(300, 2);
        peer.write(ByteBuffer.wrap(sent));
        ByteBuffer into = ByteBuffer.allocate(1024);
        into.position(100);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (into.position() < 400) {
            assertTrue(stream.read(into) >= 0, "read failed, errno " + stream.errno());
            assertTrue(System.nanoTime() < deadline, "300 bytes did not come in 5 s");
        }
        assertEquals(400, into.position());
        byte[] got = new byte[300];
        into.flip().position(100);
        into.get(got);
        assertArrayEquals(sent, got);
    }

    @ParameterizedTest(name = "direct calls {0}")
    @ValueSource(booleans = {true, false})
    void aWriteTheSocketCannotTakeIsQueuedThenFlushedInOrder(boolean direct) throws IOException {
        connect(direct);
        peer.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        byte[] first = pattern(4 << 20, 3);
        byte[] second = pattern(1 << 20, 4);
        long pending = stream.writeShared(first, first.length);
        assertTrue(pending > 0, "4 MiB to a peer that reads nothing is partly queued");
        pending = stream.write(second, second.length);
        assertEquals(pending, stream.pending());
        // the copy of `second` is queued, so the caller may reuse its array
        byte[] expected = second.clone();
        java.util.Arrays.fill(second, (byte) 0);

        byte[] got = new byte[first.length + expected.length];
        ByteBuffer in = ByteBuffer.wrap(got);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (in.hasRemaining()) {
            peer.read(in);
            if (pending > 0) {
                pending = stream.flush();
                assertTrue(pending >= 0, "flush failed, errno " + stream.errno());
            }
            assertTrue(System.nanoTime() < deadline, "only " + in.position() + " bytes in 20 s");
        }
        assertEquals(0, pending);
        assertArrayEquals(first, java.util.Arrays.copyOf(got, first.length));
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(got, first.length, got.length));
    }

    @ParameterizedTest(name = "direct calls {0}")
    @ValueSource(booleans = {true, false})
    void aResetConnectionFailsReadsAndWritesWithItsErrno(boolean direct) throws IOException {
        connect(direct);
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();  // an RST, not a FIN
        peer = null;
        byte[] into = new byte[64];
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n;
        while ((n = stream.read(into, into.length)) == 0) {
            assertTrue(System.nanoTime() < deadline, "the reset did not arrive in 5 s");
            Thread.onSpinWait();
        }
        assertEquals(LoopChannel.ERROR, n);
        assertEquals(NetErrors.ECONNRESET, stream.errno());
        byte[] data = pattern(100, 5);
        assertEquals(LoopChannel.ERROR, stream.write(data, data.length));
        assertEquals(NetErrors.EPIPE, stream.errno(), "writing to a reset connection");
    }

    @ParameterizedTest(name = "direct calls {0}")
    @ValueSource(booleans = {true, false})
    void aClosedChannelFailsWithoutTouchingItsOldDescriptor(boolean direct) throws IOException {
        connect(direct);
        stream.close();
        byte[] buf = new byte[16];
        assertEquals(LoopChannel.ERROR, stream.read(buf, buf.length));
        assertEquals(NetErrors.EBADF, stream.errno());
        assertEquals(LoopChannel.ERROR, stream.write(buf, buf.length));
        assertEquals(NetErrors.EBADF, stream.errno());
    }

    @Test
    void theDirectCallsCanBeTurnedOff() {
        String old = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, "false");
        try {
            assertNull(DirectSocketCalls.open());
            assertTrue(DirectSocketCalls.unavailableReason().contains("-Drloop.directSocketCalls=false"));
        } finally {
            if (old == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, old);
            }
        }
        assumeTrue(System.getProperty("os.name").equals("Linux"), "the direct calls are Linux's");
        assertNotNull(DirectSocketCalls.open(), "the test JVM has --add-opens java.base/sun.nio.ch");
        assertNull(DirectSocketCalls.unavailableReason());
    }
}
