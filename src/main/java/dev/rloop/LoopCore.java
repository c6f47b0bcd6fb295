package dev.rloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.ArrayList;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * The Java side of one rloop loop: the timer heap, the blocking wait and the thread-safe wake-up.
 *
 * <p>The Python class {@code rloop.Loop} runs the iterations and the ready queue itself, because
 * a call from Java into Python costs about a microsecond here (see docs/ARCHITECTURE.md) while a
 * Python-to-Python call costs nanoseconds; so Java never calls a callback. Python hands timers
 * to the heap here (pure-Python {@code heapq} pays for every comparison in Python) and takes the
 * due ones back as one array per iteration; it comes to Java to wait only when nothing is ready.
 * Waiting in a {@link Selector} instead of Python's {@code select.select} (20-28 us a call on
 * GraalPy) is where Java wins, and it is where the loop's own channels will be registered for
 * networking.
 *
 * <p>Threads: {@link #waitFor} runs on the loop thread; {@link #wakeup} on any thread.
 */
public final class LoopCore implements AutoCloseable {
    private final Selector selector;
    private final TimerQueue timers = new TimerQueue();
    private PythonWakeChannel pythonWake;
    /** True while Python waits in select.select: wake-ups then go through the wake channel. */
    private volatile boolean pythonPolling;
    private volatile boolean sleeping;
    private volatile boolean wakePending;
    private boolean closed;

    @HostAccess.Export
    public LoopCore() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- timers (loop thread) ----------------------------------------------------------------

    /** Queues a Python {@code TimerHandle} due at loop time {@code when}. */
    @HostAccess.Export
    public TimerEntry schedule(double when, Value handle) {
        return timers.add(when, handle);
    }

    /** When the earliest live timer is due, or +infinity when there is none. */
    @HostAccess.Export
    public double nextDue() {
        TimerEntry next = timers.peekLive();
        return next == null ? Double.POSITIVE_INFINITY : next.when;
    }

    /** Removes the live timers due before {@code end}, in order, and returns their handles. */
    @HostAccess.Export
    public Value[] popDue(double end) {
        ArrayList<Value> due = new ArrayList<>();
        TimerEntry e;
        while ((e = timers.pollDue(end)) != null) {
            due.add(e.handle);
        }
        return due.toArray(new Value[0]);
    }

    // ---- waiting ----------------------------------------------------------------------------

    /**
     * Blocks until {@link #wakeup()} or for {@code timeout} seconds (negative: no limit). Returns at
     * once when a wake-up came in since the last wait, so one that races with the loop deciding
     * to sleep is never lost: producers queue their work first and call {@code wakeup()} second.
     */
    @HostAccess.Export
    public void waitFor(double timeout) {
        sleeping = true;
        try {
            if (wakePending || closed) {
                return;
            }
            if (timeout < 0) {
                selector.select();
            } else if (timeout > 0) {
                selector.select(Math.max(1, (long) Math.ceil(timeout * 1000)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sleeping = false;
            wakePending = false;
            // A signal may interrupt the wait to let Python run its handler; the interrupt has
            // done its job once the loop is awake, and must not make every later wait spin.
            Thread.interrupted();
        }
    }

    /** Wakes the loop if it is blocked, or makes its next wait return at once. Any thread. */
    @HostAccess.Export
    public void wakeup() {
        wakePending = true;
        if (pythonPolling) {
            PythonWakeChannel pw = pythonWake;
            if (pw != null) {
                pw.signal();
            }
        } else if (sleeping) {
            selector.wakeup();
        }
    }

    // ---- waiting in Python's select.select while Python fds are watched --------------------

    /** Opens the Java end of the wake-up connection; returns the loopback port Python dials. */
    @HostAccess.Export
    public int openPythonWake() throws IOException {
        if (pythonWake == null) {
            pythonWake = new PythonWakeChannel();
        }
        return pythonWake.port();
    }

    @HostAccess.Export
    public String pythonWakeToken() {
        return java.util.HexFormat.of().formatHex(pythonWake.token());
    }

    @HostAccess.Export
    public void acceptPythonWake() throws IOException {
        pythonWake.accept();
    }

    /**
     * Switches wake-ups to the Python wake channel (true) or back to the selector (false). After
     * switching on, a wake-up that was already pending is replayed on the channel.
     */
    @HostAccess.Export
    public void setPythonPolling(boolean on) {
        pythonPolling = on;
        if (on && wakePending && pythonWake != null) {
            pythonWake.signal();
        }
    }

    /** Python drained the wake channel: the next wake-up writes to it again. */
    @HostAccess.Export
    public void pythonWakeDrained() {
        wakePending = false;
        pythonWake.drained();
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @Override
    @HostAccess.Export
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timers.clear();
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing is registered with the selector that could fail to close
        }
        if (pythonWake != null) {
            pythonWake.close();
            pythonWake = null;
        }
    }
}
