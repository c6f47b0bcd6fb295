package dev.rloop.process;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.HostAccess;

import dev.rloop.LoopCore;

/**
 * The program's standard streams as Java streams: this process's own (file descriptors 0, 1 and
 * 2, which a child can inherit as they are), or the ones the launcher's daemon gives a program
 * (the command's, forwarded over its socket: a child's output is pumped into them by Java).
 */
public final class StandardStreams {
    private final InputStream in;
    private final OutputStream out;
    private final OutputStream err;
    private final boolean inheritable;
    /**
     * The loop's pipes on stdout and stderr, whose queued output the program's end waits for;
     * those whose pump has ended are dropped as new ones come, so a program that connects a pipe
     * to its stdout per message does not pile them up.
     */
    private final List<WritePipe> outputPipes = new CopyOnWriteArrayList<>();

    private StandardStreams(InputStream in, OutputStream out, OutputStream err, boolean inheritable) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.inheritable = inheritable;
    }

    /** This process's descriptors 0, 1 and 2, unbuffered. */
    public static StandardStreams thisProcess() {
        return new StandardStreams(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), true);
    }

    /** Streams of the program's own that are not this process's descriptors (null: this process's). */
    public static StandardStreams of(InputStream in, OutputStream out, OutputStream err) {
        if (in == null && out == null && err == null) {
            return thisProcess();
        }
        StandardStreams mine = thisProcess();
        return new StandardStreams(in != null ? in : mine.in, out != null ? out : mine.out,
                err != null ? err : mine.err, false);
    }

    /** The program's stdin as a pipe the loop reads ({@code connect_read_pipe(sys.stdin)}). */
    @HostAccess.Export
    public ReadPipe stdinPipe(LoopCore core, int id) {
        return new ReadPipe(core, id, in, "stdin");
    }

    /** The program's stdout (fd 1) or stderr (fd 2) as a pipe the loop writes ({@code connect_write_pipe}). */
    @HostAccess.Export
    public WritePipe outputPipe(LoopCore core, int id, int fd) {
        WritePipe pipe = new WritePipe(core, id, fd == 2 ? err : out, fd == 2 ? "stderr" : "stdout", true);
        outputPipes.removeIf(WritePipe::ended);
        outputPipes.add(pipe);
        return pipe;
    }

    /**
     * Waits, at most {@code millis} in all, until what the program wrote through the loop's pipes
     * on its stdout and stderr is written: a program may write, close the transport and end (the
     * loop closing with it) before the pump has written, and CPython, which writes small writes at
     * once, would have its output out. Returns whether all of it is.
     */
    public boolean awaitOutput(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            for (WritePipe pipe : outputPipes) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !pipe.awaitWritten(left)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How many output pipes {@link #awaitOutput} would wait for now (ended ones not yet dropped included). */
    int outputPipeCount() {
        return outputPipes.size();
    }

    /** Whether a child can inherit the descriptors themselves ({@code stdout=None}). */
    @HostAccess.Export
    public boolean inheritable() {
        return inheritable;
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    OutputStream err() {
        return err;
    }
}
