package dev.rloop.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * A connected TCP or Unix stream socket owned by the loop: what a stream transport reads from and
 * writes to.
 *
 * <p>The write buffer is Java's: {@link #write} sends what the socket takes at once and keeps the
 * rest, and the loop's writable events drain it ({@link #flush}) with {@code OP_WRITE} set only
 * while something is pending. Python keeps asyncio's flow control (the water marks) with the
 * pending byte count that {@link #write} and {@link #flush} return. A half-close asked for while
 * data is pending happens once it is sent.
 */
public final class StreamChannel extends LoopChannel {
    private final SocketChannel channel;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long pending;
    private boolean shutdownAfterFlush;
    private boolean outputShut;
    /** recv and send made directly on the descriptor (null: through java.nio); see DirectSocketCalls. */
    private DirectSocketCalls calls;

    StreamChannel(int id, SocketChannel channel) {
        super(id, channel);
        this.channel = channel;
    }

    /** Reads and writes from heap arrays go through {@code calls} from now on. */
    void callDirectly(DirectSocketCalls directCalls) {
        try {
            descriptor();
            calls = directCalls;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the direct socket calls were opened but cannot read a descriptor", e);
        }
    }

    /** Whether reads and writes go through the direct calls. */
    boolean callsDirectly() {
        return calls != null;
    }

    // ---- connecting -------------------------------------------------------------------------

    /** Completes a connect after its {@code OP_CONNECT} event: 0 when connected, else ERROR. */
    @HostAccess.Export
    public int finishConnect() {
        try {
            if (!channel.finishConnect()) {
                return 1; // not yet: keep waiting
            }
            interest(SelectionKey.OP_CONNECT, false);
            return 0;
        } catch (IOException e) {
            return fail(e);
        }
    }

    @HostAccess.Export
    public boolean isConnected() {
        return channel.isConnected();
    }

    // ---- reading ----------------------------------------------------------------------------

    /**
     * Reads what the socket has, at most {@code max} bytes, into {@code into}: the byte count,
     * 0 when nothing is available, -1 at end of stream, or ERROR. {@code into} is the storage of a
     * Python {@code bytearray} ({@code polyglot.storage}), so the bytes land in Python's object
     * with no copy beyond the socket read itself.
     */
    @HostAccess.Export
    public int read(byte[] into, int max) {
        return read(ByteBuffer.wrap(into, 0, Math.min(max, into.length)));
    }

    /**
     * Reads what the socket has into {@code into} (also for a layer above the channel, such as
     * TLS): the byte count, 0, -1 at end of stream, or ERROR.
     */
    public int read(ByteBuffer into) {
        if (calls != null && into.hasArray() && into.hasRemaining() && channel.isOpen()) {
            int position = into.position();
            long n = calls.recv(fd, into.array(), into.arrayOffset() + position, into.remaining());
            if (n > 0) {
                into.position(position + (int) n);
                return (int) n;
            }
            if (n == 0) {
                return -1;  // end of stream
            }
            return n == DirectSocketCalls.AGAIN ? 0 : fail((int) -n);
        }
        try {
            return channel.read(into);
        } catch (IOException e) {
            return fail(e);
        }
    }

    /** Turns read events on or off (pause_reading/resume_reading). */
    @HostAccess.Export
    public void setReading(boolean on) {
        interest(SelectionKey.OP_READ, on);
    }

    // ---- writing ----------------------------------------------------------------------------

    /**
     * Sends the first {@code length} bytes of {@code data} (the Java array behind a Python
     * {@code bytes} or {@code bytearray}, from {@code polyglot.storage}) or queues a copy of
     * what the socket does not take now; returns the bytes still pending, or ERROR.
     */
    @HostAccess.Export
    public long write(byte[] data, int length) {
        return write(ByteBuffer.wrap(data, 0, length));
    }

    /**
     * {@link #write(byte[], int)} for the array behind a Python {@code bytes}, which never
     * changes: what the socket does not take now is queued as that array, not a copy (a bulk
     * writer's 256 KiB chunks are mostly queued).
     */
    @HostAccess.Export
    public long writeShared(byte[] data, int length) {
        ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
        if (!send(buf)) {
            return ERROR;
        }
        if (buf.hasRemaining()) {
            queue.add(buf);
            pending += buf.remaining();
        }
        return pending;
    }

    /**
     * Sends what {@code buf} holds, or queues a copy of what the socket does not take now (for a
     * layer above the channel, such as TLS, that reuses its buffer); the bytes still pending, or
     * ERROR.
     */
    public long write(ByteBuffer buf) {
        if (!send(buf)) {
            return ERROR;
        }
        if (!buf.hasRemaining()) {
            return pending;
        }
        // the Python object may change once write() returns (a bytearray): keep a copy
        ByteBuffer copy = ByteBuffer.allocate(buf.remaining());
        copy.put(buf).flip();
        queue.add(copy);
        pending += copy.remaining();
        return pending;
    }

    /**
     * Sends what the socket takes of {@code buf} now, unless bytes are queued already (they go
     * first); watches for writability while some of it is left. False on failure (recorded).
     */
    private boolean send(ByteBuffer buf) {
        if (pending == 0) {
            if (sendSome(buf) == ERROR) {
                return false;
            }
            if (buf.hasRemaining()) {
                interest(SelectionKey.OP_WRITE, true);
            }
        }
        return true;
    }

    /** One send of what the socket takes of {@code buf} now: the byte count, or ERROR (recorded). */
    private int sendSome(ByteBuffer buf) {
        if (calls != null && buf.hasArray() && channel.isOpen()) {
            int position = buf.position();
            long n = calls.send(fd, buf.array(), buf.arrayOffset() + position, buf.remaining());
            if (n < 0) {
                return fail((int) -n);
            }
            buf.position(position + (int) n);
            return (int) n;
        }
        try {
            return channel.write(buf);
        } catch (IOException e) {
            return fail(e);
        }
    }

    /** {@link #write(byte[], int)} for a Python buffer with no Java array of its own. */
    @HostAccess.Export
    public long writeBuffer(Value data) {
        byte[] bytes = PythonBuffers.copyOf(data);
        return write(bytes, bytes.length);
    }

    /** The bytes queued and not yet sent. */
    public long pending() {
        return pending;
    }

    /** Writes what is queued, after a writable event; returns the bytes still pending, or ERROR. */
    @HostAccess.Export
    public long flush() {
        while (!queue.isEmpty()) {
            ByteBuffer head = queue.peek();
            int n = sendSome(head);
            if (n == ERROR) {
                return ERROR;
            }
            pending -= n;
            if (head.hasRemaining()) {
                return pending;
            }
            queue.poll();
        }
        interest(SelectionKey.OP_WRITE, false);
        if (shutdownAfterFlush) {
            shutdownAfterFlush = false;
            try {
                shutdownNow();
            } catch (IOException e) {
                return fail(e);
            }
        }
        return 0;
    }

    /** Drops what is queued (abort, or a write error). */
    @HostAccess.Export
    public void discard() {
        queue.clear();
        pending = 0;
        interest(SelectionKey.OP_WRITE, false);
    }

    /** Half-closes the connection once everything queued is sent; 0 or ERROR. */
    @HostAccess.Export
    public int shutdownOutput() {
        if (pending > 0) {
            shutdownAfterFlush = true;
            return 0;
        }
        try {
            shutdownNow();
            return 0;
        } catch (IOException e) {
            return fail(e);
        }
    }

    private void shutdownNow() throws IOException {
        if (!outputShut && channel.isOpen()) {
            outputShut = true;
            channel.shutdownOutput();
        }
    }

    @Override
    SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }
}
