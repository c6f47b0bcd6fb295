package dev.rloop.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

import dev.rloop.launcher.Main;
import dev.rloop.launcher.ProgramHost;

/**
 * One program the daemon runs for one command: a fresh context, on an engine of its own, with the
 * command's arguments, environment, working directory and streams, on a platform thread of its
 * own (Python runs only on platform threads). The command's frames are read on a second thread:
 * stdin replies, signals, and the end of the connection, which ends the program as a hang-up
 * ends a process.
 */
final class ProgramRun {
    private final SocketChannel channel;
    private final Frames frames;
    private final Request request;
    private final CommandStreams streams;
    private final Object lock = new Object();
    private Context context;        // once built
    private Integer forcedStatus;   // set when a signal or the command's departure ends the program
    private volatile boolean finished;

    ProgramRun(SocketChannel channel, Frames frames, Request request) {
        this.channel = channel;
        this.frames = frames;
        this.request = request;
        this.streams = new CommandStreams(frames);
    }

    /** Runs the program to its end and reports its status to the command; returns the status. */
    int run() {
        Thread reader = Thread.ofPlatform().name("rloop-daemon-command").daemon().start(this::readCommand);
        OutputStream err = streams.output(2);
        ProgramHost host = new ProgramHost(request.environment(), Path.of(request.workingDirectory()),
                streams.stdin(), streams.output(1), err, this::started);
        int status;
        try {
            status = Main.run(request.args().toArray(new String[0]), host);
        } catch (PolyglotException e) {
            status = statusOf(e, err);
        } catch (RuntimeException | StackOverflowError e) {
            // what a JVM of its own would print on the way out
            e.printStackTrace(new PrintStream(err, true));
            status = 1;
        }
        synchronized (lock) {
            finished = true;
            if (forcedStatus != null) {
                status = forcedStatus;
            }
        }
        try {
            frames.writeInt(Frames.EXIT, status);
        } catch (IOException gone) {
            // the command has gone; nobody to tell
        }
        streams.close();
        closeQuietly();
        reader.interrupt();
        return status;
    }

    private int statusOf(PolyglotException e, OutputStream err) {
        synchronized (lock) {
            if (forcedStatus != null && (e.isCancelled() || e.isInterrupted())) {
                return forcedStatus;
            }
        }
        if (e.isExit()) {
            return e.getExitStatus();
        }
        e.printStackTrace(new PrintStream(err, true));
        return 1;
    }

    private void started(Context ctx) {
        boolean cancelNow;
        synchronized (lock) {
            context = ctx;
            cancelNow = forcedStatus != null;
        }
        if (cancelNow) {
            ctx.close(true);
        }
    }

    /**
     * Ends the program now with {@code status} ({@code -N}: killed by signal N), as the default
     * action of a signal or a hang-up would end its process: the context is cancelled (its
     * threads stopped, nothing more run).
     */
    void terminate(int status) {
        Context ctx;
        synchronized (lock) {
            if (finished || forcedStatus != null) {
                return;
            }
            forcedStatus = status;
            ctx = context;
        }
        streams.close();
        if (ctx != null) {
            // on another thread: close(true) waits for the program's threads to stop, and this
            // may be the JVM's signal dispatcher, which the program's own handlers may need
            Thread.ofPlatform().name("rloop-daemon-cancel").daemon().start(() -> {
                try {
                    ctx.close(true);
                } catch (RuntimeException ignored) {
                    // already closing
                }
            });
        }
    }

    private void readCommand() {
        try {
            for (Frames.Frame f; (f = frames.read()) != null; ) {
                switch (f.type()) {
                    case Frames.STDIN -> streams.stdinData(f.payload());
                    case Frames.SIGNAL -> DaemonSignals.deliver(f.text());
                    case Frames.OUTPUT_CLOSED -> streams.outputClosed(f.payload().length > 0 ? f.payload()[0] : 0);
                    default -> throw new IOException("unexpected frame " + f.type());
                }
            }
        } catch (IOException | InterruptedException e) {
            // the connection ended
        }
        if (!finished) {
            terminate(-1); // the command went away: SIGHUP's default action
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
