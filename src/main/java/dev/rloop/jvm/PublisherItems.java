package dev.rloop.jvm;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;

import org.graalvm.polyglot.HostAccess;

/**
 * The items a Java {@link Flow.Publisher} delivers to a Python {@code async for}
 * ({@code rloop.java.aiter}): a {@link Flow.Subscriber} that buffers at most {@code batch} items
 * and asks the publisher for more only as Python takes them.
 *
 * <p>The publisher's threads call {@code onNext}/{@code onComplete}/{@code onError}; they queue
 * the item and, when the Python side is parked, wake the loop through {@link JavaCompletions}
 * (one wake-up per park, not per item). The loop thread takes items with {@link #poll} and parks
 * with {@link #park}; it also sends the {@code request}s, {@code batch / 2} (at least 1) at a
 * time, so there are never more than {@code batch} items requested and not yet taken.
 */
public final class PublisherItems implements Flow.Subscriber<Object> {
    /** {@link #park} results. */
    static final int PARKED = 0, READY = 1, DONE = 2, FAILED = 3;

    private final ParkedFuture parked;
    private final int batch;
    private final int refill;
    private final ConcurrentLinkedQueue<Object> items = new ConcurrentLinkedQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean completed;
    private volatile Throwable error;
    private volatile boolean closed;
    /** Items taken since the last request. Loop thread only. */
    private int taken;

    PublisherItems(JavaCompletions completions, int batch) {
        this.parked = new ParkedFuture(completions);
        this.batch = batch;
        this.refill = Math.max(1, batch / 2);
    }

    /**
     * Subscribes to {@code publisher}, a {@link Flow.Publisher} or a Reactive Streams
     * {@code org.reactivestreams.Publisher}. Returns null when it is neither (Python raises
     * TypeError).
     */
    public static PublisherItems subscribe(JavaCompletions completions, Object publisher, int batch) {
        Flow.Publisher<?> flow = FlowPublishers.asFlow(publisher);
        if (flow == null) {
            return null;
        }
        PublisherItems items = new PublisherItems(completions, Math.max(1, batch));
        flow.subscribe(items);
        return items;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null || closed) {
            s.cancel(); // one subscription only (Reactive Streams rule 2.5), none once closed
            return;
        }
        subscription = s;
        s.request(batch);
    }

    @Override
    public void onNext(Object item) {
        if (!closed) {
            items.add(item);
            wake();
        }
    }

    @Override
    public void onError(Throwable e) {
        error = e == null ? new NullPointerException("onError(null)") : e;
        wake();
    }

    @Override
    public void onComplete() {
        completed = true;
        wake();
    }

    private void wake() {
        parked.wake();
    }

    /** The next buffered item, or null if none has arrived. Loop thread. */
    @HostAccess.Export
    public Object poll() {
        Object item = items.poll();
        if (item != null && ++taken >= refill && !completed && error == null) {
            int n = taken;
            taken = 0;
            subscription.request(n);
        }
        return item;
    }

    /**
     * After {@link #poll} gave null: {@code READY} (1) when an item arrived meanwhile,
     * {@code DONE} (2) after {@code onComplete}, {@code FAILED} (3) after {@code onError}, or
     * {@code PARKED} (0): the Python future with {@code token} is completed at the next signal.
     * Loop thread.
     */
    @HostAccess.Export
    public int park(int token) {
        synchronized (parked) {
            if (!items.isEmpty()) {
                return READY;
            }
            if (error != null) {
                return FAILED;
            }
            if (completed || closed) {
                return DONE;
            }
            parked.park(token);
            return PARKED;
        }
    }

    /** The publisher's failure, after {@link #park} said {@code FAILED}. */
    @HostAccess.Export
    public Throwable error() {
        return error;
    }

    /** "java.io.IOException: disk", for the Python exception's message. */
    @HostAccess.Export
    public String describeError() {
        return String.valueOf(error);
    }

    /** Cancels the subscription and drops buffered items ({@code aclose()}). Loop thread. */
    @HostAccess.Export
    public void close() {
        closed = true;
        items.clear();
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** Items buffered now: never more than the batch. */
    @HostAccess.Export
    public int buffered() {
        return items.size();
    }
}
