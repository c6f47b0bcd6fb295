"""Loop lifecycle: run_forever, run_until_complete, stop, close, is_running, is_closed, time."""

import asyncio
import time

import looptest
from looptest import LoopTestCase


class RunUntilCompleteTests(LoopTestCase):
    def test_coroutine_result_is_returned(self):
        async def main():
            await asyncio.sleep(0)
            return "done"
        self.assertEqual("done", self.loop.run_until_complete(main()))
        self.assertFalse(self.loop.is_running())

    def test_coroutine_exception_is_raised(self):
        class Boom(Exception):
            pass

        async def main():
            await asyncio.sleep(0)
            raise Boom("from coroutine")
        with self.assertRaisesRegex(Boom, "from coroutine"):
            self.loop.run_until_complete(main())
        self.assertFalse(self.loop.is_running())

    def test_future_completed_by_callback(self):
        fut = self.loop.create_future()
        self.loop.call_soon(fut.set_result, 42)
        self.assertEqual(42, self.loop.run_until_complete(fut))

    def test_future_completed_by_timer(self):
        fut = self.loop.create_future()
        self.loop.call_later(0.01, fut.set_result, "late")
        self.assertEqual("late", self.loop.run_until_complete(fut))

    def test_future_exception_is_raised(self):
        fut = self.loop.create_future()
        self.loop.call_soon(fut.set_exception, KeyError("k"))
        with self.assertRaises(KeyError):
            self.loop.run_until_complete(fut)

    def test_already_done_future(self):
        fut = self.loop.create_future()
        fut.set_result("ready")
        ran = []
        self.loop.call_soon(ran.append, "pending callback")
        self.assertEqual("ready", self.loop.run_until_complete(fut))
        self.assertFalse(self.loop.is_running())
        # run_until_complete still ran the loop until the done callback stopped it
        self.assertEqual(["pending callback"], ran)

    def test_cancelled_future_raises_cancelled_error(self):
        fut = self.loop.create_future()
        self.loop.call_soon(fut.cancel)
        with self.assertRaises(asyncio.CancelledError):
            self.loop.run_until_complete(fut)

    def test_task_result(self):
        async def work(x):
            await asyncio.sleep(0.001)
            return x * 2
        task = self.loop.create_task(work(21))
        self.assertEqual(42, self.loop.run_until_complete(task))
        self.assertTrue(task.done())

    def test_stopped_before_future_completed(self):
        fut = self.loop.create_future()
        self.loop.call_soon(self.loop.stop)
        with self.assertRaisesRegex(RuntimeError, "^Event loop stopped before Future completed.$"):
            self.loop.run_until_complete(fut)
        self.assertFalse(fut.done())
        self.assertFalse(self.loop.is_running())

    def test_future_of_other_loop_is_rejected(self):
        other = looptest.new_loop(self.LOOP)
        try:
            fut = other.create_future()
            with self.assertRaisesRegex(
                    ValueError, "The future belongs to a different loop than the one specified"):
                self.loop.run_until_complete(fut)
        finally:
            other.close()

    def test_can_run_many_times(self):
        async def value(v):
            await asyncio.sleep(0)
            return v
        for i in range(20):
            self.assertEqual(i, self.loop.run_until_complete(value(i)))

    def test_running_loop_is_set_only_while_running(self):
        async def main():
            return asyncio.get_running_loop(), asyncio.get_event_loop()
        running, current = self.loop.run_until_complete(main())
        self.assertIs(self.loop, running)
        self.assertIs(self.loop, current)
        with self.assertRaisesRegex(RuntimeError, "no running event loop"):
            asyncio.get_running_loop()


