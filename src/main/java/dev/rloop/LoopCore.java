package dev.rloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.rloop.jfr.LoopSampler;
import dev.rloop.net.DirectPoll;
import dev.rloop.net.NetChannels;
import dev.rloop.net.PythonSocketWatch;
import dev.rloop.net.Registered;

import org.graalvm.polyglot.HostAccess;

/**
 * The Java side of one rloop loop: the blocking wait and the thread-safe wake-up.
 *
 * <p>The Python class {@code rloop.Loop} runs the iterations, the ready queue and the timers
 * itself, because a call between Python and Java costs more than the Python work it would
 * replace once GraalPy has compiled it (see docs/ARCHITECTURE.md); so Java never calls a callback
 * and Python comes here only to wait, when nothing is ready. Waiting in a {@link Selector}
 * instead of Python's {@code select.select} (20-28 us a call on GraalPy) is where Java wins, and
 * it is where the loop's own channels will be registered for networking.
 *
 * <p>Threads: {@link #waitFor} runs on the loop thread; {@link #wakeup} on any thread.
 */
public final class LoopCore implements AutoCloseable {
    /** The last {@link #nextEvent} of a wait after which the loop's JFR sample is due. */
    public static final long SAMPLE_DUE = -2;
    /** Set in an event when another may follow, so Python asks for the next one only then. */
    public static final long MORE = 1L << 62;

    private final Selector selector;
    /** The selector's epoll instance polled directly (null where it cannot be); see DirectPoll. */
    private final DirectPoll directPoll;
    /** Events of the last wait that the direct poll found, handed out first by nextEvent. */
    private int directNext;
    private int directCount;
    private final NetChannels net;
    private final PythonSocketWatch pythonSockets;
    private final ChannelWatcher watcher;
    private final LoopSampler sampler;
    private Iterator<SelectionKey> events;
    /** {@link #nextEvent} ends with {@link #SAMPLE_DUE} once: Python hands its counts to JFR. */
    private boolean sampleDue;
    /**
     * Events posted by Java threads for loop objects that are not selectable channels (a
     * process's pipes and exit, pumped by virtual threads): {@code id << 5 | ops}, as
     * {@link #nextEvent} returns them.
     */
    private final ConcurrentLinkedQueue<Long> posted = new ConcurrentLinkedQueue<>();
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
            this.directPoll = DirectPoll.open(selector);
            this.net = new NetChannels(selector, directPoll);
            this.pythonSockets = new PythonSocketWatch(selector);
            this.watcher = new ChannelWatcher(selector, this::signalPythonWake);
            this.sampler = new LoopSampler(this::wakeup);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- waiting ----------------------------------------------------------------------------

