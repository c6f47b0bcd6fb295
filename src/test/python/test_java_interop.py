"""rloop.java: Java futures awaited from asyncio, blocking Java calls on virtual threads, and
Java code in run_in_executor. These exist on rloop only (a Java completion wakes the loop through
rloop's own wake-up, which the stdlib loop does not have): every class here says so in its name
and runs on rloop alone, except the one that checks the stdlib loop refuses them plainly."""

import asyncio
import time
import unittest

import java

import rloop.java as rjava
from looptest import LoopTestCase

CompletableFuture = java.type("java.util.concurrent.CompletableFuture")
TimeUnit = java.type("java.util.concurrent.TimeUnit")
Executors = java.type("java.util.concurrent.Executors")
Thread = java.type("java.lang.Thread")
IllegalStateException = java.type("java.lang.IllegalStateException")
IOException = java.type("java.io.IOException")
try:
    TestFlows = java.type("dev.rloop.jvm.TestFlows")
    DemandRecorder = java.type("dev.rloop.jvm.TestFlows$DemandRecorder")
    BatchSubscriber = java.type("dev.rloop.jvm.TestFlows$BatchSubscriber")
except KeyError:
    # not on the class path: the suite run through the launcher (_harness.py as a program)
    TestFlows = DemandRecorder = BatchSubscriber = None
needs_test_flows = unittest.skipIf(TestFlows is None, "the Java test classes (dev.rloop.jvm.TestFlows) are not on "
                                   "the class path: run the suite through mvn verify")


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

    def test_the_java_future_is_cancelled_before_its_canceller_resumes(self):
        # asyncio.wrap_future's order for a concurrent.futures.Future: by the time the task that
        # awaited (or the code that cancelled the wrapper) runs again, the other side knows
        wrapped, in_task = CompletableFuture(), CompletableFuture()
        seen = {}

        async def waiter():
            try:
                await rjava.wrap_future(in_task)
            except asyncio.CancelledError:
                seen["in the task"] = in_task.isCancelled()
                raise

        async def main():
            t = asyncio.ensure_future(rjava.wrap_future(wrapped))
            w = asyncio.ensure_future(waiter())
            await asyncio.sleep(0.01)
            t.cancel()
            w.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await t
            seen["after awaiting the wrapper"] = wrapped.isCancelled()
            with self.assertRaises(asyncio.CancelledError):
                await w

        self.run_async(main())
        self.assertEqual(seen, {"after awaiting the wrapper": True, "in the task": True})

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


@needs_test_flows
class FlowPublisherAsAsyncIteratorRloopOnly(LoopTestCase):
    LOOP = "rloop"

    def test_submission_publisher_of_100000_items(self):
        publisher = TestFlows.counting(100_000)

        async def main():
            return [item async for item in rjava.aiter(publisher)]

        items = self.run_async(main(), timeout=120)
        self.assertEqual(len(items), 100_000)
        self.assertEqual(items, list(range(100_000)))

    def _consume_slowly(self, publisher, batch, seen_buffered):
        async def main():
            got = []
            iterator = rjava.aiter(publisher, batch=batch)
            async for item in iterator:
                got.append(item)
                seen_buffered.append(iterator._items.buffered())
                if item % 50 == 0:
                    await asyncio.sleep(0.002)  # the producer gets ahead, up to the demand
            return got
        return self.run_async(main(), timeout=60)

    def test_back_pressure_bounds_what_is_requested(self):
        publisher = DemandRecorder(3000, -1)
        buffered = []
        self.assertEqual(self._consume_slowly(publisher, 8, buffered), list(range(3000)))
        self.assertLessEqual(publisher.maxOutstanding(), 8)
        self.assertLessEqual(max(buffered), 8)

    def test_batch_of_one_requests_one_item_at_a_time(self):
        publisher = DemandRecorder(300, -1)
        self.assertEqual(self._consume_slowly(publisher, 1, []), list(range(300)))
        self.assertEqual(publisher.maxOutstanding(), 1)

    def test_on_error_raises_after_the_items_before_it(self):
        publisher = DemandRecorder(1000, 50)

        async def main():
            got = []
            with self.assertRaises(rjava.JavaException) as cm:
                async for item in rjava.aiter(publisher):
                    got.append(item)
            return got, cm.exception

        got, error = self.run_async(main())
        self.assertEqual(got, list(range(50)))
        self.assertEqual(str(error), "java.io.IOException: producer failed after 50")

    def test_aclose_cancels_the_subscription(self):
        publisher = DemandRecorder(1_000_000, -1)

        async def main():
            iterator = rjava.aiter(publisher, batch=4)
            got = [await anext(iterator) for _ in range(10)]
            await iterator.aclose()
            with self.assertRaises(StopAsyncIteration):
                await anext(iterator)
            return got

        self.assertEqual(self.run_async(main()), list(range(10)))
        self.assertTrue(publisher.cancelled())
        self.assertLess(publisher.delivered(), 100)

    def test_async_with_closes(self):
        publisher = DemandRecorder(1_000_000, -1)

        async def main():
            async with rjava.aiter(publisher) as iterator:
                async for item in iterator:
                    if item == 5:
                        break
        self.run_async(main())
        self.assertTrue(publisher.cancelled())

    def test_cancelled_waiter_loses_no_item(self):
        publisher = TestFlows.counting(20)

        async def main():
            iterator = rjava.aiter(publisher)
            first = await anext(iterator)
            # a wait_for that gives up while the next item may be on its way
            try:
                second = await asyncio.wait_for(anext(iterator), 1e-6)
                rest = [second]
            except asyncio.TimeoutError:
                rest = []
            rest += [item async for item in iterator]
            return [first] + rest

        self.assertEqual(self.run_async(main()), list(range(20)))

    def test_reactive_streams_publisher(self):
        FlowAdapters = java.type("org.reactivestreams.FlowAdapters")
        publisher = FlowAdapters.toPublisher(TestFlows.counting(1000))

        async def main():
            return [item async for item in rjava.aiter(publisher, batch=32)]

        self.assertEqual(self.run_async(main()), list(range(1000)))

    def test_not_a_publisher(self):
        async def main():
            with self.assertRaises(TypeError):
                rjava.aiter(java.type("java.lang.String")("text"))
            with self.assertRaises(TypeError):
                rjava.aiter([1, 2, 3])
            with self.assertRaises(ValueError):
                rjava.aiter(TestFlows.counting(1), batch=0)
        self.run_async(main())


