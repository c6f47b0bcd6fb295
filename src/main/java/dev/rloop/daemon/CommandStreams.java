package dev.rloop.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.SynchronousQueue;

/**
 * A program's standard streams when the daemon runs it: the command's own, across the socket.
 *
 * <p>Input is read on demand: each {@code read} asks the command for at most that many bytes and
 * the command makes one read of its stdin for it, so a program that never reads stdin leaves it
 * untouched for whoever reads it next (a shell loop's {@code while read}), as a process of its own
 * would. Output is written through as frames; when the command reports that its stdout or stderr
 * is gone (a closed pipe), later writes fail as they would on the broken pipe itself.
 */
final class CommandStreams {
    private static final byte[] END = new byte[0];

    private final Frames frames;
    private final SynchronousQueue<byte[]> stdinReplies = new SynchronousQueue<>();
    private volatile boolean stdinAtEnd;
    private volatile boolean closed;
    private final boolean[] outputGone = new boolean[3];

    CommandStreams(Frames frames) {
        this.frames = frames;
    }

    /** A STDIN frame from the command: the answer to the pending READ. */
    void stdinData(byte[] data) throws InterruptedException {
        stdinReplies.put(data);
    }

    void outputClosed(int fd) {
        if (fd == 1 || fd == 2) {
            outputGone[fd] = true;
        }
    }

    /** The command is gone or the program is over: blocked reads end, writes fail. */
    void close() {
        closed = true;
        stdinReplies.offer(END);
    }

    InputStream stdin() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (stdinAtEnd || closed) {
                    return -1;
                }
                byte[] data;
                synchronized (this) { // one READ in flight
                    frames.writeInt(Frames.READ, len);
                    try {
                        data = stdinReplies.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("stdin read interrupted");
                    }
                }
                if (data.length == 0) {
                    stdinAtEnd = true;
                    return -1;
                }
                System.arraycopy(data, 0, b, off, data.length);
                return data.length;
            }
        };
    }

    OutputStream output(int fd) {
        byte type = fd == 1 ? Frames.STDOUT : Frames.STDERR;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (outputGone[fd] || closed) {
                    throw new IOException("Broken pipe");
                }
                if (len > 0) {
                    frames.write(type, b, off, len);
                }
            }
        };
    }
}