    /**
     * Blocks until a registered channel is ready, {@link #wakeup()} is called, or for
     * {@code timeout} seconds (negative: no limit; 0: only polls the channels). Returns the first
     * event of the wait as {@link #nextEvent()} returns it (with {@link #MORE} set when more
     * follow), -1 when nothing is ready, or {@link #SAMPLE_DUE} when only the loop's JFR sample
     * is due: an iteration with one ready channel, the common case in an echo, then makes one
     * call into Java instead of three (wait, event, end of events; about 180 ns each, measured
     * under JMH). Returns at once when a wake-up came in since the last wait, so one that races
     * with the loop deciding to sleep is never lost: producers queue their work first and call
     * {@code wakeup()} second.
     *
     * <p>While no registration or interest change is pending and none of Python's sockets is
     * watched, the wait first polls the selector's epoll instance directly ({@link DirectPoll}):
     * an echo finds its peer's answer there already, without java.nio's selection around the
     * system call. Anything else, and any wait that has to block, goes through the selector.
     */
    @HostAccess.Export
    public long waitFor(double timeout) {
        if (closed) {
            return -1;
        }
        directNext = directCount = 0;
        if (directPoll != null && !pythonSockets.watching() && selector.selectedKeys().isEmpty()) {
            // an echo's wait: what it waits for is there already (see DirectPoll)
            int found = directPoll.poll();
            if (found > 0 || (found == 0 && timeout == 0)) {
                directCount = found;
                events = null;
                sampleDue = sampler.due();
                return nextEvent();
            }
            if (found == DirectPoll.FALLBACK) {
                timeout = 0;  // something is ready that the selector must see to: only poll
            }
        }
        if (!pythonSockets.register()) {
            wakePending = true;  // Python must move a socket off the selector before it sleeps
        }
        sleeping = true;
        try {
            if (wakePending || timeout == 0) {
                pollChannels();
            } else if (timeout < 0) {
                selector.select();
            } else {
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
            pythonSockets.release();
        }
        if (directPoll != null && !pythonSockets.watching()) {
            directPoll.selected();
        }
        return collectEvents();
    }

    private long collectEvents() {
        directNext = directCount = 0;
        // the selected-key set may hold keys the channel watcher selected, which select calls
        // here do not count again: what matters is what the set holds
        events = selector.selectedKeys().isEmpty() ? null : selector.selectedKeys().iterator();
        sampleDue = sampler.due();
        return nextEvent();
    }

    /**
     * The next ready channel of the last wait, as {@code id << 5 | readyOps} (the
     * {@link SelectionKey} bits) plus {@link #MORE} when another event may follow; -1 when there
     * is none left ({@link #SAMPLE_DUE} instead when the loop's JFR sample is due). Events posted
     * by Java threads ({@link #post}) come after the channels'.
     */
    @HostAccess.Export
    public long nextEvent() {
        if (directNext < directCount) {
            long event = directPoll.event(directNext++);
            return directNext < directCount || moreAfterChannels() ? event | MORE : event;
        }
        Iterator<SelectionKey> it = events;
        while (it != null && it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (key.isValid()) {
                long event = ((long) ((Registered) key.attachment()).id() << 5) | key.readyOps();
                return it.hasNext() || moreAfterChannels() ? event | MORE : event;
            }
        }
        events = null;
        long socketEvent = pythonSockets.nextEvent();
        if (socketEvent != -1) {
            return moreAfterChannels() ? socketEvent | MORE : socketEvent;
        }
        Long p = posted.poll();
        if (p != null) {
            return sampleDue || !posted.isEmpty() ? p | MORE : p;
        }
        if (sampleDue) {
            sampleDue = false;
            return SAMPLE_DUE;
        }
        return -1;
    }

    /** Whether events other than the selected channels' are left: Python's sockets', posted, the sample. */
    private boolean moreAfterChannels() {
        return pythonSockets.hasEvents() || sampleDue || !posted.isEmpty();
    }

    /** The loop's JFR events ({@code dev.rloop.LoopIteration}, {@code LoopLag}, {@code SlowCallback}). */
    @HostAccess.Export
    public LoopSampler sampler() {
        return sampler;
    }

    /**
     * Before the loop waits in Python's {@code select.select}: has the channel watcher wake that
     * wait when one of the loop's channels becomes ready (only if any is registered).
     */
    @HostAccess.Export
    public void watchChannels() {
        if (!pythonSockets.register()) {
            wakeup();  // Python must move a socket off the selector before it sleeps
        }
        if (!selector.keys().isEmpty()) {
            watcher.arm();
        }
    }

    /**
     * After the wait in {@code select.select}: stops the channel watcher and collects the ready
     * channels; returns the first event as {@link #waitFor} does.
     */
    @HostAccess.Export
    public long channelsWatched() {
        watcher.disarm();
        try {
            pollChannels();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pythonSockets.release();
        }
        return collectEvents();
    }

    /** Updates the selected keys without waiting; no syscall when no channel is registered. */
    private void pollChannels() throws IOException {
        if (!selector.keys().isEmpty()) {
            selector.selectNow();
        }
    }

    private void signalPythonWake() {
        PythonWakeChannel pw = pythonWake;
        if (pw != null) {
            pw.signal();
        }
    }

    /** add_reader/add_writer for Python's own sockets, on this loop's selector. */
    @HostAccess.Export
    public PythonSocketWatch pythonSockets() {
        return pythonSockets;
    }

    /** The factory for this loop's sockets. */
    @HostAccess.Export
    public NetChannels net() {
        return net;
    }

    /**
     * Posts the event {@code id << 5 | ops} for the loop's next {@link #nextEvent}s and wakes the
     * loop (any thread): how Java threads that are no channels (a process's pipe pumps, its
     * exit) make the loop run a handler registered under {@code id}, as a ready channel does.
     */
    public void post(int id, int ops) {
        posted.add(((long) id << 5) | ops);
        wakeup();
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
        watcher.close();
        sampler.close();
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
