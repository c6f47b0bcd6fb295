package dev.rloop;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * One scheduled call: the Python {@code TimerHandle} and when it is due (loop time, seconds).
 *
 * <p>The Python handle keeps a reference to its entry so that {@code TimerHandle.cancel()} can tell
 * the queue in O(1); the queue then skips the entry instead of searching for it.
 */
public final class TimerEntry {
    private final TimerQueue owner;
    final double when;
    final long seq;
    final Value handle;
    boolean cancelled;
    boolean queued = true;

    TimerEntry(TimerQueue owner, double when, long seq, Value handle) {
        this.owner = owner;
        this.when = when;
        this.seq = seq;
        this.handle = handle;
    }

    /** Marks the entry cancelled; called from Python on the loop thread. Idempotent. */
    @HostAccess.Export
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            if (queued) {
                owner.onCancelled();
            }
        }
    }
}
