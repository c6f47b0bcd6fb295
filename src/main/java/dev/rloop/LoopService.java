package dev.rloop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import dev.rloop.jvm.JavaCompletions;

/**
 * An rloop event loop running as a service on a platform thread of its own, for Java hosts:
 * Java threads hand it coroutines with {@link #submit} and get Java futures back.
 *
 * <pre>{@code
 * try (Context ctx = RLoop.newContext(List.of("service"));
 *      LoopService loop = RLoop.startLoop(ctx)) {
 *     Value fetch = ctx.eval("python", "import asyncio\nasync def fetch(n):\n    await asyncio.sleep(0.1)\n    return n * 2\nfetch");
 *     int doubled = loop.submit(fetch, 21).get().asInt();   // 42
 * }
 * }</pre>
 *
 * Submitting never runs Python on the caller's thread: the submission is queued in Java and the
 * loop woken as {@code call_soon_threadsafe} wakes it; the loop thread starts the task.
 */
public final class LoopService implements AutoCloseable {
    private final Thread thread;
    private final AtomicReference<JavaCompletions> queue = new AtomicReference<>();
    private final CountDownLatch attached = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private LoopService(Context context) {
        thread = Thread.ofPlatform().name("rloop-service-loop").daemon().stackSize(16 << 20).unstarted(() -> {
            try {
                context.eval("python", "import rloop.java\nrloop.java._serve").executeVoid(this);
            } catch (PolyglotException e) {
                if (!e.isCancelled()) {
                    failure.set(e);
                }
            } catch (RuntimeException e) {
                failure.set(e);
            } finally {
                attached.countDown();
            }
        });
    }

    /** Starts a loop on its own thread in {@code context} (built by {@link RLoop}); returns once it runs. */
    static LoopService start(Context context) {
        LoopService service = new LoopService(context);
        service.thread.start();
        try {
            if (!service.attached.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the loop did not start within 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the loop started", e);
        }
        if (service.queue.get() == null) {
            throw new IllegalStateException("the loop did not start", service.failure.get());
        }
        return service;
    }

    /** Called by the loop thread once the loop is ready for submissions. */
    @HostAccess.Export
    public void attach(JavaCompletions completions) {
        queue.set(completions);
        attached.countDown();
    }

    /**
     * Runs a coroutine on the loop, from any thread: {@code target} is a coroutine, or a
     * coroutine function (or any callable returning an awaitable) called with {@code args} on the
     * loop thread. The future completes with the task's result, fails with a
     * {@link dev.rloop.jvm.Submission.PythonTaskException} whose message is the Python traceback,
     * or is cancelled when the task is; cancelling it cancels the task.
     */
    public CompletableFuture<Value> submit(Value target, Object... args) {
        JavaCompletions q = queue.get();
        if (q == null || !thread.isAlive()) {
            throw new IllegalStateException("the loop is not running");
        }
        return q.submit(target, args);
    }

    /** Whether the loop thread still runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Stops the loop (its remaining tasks are cancelled, its async generators and executor shut
     * down, as {@code asyncio.run} does at its end) and waits for its thread to end.
     */
    @Override
    public void close() {
        JavaCompletions q = queue.get();
        if (q != null) {
            q.stopLoop();
        }
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the loop did not stop within a minute");
        }
    }
}
