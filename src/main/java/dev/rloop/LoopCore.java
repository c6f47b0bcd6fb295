package dev.rloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * The heart of one rloop event loop: the ready queue, the timer heap, the blocking wait and the
 * thread-safe wake-up. The Python class {@code rloop.Loop} owns one core and delegates to it.
 *
 * <p>Threads: everything except {@link #callSoonThreadsafe}, {@link #wakeup} and {@link #stop} runs
 * on the loop thread, the thread inside {@link #runForever}. Handles from other threads go through
 * a lock-free inbox that the loop drains once per iteration.
 *
 * <p>Semantics follow asyncio's {@code BaseEventLoop._run_once}: one iteration waits (not at all
 * when work is ready or the loop is stopping), moves due timers to the ready queue, then runs
 * exactly the handles that were ready at that point; anything they schedule runs in the next
 * iteration.
 */
public final class LoopCore implements AutoCloseable {
    /** The longest single wait, as in asyncio (a day), so huge timeouts never overflow. */
    private static final double MAX_WAIT_SECONDS = 24 * 3600;
    /**
     * The longest wait on Python's main thread. GraalPy runs Python signal handlers (SIGINT's
     * KeyboardInterrupt, asyncio.Runner's cancel-on-Ctrl-C) only when the thread executes Python
     * code; a thread parked in a Java selector would never get to them. Waking this often costs
     * nothing measurable and bounds Ctrl-C latency.
     */
    private static final double MAIN_THREAD_MAX_WAIT_SECONDS = 0.2;

    private final ArrayDeque<Value> ready = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Value> inbox = new ConcurrentLinkedQueue<>();
    private final TimerQueue timers = new TimerQueue();
    private final Selector selector;
    private final double clockResolution;

    /** Python: {@code run(handle)} runs one handle unless it was cancelled. */
    private Value runner;
    /** Python: a no-op, called after a capped main-thread wait so pending signal handlers run. */
    private Value checkpoint;
    private boolean onMainThread;
    /** Python: {@code poll(timeout)} waits in select.select; null while no Python fd is watched. */
    private Value poller;
    private PythonWakeChannel pythonWake;

    private volatile boolean stopping;
    private volatile boolean sleeping;
    private volatile Thread loopThread;
    private boolean closed;

    @HostAccess.Export
    public LoopCore(Value runner, double clockResolution) {
        this.runner = runner;
        this.clockResolution = clockResolution;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loop time in seconds: the same clock as Python's {@code time.monotonic()} on GraalPy. */
    @HostAccess.Export
    public static double time() {
        return System.nanoTime() / 1e9;
    }

    @HostAccess.Export
    public void setRunner(Value runner) {
        this.runner = runner;
    }

    // ---- scheduling -------------------------------------------------------------------------

    @HostAccess.Export
    public void callSoon(Value handle) {
        ready.addLast(handle);
    }

    @HostAccess.Export
    public void callSoonThreadsafe(Value handle) {
        inbox.add(handle);
        wakeup();
    }

    @HostAccess.Export
    public TimerEntry callAt(double when, Value handle) {
        return timers.add(when, handle);
    }

    @HostAccess.Export
    public int readyCount() {
        return ready.size() + inbox.size();
    }

    @HostAccess.Export
    public int timerCount() {
        return timers.liveCount();
    }

    // ---- running ----------------------------------------------------------------------------

    @HostAccess.Export
    public boolean isRunning() {
        return loopThread != null;
    }

    @HostAccess.Export
    public void stop() {
        stopping = true;
        wakeup();
    }

    /**
     * Runs iterations until {@link #stop()}. Called from Python's {@code run_forever}, which did
     * the asyncio bookkeeping (running loop, asyncgen hooks) already. A Python exception that
     * escapes a handle (only SystemExit, KeyboardInterrupt and other BaseExceptions do) ends the
     * loop and propagates to the caller unchanged.
     */
    @HostAccess.Export
    public void runForever(boolean pythonMainThread, Value signalCheckpoint) {
        onMainThread = pythonMainThread;
        checkpoint = signalCheckpoint;
        loopThread = Thread.currentThread();
        try {
            while (true) {
                runOnce();
                if (stopping) {
                    break;
                }
            }
        } finally {
            stopping = false;
            loopThread = null;
        }
    }

    private void runOnce() {
        drainInbox();
        double timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else {
            TimerEntry next = timers.peekLive();
            if (next == null) {
                timeout = -1;
            } else {
                timeout = Math.min(Math.max(0, next.when - time()), MAX_WAIT_SECONDS);
            }
        }
        if (onMainThread && (timeout < 0 || timeout > MAIN_THREAD_MAX_WAIT_SECONDS)) {
            waitForEvents(MAIN_THREAD_MAX_WAIT_SECONDS);
            checkpoint.executeVoid();
        } else {
            waitForEvents(timeout);
        }
        drainInbox();

        double end = time() + clockResolution;
        TimerEntry due;
        while ((due = timers.pollDue(end)) != null) {
            ready.addLast(due.handle);
        }

        Value run = runner;
        for (int n = ready.size(); n > 0; n--) {
            Value handle = ready.pollFirst();
            if (handle == null) {
                break; // close() from inside a callback emptied the queue
            }
            run.executeVoid(handle);
        }
    }

    private void drainInbox() {
        Value h;
        while ((h = inbox.poll()) != null) {
            ready.addLast(h);
        }
    }

    /** Blocks for up to {@code timeout} seconds (negative: until woken). */
    private void waitForEvents(double timeout) {
        Value poll = poller;
        if (poll != null) {
            poll.executeVoid(timeout);
            return;
        }
        if (timeout == 0) {
            return;
        }
        sleeping = true;
        try {
            if (!inbox.isEmpty() || stopping) {
                return;
            }
            if (timeout < 0) {
                selector.select();
            } else {
                selector.select(Math.max(1, (long) Math.ceil(timeout * 1000)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sleeping = false;
            // A signal may interrupt the wait to let Python run its handler; the interrupt has
            // done its job once the loop is awake, and must not make every later wait spin.
            Thread.interrupted();
        }
    }

    /** Wakes the loop if it is blocked. Any thread. */
    @HostAccess.Export
    public void wakeup() {
        PythonWakeChannel pw = pythonWake;
        if (poller != null && pw != null) {
            pw.signal();
        } else if (sleeping) {
            selector.wakeup();
        }
    }

    // ---- Python fd watching -----------------------------------------------------------------

    /**
     * Switches the wait to Python's {@code select.select} (non-null poller) or back to the Java
     * selector (null). The wake channel must exist before the poller is installed.
     */
    @HostAccess.Export
    public void setPoller(Value poll) {
        // Python's None arrives as a Value that is null inside, not as a Java null
        poll = (poll == null || poll.isNull()) ? null : poll;
        this.poller = poll;
        // a thread that queued work while the loop was switching must still wake it
        if (poll != null && pythonWake != null && !inbox.isEmpty()) {
            pythonWake.signal();
        }
    }

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

    @HostAccess.Export
    public void pythonWakeDrained() {
        pythonWake.drained();
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @HostAccess.Export
    public boolean isClosed() {
        return closed;
    }

    @Override
    @HostAccess.Export
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready.clear();
        inbox.clear();
        timers.clear();
        poller = null;
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
