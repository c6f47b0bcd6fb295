package dev.rloop.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

import org.graalvm.polyglot.HostAccess;

import dev.rloop.LoopCore;
import dev.rloop.net.LoopChannel;
import dev.rloop.net.NetErrors;

/**
 * A blocking Java {@link InputStream} (a child's stdout or stderr, the program's stdin) read by
 * the loop as if it were a channel: a virtual thread does the blocking reads and queues what it
 * reads; the loop is told with one posted {@code OP_READ} event ({@link LoopCore#post}) until it
 * has taken what is queued, then reads it with {@link #read} into the Java array of a Python
 * {@code bytearray}, several chunks in one call.
 *
 * <p>Flow control is the pump's: it stops reading while {@link #LIMIT} bytes wait for the loop or
 * the transport is paused ({@code setReading(false)}), so a child that writes faster than the
 * program reads blocks on its full pipe, as it would under any loop. No Python runs on the pump.
 */
public final class ReadPipe extends PumpedPipe {
    /** What one blocking read asks for: a Linux pipe holds 64 KiB. */
    static final int CHUNK = 64 * 1024;
    /** Bytes queued for the loop before the pump waits. */
    static final int LIMIT = 4 * CHUNK;
    /** {@link #read} results besides a count. */
    static final int EOF = -1, ERROR = LoopChannel.ERROR;

    private final InputStream in;
    private final Condition wanted = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ArrayDeque<Integer> lengths = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private int head;          // bytes of the first chunk already taken
    private int buffered;      // bytes queued and not taken
    private boolean reading; // the transport starts it, after connection_made, as asyncio does
    private boolean eof;

    ReadPipe(LoopCore core, int id, InputStream in, String name) {
        super(core, id, SelectionKey.OP_READ);
        this.in = in;
        startPump(name, this::pump);
    }

    private void pump() {
        try {
            while (true) {
                byte[] chunk;
                lock.lock();
                try {
                    while (!closed && (!reading || buffered >= LIMIT)) {
                        wanted.awaitUninterruptibly();
                    }
                    if (closed) {
                        return;
                    }
                    chunk = spare.isEmpty() ? new byte[CHUNK] : spare.poll();
                } finally {
                    lock.unlock();
                }
                int n = in.read(chunk, 0, CHUNK);
                lock.lock();
                try {
                    if (n < 0) {
                        eof = true;
                        postRead();
                        return;
                    }
                    if (n > 0 && !closed) {
                        chunks.add(chunk);
                        lengths.add(n);
                        buffered += n;
                        postRead();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                if (!closed) {
                    failed(NetErrors.errno(e));
                    postRead();
                }
            } finally {
                lock.unlock();
            }
        } finally {
            closeQuietly(in);
        }
    }

    /** Called holding the lock: one event until the loop reads, none while paused. */
    private void postRead() {
        if (reading) {
            post();
        }
    }

    /**
     * Copies up to {@code max} queued bytes into {@code into}: their number, 0 when none is
     * queued yet, {@link #EOF} at the end of the stream, or {@link #ERROR} (see {@link #errno()}).
     * Loop thread.
     */
    @HostAccess.Export
    public int read(byte[] into, int max) {
        lock.lock();
        try {
            acted();
            int n = 0;
            while (n < max && !chunks.isEmpty()) {
                byte[] chunk = chunks.peek();
                int length = lengths.peek();
                int take = Math.min(max - n, length - head);
                System.arraycopy(chunk, head, into, n, take);
                n += take;
                head += take;
                if (head == length) {
                    chunks.poll();
                    lengths.poll();
                    head = 0;
                    if (spare.size() < 4) {
                        spare.add(chunk);
                    }
                }
            }
            if (n > 0) {
                buffered -= n;
                wanted.signal();
                if (!chunks.isEmpty() || eof || errno() != 0) {
                    postRead(); // more is here already (the end, too): come back for it
                }
                return n;
            }
            if (errno() != 0) {
                return ERROR;
            }
            return eof ? EOF : 0;
        } finally {
            lock.unlock();
        }
    }

    /** Pauses ({@code false}) or resumes the pump: {@code pause_reading}/{@code resume_reading}. */
    @HostAccess.Export
    public void setReading(boolean on) {
        lock.lock();
        try {
            reading = on;
            if (on) {
                wanted.signal();
                if (buffered > 0 || eof || errno() != 0) {
                    acted();        // an event that came while paused was not acted on
                    postRead();     // what arrived while paused
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops reading and closes the stream. A pump blocked in {@code read} ends when the stream
     * does (a child's pipe when the child exits); it never calls into the loop again.
     */
    @HostAccess.Export
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            chunks.clear();
            lengths.clear();
            buffered = 0;
            wanted.signal();
        } finally {
            lock.unlock();
        }
        closeLater(in);
    }
}
