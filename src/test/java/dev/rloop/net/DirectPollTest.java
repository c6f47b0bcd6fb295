package dev.rloop.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The direct poll of the selector's epoll instance, on a real loopback connection: it reports
 * what the selector would, and hands the wait back to the selector whenever the selector has
 * something to do (changes to apply, a wake-up to clear, an error to report).
 */
class DirectPollTest {
    private static final int ID = 9;

    private Selector selector;
    private DirectPoll poll;
    private StreamChannel stream;
    private SocketChannel peer;

    @BeforeEach
    void open() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "epoll is Linux's");
        selector = Selector.open();
        poll = DirectPoll.open(selector);
        assertNotNull(poll, "the test JVM has the launcher's --add-opens; unavailable: "
                + DirectPoll.unavailableReason());
        NetChannels net = new NetChannels(selector, poll);
        LoopbackStream connected = LoopbackStream.open(net, ID);
        stream = connected.stream();
        peer = connected.peer();
        stream.setReading(true);
    }

    @AfterEach
    void close() throws IOException {
        LoopbackStream.closeAll(stream, peer, selector);
    }

    /** What the loop does after its selector has applied the pending changes. */
    private void selectorSelected() throws IOException {
        selector.selectNow();
        selector.selectedKeys().clear();
        poll.selected();
    }

    private int pollUntilFound() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n;
        while ((n = poll.poll()) == 0) {
            assertTrue(System.nanoTime() < deadline, "nothing became ready in 5 s");
            Thread.onSpinWait();
        }
        return n;
    }

    @Test
    void aReadableChannelIsReportedByIdWithItsReadOp() throws IOException {
        assertEquals(DirectPoll.PENDING, poll.poll(), "setReading changed the interest set");
        selectorSelected();
        assertEquals(0, poll.poll(), "nothing has been sent yet");
        peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertEquals(1, pollUntilFound());
        assertEquals(((long) ID << 5) | SelectionKey.OP_READ, poll.event(0));
        // level-triggered, as the selector: still readable until read
        assertEquals(1, poll.poll());
        assertEquals(3, stream.read(new byte[16], 16));
        assertEquals(0, poll.poll());
    }

    @Test
    void aWakeUpIsLeftToTheSelector() throws IOException {
        selectorSelected();
        selector.wakeup();
        assertEquals(DirectPoll.FALLBACK, poll.poll());
        selectorSelected();  // the selector clears its wake-up
        assertEquals(0, poll.poll());
    }

    @Test
    void aResetConnectionIsLeftToTheSelector() throws IOException {
        selectorSelected();
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();  // an RST: EPOLLERR and EPOLLHUP, which the selector reports as every interest op
        peer = null;
        assertEquals(DirectPoll.FALLBACK, pollUntilFound());
    }

    @Test
    void aClosedChannelIsForgotten() throws IOException {
        selectorSelected();
        stream.close();
        assertEquals(DirectPoll.PENDING, poll.poll(), "the cancelled key is the selector's to flush");
    }

    @Test
    void itCanBeTurnedOff() throws IOException {
        String before = System.getProperty("rloop.directPoll");
        System.setProperty("rloop.directPoll", "false");
        try (Selector other = Selector.open()) {
            assertNull(DirectPoll.open(other));
            assertTrue(DirectPoll.unavailableReason().contains("turned off"), DirectPoll.unavailableReason());
        } finally {
            if (before == null) {
                System.clearProperty("rloop.directPoll");
            } else {
                System.setProperty("rloop.directPoll", before);
            }
        }
    }
}
