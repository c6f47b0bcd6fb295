package dev.rloop.jvm;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import dev.rloop.LoopCore;

/**
 * Java outcomes on their way to one loop: Java futures the loop's Python futures await, and
 * blocking Java calls run on virtual threads for it.
 *
 * <p>The thread that completes a Java future (any thread: a pool's, a virtual thread, the
 * caller's) never enters Python: it queues a {@link Completion} here and wakes the loop through
 * {@link LoopCore#wakeup()}, the same wake-up {@code call_soon_threadsafe} uses; the loop thread
 * drains the queue after its wait ({@code rloop.java}) and converts values there.
 */
public final class JavaCompletions {
    private final LoopCore core;
    private final ConcurrentLinkedQueue<Completion> done = new ConcurrentLinkedQueue<>();
    private final AtomicInteger tokens = new AtomicInteger();
    /** Virtual threads running blocking calls, by token, so that cancelling interrupts them. */
    private final Map<Integer, Thread> running = new ConcurrentHashMap<>();

    public JavaCompletions(LoopCore core) {
        this.core = core;
    }

    /**
     * Watches a Java future: a {@link CompletionStage} through its completion callback, a plain
     * {@link Future} (which has none) through a virtual thread blocked in {@code get()}. Returns
     * the token its {@link Completion} will carry.
     */
    @HostAccess.Export
    public int watch(Object future) {
        if (!(future instanceof CompletionStage<?>) && !(future instanceof Future<?>)) {
            return 0; // not a future: Python raises TypeError
        }
        if (future instanceof CompletionStage<?> stage) {
            int token = tokens.incrementAndGet();
            stage.whenComplete((value, error) -> complete(token, value, error));
            return token;
        }
        return start(((Future<?>) future)::get);
    }

    /** Cancels a watched Java future (its awaiting Python task was cancelled). */
    @HostAccess.Export
    public boolean cancel(Object future) {
        if (future instanceof Future<?> f) {
            return f.cancel(true);
        }
        if (future instanceof CompletionStage<?> stage) {
            return stage.toCompletableFuture().cancel(true);
        }
        return false;
    }

    /**
     * Runs a blocking Java call on a fresh virtual thread: {@code call} is a Java object
     * {@link BlockingCall#of} accepts. Returns the token of its {@link Completion}, or 0 when
     * {@code call} is none of those (Python raises TypeError).
     */
    @HostAccess.Export
    public int runBlocking(Object call, Object[] args) {
        BlockingCall blocking = BlockingCall.of(call, args);
        return blocking == null ? 0 : start(blocking);
    }

    /** {@link #runBlocking} for a Java method as GraalPy hands it over (a host function). */
    @HostAccess.Export
    public int runBlockingMethod(Value method, Object[] args) {
        return start(BlockingCall.ofMethod(method, args));
    }

    private int start(BlockingCall blocking) {
        int token = tokens.incrementAndGet();
        Thread t = Thread.ofVirtual().name("rloop-blocking-" + token).unstarted(() -> {
            try {
                complete(token, blocking.call(), null);
            } catch (Throwable e) {
                complete(token, null, e instanceof InterruptedException
                        ? new CancellationException("interrupted: the awaiting task was cancelled") : e);
            } finally {
                running.remove(token);
            }
        });
        running.put(token, t);
        t.start();
        return token;
    }

    /** Interrupts the virtual thread of a blocking call or watched plain future (its task was cancelled). */
    @HostAccess.Export
    public void interrupt(int token) {
        Thread t = running.get(token);
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Queues a coroutine for the loop (any thread): it arrives as a completion with token 0 and
     * the {@link Submission} as its value; a later one with the same submission asks the loop to
     * cancel its task (Java cancelled the future).
     */
    public CompletableFuture<Value> submit(Value target, Object[] args) {
        Submission s = new Submission(tokens.incrementAndGet(), target, args);
        s.result().whenComplete((v, e) -> {
            if (s.cancelRequested()) {
                queue(s);
            }
        });
        queue(s);
        return s.result();
    }

    /** Asks the loop to stop (any thread): a completion with token 0 and no value. */
    public void stopLoop() {
        done.add(new Completion(0, null, null, true));
        core.wakeup();
    }

    private void queue(Submission s) {
        done.add(new Completion(0, s, null, false));
        core.wakeup();
    }

    /**
     * A token of this loop's for a Python future that Java code completes through
     * {@link #signal}: how {@link PublisherItems} and {@link GeneratorPublisher} wake a waiting
     * Python side.
     */
    @HostAccess.Export
    public int newToken() {
        return tokens.incrementAndGet();
    }

    /** Completes the Python future waiting under {@code token} with None (any thread). */
    void signal(int token) {
        done.add(new Completion(token, null, null, false));
        core.wakeup();
    }

    /** The next completion, or null. Loop thread. */
    @HostAccess.Export
    public Completion poll() {
        return done.poll();
    }

    private void complete(int token, Object value, Throwable error) {
        Throwable cause = unwrap(error);
        done.add(new Completion(token, value, cause, cause instanceof CancellationException));
        core.wakeup();
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
