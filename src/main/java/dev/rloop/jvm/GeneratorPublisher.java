package dev.rloop.jvm;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * A Python async generator as a {@link Flow.Publisher} ({@code rloop.java.publisher}): a task on
 * the loop takes the generator's next item only when the subscriber has requested one.
 *
 * <p>Any thread may subscribe, request and cancel: those only add demand or set a flag and, when
 * the task is parked waiting for demand, wake the loop through {@link JavaCompletions}. The
 * subscriber's {@code onNext}, {@code onComplete} and {@code onError} run on the loop thread
 * (they carry Python values, and Python runs there), so a subscriber that blocks in them blocks
 * the loop: hand slow work to another thread, as Flow asks of subscribers anyway.
 *
 * <p>Items reach Java as {@link Value#as(Class) Value.as(Object.class)} makes them: Java objects
 * as they are, Python ints, floats, strings and bools as boxed Java values, other Python objects
 * as polyglot views. An async generator runs once, so the publisher takes one subscriber; a
 * second gets {@code onError(IllegalStateException)}.
 */
public final class GeneratorPublisher implements Flow.Publisher<Object> {
    private final ParkedFuture parked;
    private final String description;
    private Flow.Subscriber<? super Object> subscriber; // guarded by this
    private boolean subscribed;                          // onSubscribe returned; guarded by this
    private long demand;                                 // guarded by this
    private boolean cancelled;                           // guarded by this
    private boolean finished;                            // a terminal signal was sent; guarded by this
    private long badRequest;                             // a request(n) with n <= 0; guarded by this
    private Throwable subscriberFailure;                 // thrown by onNext; loop thread

    GeneratorPublisher(JavaCompletions completions, String description) {
        this.parked = new ParkedFuture(completions);
        this.description = description;
    }

    public static GeneratorPublisher create(JavaCompletions completions, String description) {
        return new GeneratorPublisher(completions, description);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Object> s) {
        Objects.requireNonNull(s, "subscriber");
        boolean first;
        synchronized (this) {
            first = subscriber == null;
            if (first) {
                subscriber = s;
            }
        }
        if (!first) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException(description + " has a subscriber already: an async generator runs once"));
            return;
        }
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (GeneratorPublisher.this) {
                    if (n <= 0) {
                        badRequest = n;
                    } else {
                        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n; // saturates, as Flow allows
                    }
                }
                wake();
            }

            @Override
            public void cancel() {
                synchronized (GeneratorPublisher.this) {
                    cancelled = true;
                }
                wake();
            }
        });
        synchronized (this) {
            subscribed = true; // signals to s may start only now (Flow's rule 1.3: serially)
        }
        wake();
    }

    private void wake() {
        parked.wake();
    }

    /**
     * How many items the task may send now; 0 when none (the Python future with {@code token}
     * is completed when that changes); -1 when the task should stop: the subscriber cancelled,
     * requested a non-positive number (it then gets {@code onError}, rule 3.9) or threw.
     * Loop thread.
     */
    @HostAccess.Export
    public long demand(int token) {
        Flow.Subscriber<? super Object> s;
        long bad;
        synchronized (this) {
            if (cancelled || finished || subscriberFailure != null) {
                return -1;
            }
            if (badRequest == 0) {
                if (subscribed && demand > 0) {
                    return demand;
                }
                parked.park(token); // under this lock: a request() changes demand under it first
                return 0;
            }
            bad = badRequest;
            finished = true;
            s = subscriber;
        }
        s.onError(new IllegalArgumentException("request(" + bad + "): Flow subscriptions take positive requests only"));
        return -1;
    }

    /** Sends one item; returns the demand left, or -1 when the task should stop. Loop thread. */
    @HostAccess.Export
    public long next(Value item) {
        Flow.Subscriber<? super Object> s;
        synchronized (this) {
            if (cancelled || finished) {
                return -1;
            }
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            s = subscriber;
        }
        try {
            s.onNext(item.as(Object.class));
        } catch (Throwable e) {
            subscriberFailure = e; // a subscriber must not throw (rule 2.13): treat it as cancelled
            return -1;
        }
        synchronized (this) {
            return cancelled ? -1 : demand;
        }
    }

    /** What {@code onNext} threw, if it did. */
    @HostAccess.Export
    public Throwable subscriberFailure() {
        return subscriberFailure;
    }

    /** The generator ended: {@code onComplete}. Loop thread. */
    @HostAccess.Export
    public void complete() {
        Flow.Subscriber<? super Object> s = finish();
        if (s != null) {
            s.onComplete();
        }
    }

    /** The generator raised: {@code onError} with the Python traceback as the message. Loop thread. */
    @HostAccess.Export
    public void fail(String traceback) {
        failWith(new Submission.PythonTaskException(traceback));
    }

    /** The loop cancelled the task (it is closing): {@code onError(CancellationException)}. */
    @HostAccess.Export
    public void abandon(String why) {
        failWith(new CancellationException(why));
    }

    private void failWith(Throwable error) {
        Flow.Subscriber<? super Object> s = finish();
        if (s != null) {
            s.onError(error);
        }
    }

    /** Marks the publisher finished; returns the subscriber to signal, or null if none is due one. */
    private synchronized Flow.Subscriber<? super Object> finish() {
        if (finished || cancelled || !subscribed) {
            finished = true;
            return null;
        }
        finished = true;
        return subscriber;
    }

    @Override
    public String toString() {
        return "rloop publisher of " + description;
    }
}
