package dev.rloop.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import dev.rloop.LoopCore;
import dev.rloop.net.LoopChannel;
import dev.rloop.net.NetErrors;
import dev.rloop.net.PythonBuffers;

/**
 * A blocking Java {@link OutputStream} (a child's stdin, the program's stdout or stderr) written
 * by the loop as if it were a channel: {@link #write} queues a copy (a Python {@code bytes}
 * needs none: {@link #writeShared}) and returns at once; a
 * virtual thread does the blocking writes, and posts an {@code OP_WRITE} event
 * ({@link LoopCore#post}) as the queue drains, so the transport can resume a paused protocol
 * and finish a close. No Python runs on the pump.
 */
public final class WritePipe extends PumpedPipe {
    /** {@link #flush} result once the reading end has gone and nothing is pending. */
    static final int READER_GONE = -3;

    private final OutputStream out;
    /** The program's own stdout or stderr: what write() accepted is written even when the loop closes. */
    private final boolean drainOnClose;
    /** Set by a close that lets the pump finish the queue: the loop has gone, so nothing is posted. */
    private boolean detached;
    private boolean pumpEnded;
    private final Condition work = lock.newCondition();
    /** Signalled as the pump writes a chunk and when it ends. */
    private final Condition written = lock.newCondition();
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long pending;
    private boolean eofRequested;
    private boolean readerGone;

    /** The first {@code length} bytes of {@code data}: a copy, or a Python {@code bytes}'s own array. */
    private record Chunk(byte[] data, int length) {
    }

    WritePipe(LoopCore core, int id, OutputStream out, String name) {
        this(core, id, out, name, false);
    }

    /**
     * @param drainOnClose whether {@link #close} lets the pump write what is queued first (the
     *     program's own output, which CPython writes at once for small writes, so a program that
     *     writes and then closes the loop has its output out) instead of dropping it (a child's
     *     stdin, whose reader may never read again)
     */
    WritePipe(LoopCore core, int id, OutputStream out, String name, boolean drainOnClose) {
        super(core, id, SelectionKey.OP_WRITE);
        this.out = out;
        this.drainOnClose = drainOnClose;
        startPump(name, this::pump);
    }

    private void pump() {
        try {
            while (true) {
                Chunk chunk;
                lock.lock();
                try {
                    while (!closed && queue.isEmpty() && !eofRequested) {
                        work.awaitUninterruptibly();
                    }
                    if (closed || queue.isEmpty()) {
                        return; // closed, or the end of the stream was asked for and all is written
                    }
                    chunk = queue.peek();
                } finally {
                    lock.unlock();
                }
                out.write(chunk.data(), 0, chunk.length());
                out.flush();
                lock.lock();
                try {
                    queue.poll();
                    pending -= chunk.length();
                    written.signalAll();
                    if (!detached) {
                        post();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                if (!closed && !detached) {
                    int errno = NetErrors.errno(e);
                    failed(errno == NetErrors.EIO ? NetErrors.EPIPE : errno); // "Stream closed": the reader went
                    post();
                }
            } finally {
                lock.unlock();
            }
        } finally {
            closeQuietly(out);
            lock.lock();
            try {
                pumpEnded = true;
                written.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Queues a copy of {@code length} bytes of {@code data} (the Java array behind a Python
     * {@code bytes}/{@code bytearray}); returns the bytes pending, or {@link LoopChannel#ERROR}.
     */
    @HostAccess.Export
    public long write(byte[] data, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(data, 0, copy, 0, length);
        return queue(new Chunk(copy, length));
    }

    /**
     * {@link #write} for the array behind a Python {@code bytes}, which never changes: queued as
     * it is, without the copy (256 MiB through {@code cat} in 256 KiB writes saves a copy of
     * every byte on the loop thread).
     */
    @HostAccess.Export
    public long writeShared(byte[] data, int length) {
        return queue(new Chunk(data, length));
    }

    /** {@link #write} for a Python buffer with no Java array of its own. */
    @HostAccess.Export
    public long writeBuffer(Value data) {
        byte[] copy = PythonBuffers.copyOf(data);
        return queue(new Chunk(copy, copy.length));
    }

    private long queue(Chunk chunk) {
        lock.lock();
        try {
            if (errno() != 0) {
                return LoopChannel.ERROR;
            }
            if (chunk.length() > 0) {
                queue.add(chunk);
                pending += chunk.length();
                work.signal();
            }
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a write event: the bytes still pending, {@link LoopChannel#ERROR} after a failed
     * write, or {@link #READER_GONE} when the reader (a child that exited) has gone with nothing
     * pending. Loop thread.
     */
    @HostAccess.Export
    public long flush() {
        lock.lock();
        try {
            acted();
            if (errno() != 0) {
                return LoopChannel.ERROR;
            }
            if (pending == 0 && readerGone) {
                return READER_GONE;
            }
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /** The bytes queued and not yet written. */
    @HostAccess.Export
    public long pending() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is queued (abort, or a write error). */
    @HostAccess.Export
    public void discard() {
        lock.lock();
        try {
            queue.clear();
            pending = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the stream once everything queued is written ({@code write_eof}); 0. */
    @HostAccess.Export
    public int shutdownOutput() {
        lock.lock();
        try {
            eofRequested = true;
            work.signal();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** The child reading this pipe has exited: tell the transport once nothing is pending. */
    void readerGone() {
        lock.lock();
        try {
            readerGone = true;
            post();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the stream: now, dropping what is queued, or, for the program's own output with
     * something queued, once the pump has written it (see {@link #awaitWritten}).
     */
    @HostAccess.Export
    public void close() {
        lock.lock();
        try {
            if (closed || detached) {
                return;
            }
            if (drainOnClose && !queue.isEmpty() && errno() == 0) {
                detached = true;       // the loop is closing: no more events for it
                eofRequested = true;   // the pump ends, and closes the stream, once the queue is empty
                work.signal();
                return;
            }
            closed = true;
            queue.clear();
            pending = 0;
            work.signal();
        } finally {
            lock.unlock();
        }
        closeLater(out);
    }

    /** Whether the pump has ended: closed, failed, or drained after a close; nothing is left to wait for. */
    boolean ended() {
        lock.lock();
        try {
            return pumpEnded;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until nothing is queued (written, or the pump has ended: the stream failed or was
     * closed), for at most {@code millis}; whether nothing is. The program's end waits here for
     * its own output ({@link StandardStreams#awaitOutput}); an idle pipe returns at once.
     */
    boolean awaitWritten(long millis) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!queue.isEmpty() && !pumpEnded) {
                if (left <= 0) {
                    return false;
                }
                left = written.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