@needs_test_flows
class AsyncGeneratorAsFlowPublisherRloopOnly(LoopTestCase):
    LOOP = "rloop"

    def test_java_subscriber_gets_every_item_at_its_pace(self):
        async def numbers():
            for i in range(10_000):
                if i % 1000 == 0:
                    await asyncio.sleep(0)
                yield i

        subscriber = BatchSubscriber(100, -1)

        async def main():
            rjava.publisher(numbers()).subscribe(subscriber)
            return await rjava.wrap_future(subscriber.result())

        items = self.run_async(main(), timeout=60)
        self.assertEqual(list(items), list(range(10_000)))
        self.assertEqual(subscriber.overDelivered(), 0)

    def test_generator_runs_only_as_far_as_the_demand(self):
        produced = []
        closed = []

        async def numbers():
            try:
                for i in range(1000):
                    produced.append(i)
                    yield i
            finally:
                closed.append(True)

        subscriber = BatchSubscriber(5, 5)

        async def main():
            rjava.publisher(numbers()).subscribe(subscriber)
            items = await rjava.wrap_future(subscriber.result())
            for _ in range(50):
                if closed:
                    break
                await asyncio.sleep(0.01)
            return items

        self.assertEqual(list(self.run_async(main())), [0, 1, 2, 3, 4])
        self.assertEqual(produced, [0, 1, 2, 3, 4])  # nothing pulled beyond the demand
        self.assertEqual(closed, [True])  # cancel() closed the generator

    def test_generator_exception_reaches_on_error(self):
        async def failing():
            yield "a"
            raise ValueError("bad item")

        subscriber = BatchSubscriber(10, -1)

        async def main():
            rjava.publisher(failing()).subscribe(subscriber)
            await rjava.wrap_future(subscriber.result())

        with self.assertRaises(rjava.JavaException) as cm:
            self.run_async(main())
        self.assertIn("ValueError: bad item", str(cm.exception))
        self.assertIn("PythonTaskException", str(cm.exception))

    def test_second_subscriber_is_refused(self):
        async def one():
            yield 1

        async def main():
            pub = rjava.publisher(one())
            first, second = BatchSubscriber(1, -1), BatchSubscriber(1, -1)
            pub.subscribe(first)
            pub.subscribe(second)
            with self.assertRaises(rjava.JavaException) as cm:
                await rjava.wrap_future(second.result())
            self.assertIn("IllegalStateException", str(cm.exception))
            return list(await rjava.wrap_future(first.result()))

        self.assertEqual(self.run_async(main()), [1])

    def test_jdk_http_body_subscriber(self):
        # a subscriber from the JDK itself: java.net.http's string body collector
        BodySubscribers = java.type("java.net.http.HttpResponse$BodySubscribers")
        ByteBuffer = java.type("java.nio.ByteBuffer")
        JList = java.type("java.util.List")
        UTF_8 = java.type("java.nio.charset.StandardCharsets").UTF_8

        async def chunks():
            for i in range(500):
                yield JList.of(ByteBuffer.wrap(f"{i};".encode()))

        async def main():
            subscriber = BodySubscribers.ofString(UTF_8)
            rjava.publisher(chunks()).subscribe(subscriber)
            return await subscriber.getBody()

        self.assertEqual(self.run_async(main()), "".join(f"{i};" for i in range(500)))

    def test_not_an_async_generator(self):
        async def main():
            with self.assertRaises(TypeError):
                rjava.publisher([1, 2])
        self.run_async(main())


class StdlibLoopRefusesJavaInterop(LoopTestCase):
    LOOP = "asyncio"

    def test_wrap_future_needs_rloop(self):
        with self.assertRaises(TypeError) as cm:
            rjava.wrap_future(CompletableFuture.completedFuture(1), loop=self.loop)
        self.assertIn("rloop's event loop", str(cm.exception))
