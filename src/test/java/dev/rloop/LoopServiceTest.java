package dev.rloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.rloop.jvm.Submission;

/**
 * {@link RLoop#startLoop} and {@link LoopService#submit}: Java threads hand coroutines to a loop
 * running on its own thread and get Java futures back, with results, Python exceptions and
 * cancellation crossing over. One context for the class (each costs seconds); a loop per test.
 */
class LoopServiceTest {
    private static final String PYTHON = """
            import asyncio
            cancelled = []

            async def square(n):
                await asyncio.sleep(0.001)
                return n * n

            async def fail(message):
                await asyncio.sleep(0)
                raise ValueError(message)

            async def sleep_long(tag):
                try:
                    await asyncio.sleep(60)
                except asyncio.CancelledError:
                    cancelled.append(tag)
                    raise

            async def cancelled_tags():
                return list(cancelled)

            async def loop_module():
                return type(asyncio.get_running_loop()).__module__
            """;

    private static Context ctx;

    @BeforeAll
    static void context() {
        ctx = RLoop.newContext(List.of("service"));
        ctx.eval("python", PYTHON);
    }

    @AfterAll
    static void closeContext() {
        ctx.close();
    }

    private static Value fn(String name) {
        return ctx.getBindings("python").getMember(name);
    }

    @Test
    void submitsFromEightJavaThreadsAtOnce() throws Exception {
        try (LoopService loop = RLoop.startLoop(ctx)) {
            assertEquals("rloop.loop", loop.submit(fn("loop_module")).get(60, TimeUnit.SECONDS).asString());
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<Long>> sums = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int base = t * 1000;
                    sums.add(threads.submit(() -> {
                        List<CompletableFuture<Value>> mine = new ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            mine.add(loop.submit(fn("square"), base + i));
                        }
                        long sum = 0;
                        for (CompletableFuture<Value> f : mine) {
                            sum += f.get(120, TimeUnit.SECONDS).asLong();
                        }
                        return sum;
                    }));
                }
                for (int t = 0; t < 8; t++) {
                    long expected = 0;
                    for (int i = 0; i < 100; i++) {
                        expected += (long) (t * 1000 + i) * (t * 1000 + i);
                    }
                    assertEquals(expected, sums.get(t).get(180, TimeUnit.SECONDS));
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aPythonExceptionFailsTheFutureWithItsTraceback() {
        try (LoopService loop = RLoop.startLoop(ctx)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> loop.submit(fn("fail"), "bad input").get(60, TimeUnit.SECONDS));
            assertInstanceOf(Submission.PythonTaskException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("ValueError: bad input"), e.getCause().getMessage());
            assertTrue(e.getCause().getMessage().contains("Traceback"), e.getCause().getMessage());
        }
    }

    @Test
    void cancellationCrossesBothWays() throws Exception {
        try (LoopService loop = RLoop.startLoop(ctx)) {
            // Java cancels: the Python task is cancelled
            CompletableFuture<Value> f = loop.submit(fn("sleep_long"), "from-java");
            Thread.sleep(200);
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::join);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<String> tags = List.of();
            while (!tags.contains("from-java") && System.nanoTime() < deadline) {
                Value v = loop.submit(fn("cancelled_tags")).get(60, TimeUnit.SECONDS);
                tags = v.as(List.class);
                Thread.sleep(20);
            }
            assertTrue(tags.contains("from-java"), "the Python task was not cancelled: " + tags);
            // Python cancels: the Java future is cancelled
            Value coro = ctx.eval("python", """
                    async def cancel_self():
                        asyncio.current_task().cancel()
                        await asyncio.sleep(1)
                    cancel_self()""");
            CompletableFuture<Value> g = loop.submit(coro);
            assertThrows(CancellationException.class, () -> g.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeCancelsWhatRunsAndEndsTheThread() throws Exception {
        LoopService loop = RLoop.startLoop(ctx);
        CompletableFuture<Value> f = loop.submit(fn("sleep_long"), "at-close");
        loop.submit(fn("square"), 2).get(60, TimeUnit.SECONDS);
        loop.close();
        assertFalse(loop.isRunning());
        assertTrue(f.isCancelled());
        assertThrows(IllegalStateException.class, () -> loop.submit(fn("square"), 3));
    }
}