class RunForeverAndStopTests(LoopTestCase):
    def test_stop_from_callback(self):
        log = []
        self.loop.call_soon(log.append, 1)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.assertEqual([1], log)
        self.assertFalse(self.loop.is_running())

    def test_stop_lets_current_batch_finish(self):
        log = []

        def first():
            log.append("first")
            self.loop.call_soon(log.append, "scheduled by first")

        self.loop.call_soon(first)
        self.loop.call_soon(self.loop.stop)
        self.loop.call_soon(log.append, "after stop")
        self.loop.run_forever()
        self.assertEqual(["first", "after stop"], log)
        # what the batch scheduled waits for the next run
        self.run_briefly()
        self.assertEqual(["first", "after stop", "scheduled by first"], log)

    def test_stop_from_timer(self):
        log = []
        self.loop.call_later(0.01, log.append, "timer")
        self.loop.call_later(0.02, self.loop.stop)
        self.loop.call_later(5, log.append, "never")
        t0 = time.monotonic()
        self.run_forever_with_guard()
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(["timer"], log)

    def test_stop_before_run_forever_runs_one_iteration(self):
        log = []

        def cb():
            log.append("cb")
            self.loop.call_soon(log.append, "next iteration")

        self.loop.call_soon(cb)
        self.loop.stop()
        self.loop.run_forever()
        self.assertEqual(["cb"], log)
        self.assertFalse(self.loop.is_running())
        # the stop request was consumed: a later run_forever runs until stopped again
        self.loop.call_later(0.01, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(["cb", "next iteration"], log)

    def test_stop_twice_in_one_iteration(self):
        log = []
        self.loop.call_soon(self.loop.stop)
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.loop.call_soon(log.append, "a")
        # one `when` for both timers: they fall due in the same iteration, whose batch stop()
        # lets finish (two call_later calls could land a few microseconds apart, one iteration each)
        when = self.loop.time() + 0.01
        self.loop.call_at(when, self.loop.stop)
        self.loop.call_at(when, log.append, "b")
        self.run_forever_with_guard()
        self.assertEqual({"a", "b"}, set(log))

    def test_stop_on_idle_loop_does_not_hang(self):
        # stop() wakes the loop even when nothing else is scheduled
        self.loop.call_soon(self.loop.stop)
        t0 = time.monotonic()
        self.loop.run_forever()
        self.assertLess(time.monotonic() - t0, 1.0)

    def test_run_forever_can_be_restarted(self):
        count = []
        for i in range(10):
            self.loop.call_soon(count.append, i)
            self.loop.call_soon(self.loop.stop)
            self.loop.run_forever()
        self.assertEqual(list(range(10)), count)

    def test_is_running(self):
        seen = []
        self.assertFalse(self.loop.is_running())
        self.loop.call_soon(lambda: seen.append(self.loop.is_running()))
        self.loop.call_later(0.001, lambda: seen.append(self.loop.is_running()))
        self.loop.call_later(0.002, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual([True, True], seen)
        self.assertFalse(self.loop.is_running())

    def test_is_running_false_after_exception_escaped(self):
        def boom():
            raise KeyboardInterrupt
        self.loop.call_soon(boom)
        with self.assertRaises(KeyboardInterrupt):
            self.loop.run_forever()
        self.assertFalse(self.loop.is_running())
        with self.assertRaisesRegex(RuntimeError, "no running event loop"):
            asyncio.get_running_loop()

    def test_run_forever_inside_callback(self):
        errors = self.runtime_errors_inside_loop(self.loop.run_forever)
        self.assertEqual(["This event loop is already running"], errors)

    def test_run_until_complete_inside_callback(self):
        fut = self.loop.create_future()
        errors = self.runtime_errors_inside_loop(lambda: self.loop.run_until_complete(fut))
        self.assertEqual(["This event loop is already running"], errors)
        self.assertFalse(fut.done())

    def test_run_until_complete_inside_coroutine(self):
        async def main():
            other = asyncio.sleep(0)
            try:
                with self.assertRaisesRegex(RuntimeError, "^This event loop is already running$"):
                    self.loop.run_until_complete(other)
            finally:
                other.close()
            return "ok"
        self.assertEqual("ok", self.loop.run_until_complete(main()))

    def test_other_loop_cannot_run_inside_callback(self):
        other = looptest.new_loop(self.LOOP)
        try:
            errors = self.runtime_errors_inside_loop(other.run_forever)
            self.assertFalse(other.is_running())
        finally:
            other.close()
        self.assertEqual(["Cannot run the event loop while another loop is running"], errors)


class CloseTests(LoopTestCase):
    def test_is_closed(self):
        self.assertFalse(self.loop.is_closed())
        self.loop.close()
        self.assertTrue(self.loop.is_closed())
        self.assertFalse(self.loop.is_running())

    def test_close_twice(self):
        self.loop.close()
        self.loop.close()
        self.assertTrue(self.loop.is_closed())

    def test_close_after_running(self):
        self.loop.call_soon(self.loop.stop)
        self.loop.run_forever()
        self.loop.close()
        self.assertTrue(self.loop.is_closed())

    def test_close_running_loop(self):
        errors = self.runtime_errors_inside_loop(self.loop.close)
        self.assertEqual(["Cannot close a running event loop"], errors)
        self.assertFalse(self.loop.is_closed())

    def test_close_with_pending_callbacks_and_timers(self):
        ran = []
        self.loop.call_soon(ran.append, "soon")
        self.loop.call_later(0.001, ran.append, "later")
        self.loop.call_soon_threadsafe(ran.append, "threadsafe")
        self.loop.close()
        self.assertTrue(self.loop.is_closed())
        self.assertEqual([], ran)

    def _assert_closed_error(self, func, *args):
        with self.assertRaisesRegex(RuntimeError, "^Event loop is closed$"):
            func(*args)

    def test_scheduling_on_closed_loop(self):
        self.loop.close()
        self._assert_closed_error(self.loop.call_soon, print)
        self._assert_closed_error(self.loop.call_soon_threadsafe, print)
        self._assert_closed_error(self.loop.call_later, 0.1, print)
        self._assert_closed_error(self.loop.call_at, self.loop.time() + 0.1, print)
        self._assert_closed_error(self.loop.call_later, -1, print)

    def test_create_task_on_closed_loop(self):
        self.loop.close()

        async def coro():
            pass
        c = coro()
        try:
            self._assert_closed_error(self.loop.create_task, c)
        finally:
            c.close()

    def test_run_forever_on_closed_loop(self):
        self.loop.close()
        self._assert_closed_error(self.loop.run_forever)
        self.assertFalse(self.loop.is_running())

    def test_run_until_complete_on_closed_loop(self):
        fut = self.loop.create_future()
        self.loop.close()
        self._assert_closed_error(self.loop.run_until_complete, fut)

        async def coro():
            pass
        c = coro()
        try:
            self._assert_closed_error(self.loop.run_until_complete, c)
        finally:
            c.close()

    def test_create_future_still_works_on_closed_loop(self):
        # creating futures is not an operation on the loop's queues
        self.loop.close()
        fut = self.loop.create_future()
        self.assertIs(self.loop, fut.get_loop())
        self.assertFalse(fut.done())


class TimeTests(LoopTestCase):
    def test_time_is_monotonic_float(self):
        values = [self.loop.time() for _ in range(1000)]
        self.assertIsInstance(values[0], float)
        self.assertEqual(values, sorted(values))

    def test_time_increases(self):
        t0 = self.loop.time()
        time.sleep(0.02)
        t1 = self.loop.time()
        self.assertGreaterEqual(t1 - t0, 0.015)
        self.assertLess(t1 - t0, 1.0)

    def test_time_close_to_time_monotonic(self):
        before = time.monotonic()
        t = self.loop.time()
        after = time.monotonic()
        # same clock: loop time lies between two monotonic readings (with a little slack)
        self.assertGreaterEqual(t, before - 0.01)
        self.assertLessEqual(t, after + 0.01)

    def test_time_works_on_closed_loop(self):
        self.loop.close()
        self.assertIsInstance(self.loop.time(), float)

    def test_time_inside_callbacks_follows_timers(self):
        stamps = []
        start = self.loop.time()
        for d in (0.03, 0.01, 0.02):
            self.loop.call_later(d, lambda d=d: stamps.append((d, self.loop.time())))
        self.loop.call_later(0.04, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual([0.01, 0.02, 0.03], [d for d, _ in stamps])
        times = [t for _, t in stamps]
        self.assertEqual(times, sorted(times))
        self.assertGreaterEqual(times[0], start)
