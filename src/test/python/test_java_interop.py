"""rloop.java: Java futures awaited from asyncio, blocking Java calls on virtual threads, and
Java code in run_in_executor. These exist on rloop only (a Java completion wakes the loop through
rloop's own wake-up, which the stdlib loop does not have): every class here says so in its name
and runs on rloop alone, except the one that checks the stdlib loop refuses them plainly."""

import asyncio
import time

import java

import rloop.java as rjava
from looptest import LoopTestCase

CompletableFuture = java.type("java.util.concurrent.CompletableFuture")
TimeUnit = java.type("java.util.concurrent.TimeUnit")
Executors = java.type("java.util.concurrent.Executors")
Thread = java.type("java.lang.Thread")
IllegalStateException = java.type("java.lang.IllegalStateException")
IOException = java.type("java.io.IOException")


def java_callable(result):
    """A Java Callable returning `result`, made without Python code (which Java threads must
    not run): an unstarted Thread is a Runnable that does nothing."""
    return Executors.callable(Thread(), result)


class JavaFuturesRloopOnly(LoopTestCase):
    LOOP = "rloop"

    def test_completed_future(self):
        f = CompletableFuture.completedFuture("done")
        self.assertEqual(self.run_async(rjava.wrap_future(f, loop=self.loop)), "done")

    def test_pending_future_completed_by_a_java_thread(self):
        f = CompletableFuture().completeOnTimeout(42, 50, TimeUnit.MILLISECONDS)

        async def main():
            t0 = time.monotonic()
            value = await rjava.wrap_future(f)
            return value, time.monotonic() - t0

        value, waited = self.run_async(main())
        self.assertEqual(value, 42)
        self.assertGreaterEqual(waited, 0.03)

    def test_plain_future_without_completion_callbacks(self):
        scheduler = Executors.newSingleThreadScheduledExecutor()
        try:
            f = scheduler.schedule(java_callable("plain"), 30, TimeUnit.MILLISECONDS)
            self.assertEqual(self.run_async(rjava.wrap_future(f, loop=self.loop)), "plain")
        finally:
            scheduler.shutdownNow()

    def test_unchecked_exception(self):
        f = CompletableFuture.failedFuture(IllegalStateException("boom"))
        with self.assertRaises(rjava.JavaException) as cm:
            self.run_async(rjava.wrap_future(f, loop=self.loop))
        self.assertEqual(str(cm.exception), "java.lang.IllegalStateException: boom")
        self.assertEqual(cm.exception.java.getMessage(), "boom")

    def test_checked_exception_from_a_java_thread(self):
        f = CompletableFuture().orTimeout(30, TimeUnit.MILLISECONDS)
        with self.assertRaises(rjava.JavaException) as cm:
            self.run_async(rjava.wrap_future(f, loop=self.loop))
        self.assertEqual(str(cm.exception), "java.util.concurrent.TimeoutException")
        io = CompletableFuture.failedFuture(IOException("disk"))
        with self.assertRaises(rjava.JavaException) as cm:
            self.run_async(rjava.wrap_future(io, loop=self.loop))
        self.assertEqual(str(cm.exception), "java.io.IOException: disk")

    def test_java_cancellation_cancels_the_awaiting_task(self):
        f = CompletableFuture()

        async def main():
            task = asyncio.ensure_future(rjava.wrap_future(f))
            await asyncio.sleep(0.01)
            f.cancel(True)
            with self.assertRaises(asyncio.CancelledError):
                await task
            return task.cancelled()

        self.assertTrue(self.run_async(main()))

    def test_cancelling_the_task_cancels_the_java_future(self):
        f = CompletableFuture()

        async def waiter():
            return await rjava.wrap_future(f)

        async def main():
            task = asyncio.ensure_future(waiter())
            await asyncio.sleep(0.01)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task

        self.run_async(main())
        self.assertTrue(f.isCancelled())

    def test_many_futures_completed_out_of_order(self):
        futures = [CompletableFuture().completeOnTimeout(i, (97 * i) % 50, TimeUnit.MILLISECONDS)
                   for i in range(500)]

        async def main():
            return await asyncio.gather(*(rjava.wrap_future(f) for f in futures))

        self.assertEqual(self.run_async(main()), list(range(500)))

    def test_await_a_java_future_directly(self):
        async def main():
            return await CompletableFuture().completeOnTimeout("awaited", 20, TimeUnit.MILLISECONDS)

        self.assertEqual(self.run_async(main()), "awaited")

    def test_not_a_future(self):
        with self.assertRaises(TypeError):
            rjava.wrap_future(java.type("java.util.ArrayList")(), loop=self.loop)


class BlockingJavaCallsRloopOnly(LoopTestCase):
    LOOP = "rloop"
    TIMEOUT = 300.0

    def test_java_method_on_a_virtual_thread(self):
        Math = java.type("java.lang.Math")

        async def main():
            return await rjava.run_blocking(Math.max, 3, 9)

        self.assertEqual(self.run_async(main()), 9)

    def test_java_callable_and_exception(self):
        async def main():
            ok = await rjava.run_blocking(java_callable("called"))
            with self.assertRaises(rjava.JavaException) as cm:
                await rjava.run_blocking(Thread.sleep, -1)
            return ok, str(cm.exception)

        ok, error = self.run_async(main())
        self.assertEqual(ok, "called")
        self.assertEqual(error, "java.lang.IllegalArgumentException: timeout value is negative")

    def test_ten_thousand_concurrent_sleeps(self):
        # 10,000 x 100 ms one after another would be 1,000 s; on virtual threads they overlap
        async def main():
            t0 = time.monotonic()
            await asyncio.gather(*(rjava.run_blocking(Thread.sleep, 100) for _ in range(10_000)))
            return time.monotonic() - t0

        # one after another they would take 1,000 s; a cold, busy machine needs tens of seconds
        # for the Python side of 10,000 awaits (a warm one about 1.2 s)
        self.assertLess(self.run_async(main()), 120.0)

    def test_the_loop_runs_while_java_blocks(self):
        async def main():
            ticks = 0
            call = asyncio.ensure_future(rjava.run_blocking(Thread.sleep, 300))
            while not call.done():
                ticks += 1
                await asyncio.sleep(0.01)
            await call
            return ticks

        self.assertGreater(self.run_async(main()), 5)

    def test_cancelling_interrupts_the_virtual_thread(self):
        async def main():
            t0 = time.monotonic()
            call = asyncio.ensure_future(rjava.run_blocking(Thread.sleep, 60_000))
            await asyncio.sleep(0.05)
            call.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await call
            return time.monotonic() - t0

        self.assertLess(self.run_async(main()), 10.0)

    def test_run_in_executor_runs_java_code_on_a_virtual_thread(self):
        async def main():
            loop = asyncio.get_running_loop()
            name = await loop.run_in_executor(None, Thread.currentThread)
            python = await loop.run_in_executor(None, lambda: "python")
            return name.isVirtual(), python

        self.assertEqual(self.run_async(main()), (True, "python"))

    def test_python_callable_refused(self):
        async def main():
            await rjava.run_blocking(lambda: None)

        with self.assertRaises(TypeError):
            self.run_async(main())


class StdlibLoopRefusesJavaInterop(LoopTestCase):
    LOOP = "asyncio"

    def test_wrap_future_needs_rloop(self):
        with self.assertRaises(TypeError) as cm:
            rjava.wrap_future(CompletableFuture.completedFuture(1), loop=self.loop)
        self.assertIn("rloop's event loop", str(cm.exception))
