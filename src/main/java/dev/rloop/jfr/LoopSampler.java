package dev.rloop.jfr;

import org.graalvm.polyglot.HostAccess;

/**
 * One loop's JFR events: {@code dev.rloop.LoopIteration} and {@code dev.rloop.LoopLag} once per
 * sample period (1 s; {@code -Drloop.jfr.period=<ms>}), {@code dev.rloop.SlowCallback} when a
 * callback was slow.
 *
 * <p>The counting is Python's ({@code rloop.Loop}): iterations always (one addition), and, only
 * while {@link #observing()}, the callbacks run and the lateness of due timers. Python hands
 * its counts over in {@link #sample}, when its iteration count reaches the threshold the last
 * sample returned, or when a wait returns with {@link #due()} set. Loop thread, except
 * {@link #recordingsChanged}.
 */
public final class LoopSampler {
    /** Iterations between samples while no recording takes rloop's events. */
    static final long IDLE_SPAN = 1 << 16;
    private static final long PERIOD_NANOS = Long.getLong("rloop.jfr.period", 1000) * 1_000_000L;

    private final Runnable wakeup;
    private final int id;
    private volatile boolean changed;
    private boolean observing;
    private long lastSample;
    private long lastIterations;
    private long lastCallbacks;
    private long waits;

    public LoopSampler(Runnable wakeup) {
        this.wakeup = wakeup;
        this.id = LoopEvents.register(this);
    }

    /** Whether the loop should hand over its counts now (the loop has just waited). */
    public boolean due() {
        waits++;
        if (changed) {
            return true;
        }
        return observing && System.nanoTime() - lastSample >= PERIOD_NANOS;
    }

    /** A recording started or stopped: the loop hears of it at its next wait, which this ends. */
    void recordingsChanged() {
        changed = true;
        wakeup.run();
    }

    /**
     * Takes the loop's counts (totals since it started; lateness over the iterations since the
     * last sample, in seconds), commits the events of the period that ended, and returns the
     * iteration count at which Python should call again.
     */
    @HostAccess.Export
    public long sample(long iterations, long callbacks, double maxLateness, double sumLateness, long batches) {
        long now = System.nanoTime();
        boolean wasObserving = observing && !changed;
        changed = false;
        observing = LoopEvents.observing();
        long period = now - lastSample;
        if (wasObserving && period > 0) {
            commit(iterations - lastIterations, callbacks - lastCallbacks, maxLateness, sumLateness, batches, period);
        }
        long span = iterations - lastIterations;
        lastSample = now;
        lastIterations = iterations;
        lastCallbacks = callbacks;
        waits = 0;
        if (!observing) {
            return iterations + IDLE_SPAN;
        }
        // aim the next sample at the end of the next period, at the rate of this one
        long next = period > 0 && wasObserving ? (long) (span * (double) PERIOD_NANOS / period) : 256;
        return iterations + Math.max(256, Math.min(next, IDLE_SPAN * 16));
    }

    private void commit(long iterations, long callbacks, double maxLateness, double sumLateness, long batches, long period) {
        LoopIterationEvent it = new LoopIterationEvent();
        if (it.isEnabled()) {
            it.loop = id;
            it.iterations = iterations;
            it.callbacks = callbacks;
            it.waits = waits;
            it.period = period;
            it.commit();
        }
        LoopLagEvent lag = new LoopLagEvent();
        if (batches > 0 && lag.isEnabled()) {
            lag.loop = id;
            lag.batches = batches;
            lag.maxLateness = (long) (maxLateness * 1e9);
            lag.meanLateness = (long) (sumLateness / batches * 1e9);
            lag.period = period;
            lag.commit();
        }
    }

    /** Whether a recording takes rloop's events: then Python times callbacks and timers. */
    @HostAccess.Export
    public boolean observing() {
        return observing;
    }

    /** A callback took {@code seconds}, at least {@code threshold} (seconds). */
    @HostAccess.Export
    public void slowCallback(String callback, double seconds, double threshold) {
        SlowCallbackEvent e = new SlowCallbackEvent();
        if (e.isEnabled()) {
            e.loop = id;
            e.callback = callback;
            e.took = (long) (seconds * 1e9);
            e.threshold = (long) (threshold * 1e9);
            e.commit();
        }
    }

    /** The loop is closed: no more recordings to hear of. */
    public void close() {
        LoopEvents.unregister(this);
    }
}
