"""call_soon_threadsafe and waking a blocked loop from other threads."""

import asyncio
import threading
import time

from looptest import LoopTestCase


class CallSoonThreadsafeTests(LoopTestCase):
    def _start_thread(self, target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        self.addCleanup(t.join, 10)
        return t

    def test_many_threads_nothing_lost(self):
        # 8 x 5,000 takes tens of seconds on GraalPy (on either loop: producer threads compete
        # for the GIL), so fewer callbacks per thread; the race is the same
        n_threads, per_thread = 8, 400
        total = n_threads * per_thread
        received = {k: [] for k in range(n_threads)}
        count = [0]
        barrier = threading.Barrier(n_threads)
        errors = []

        def on_loop(k, i):
            received[k].append(i)
            count[0] += 1
            if count[0] == total:
                self.loop.stop()

        def producer(k):
            try:
                barrier.wait(5)
                for i in range(per_thread):
                    self.loop.call_soon_threadsafe(on_loop, k, i)
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)

        def start_producers():
            # started from a callback: the loop is running and then blocks with nothing to do
            for k in range(n_threads):
                self._start_thread(producer, k)

        self.loop.call_soon(start_producers)
        t0 = time.monotonic()
        self.run_forever_with_guard(timeout=15)
        elapsed = time.monotonic() - t0
        self.assertEqual([], errors)
        self.assertEqual(total, count[0])
        for k in range(n_threads):
            # each producer's callbacks run in the order that producer queued them
            self.assertEqual(list(range(per_thread)), received[k], f"thread {k}")
        self.assertLess(elapsed, 15)

    def test_wakes_blocked_loop_promptly(self):
        delays = []

        def on_loop(sent):
            delays.append(time.monotonic() - sent)
            if len(delays) == 5:
                self.loop.stop()

        def producer():
            for _ in range(5):
                time.sleep(0.02)   # the loop is idle and blocked meanwhile
                self.loop.call_soon_threadsafe(on_loop, time.monotonic())

        self.loop.call_soon(self._start_thread, producer)
        self.run_forever_with_guard(timeout=10)
        self.assertEqual(5, len(delays))
        self.assertLess(max(delays), 0.5, delays)

    def test_wakes_loop_sleeping_on_long_timer(self):
        log = []
        self.loop.call_later(30, log.append, "long timer")

        def producer():
            time.sleep(0.05)
            self.loop.call_soon_threadsafe(log.append, "from thread")
            self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(self._start_thread, producer)
        t0 = time.monotonic()
        self.run_forever_with_guard(timeout=10)
        elapsed = time.monotonic() - t0
        self.assertEqual(["from thread"], log)
        self.assertLess(elapsed, 2.0)
        self.assertGreaterEqual(elapsed, 0.04)

    def test_wake_while_timer_pending_keeps_timer(self):
        # a wake-up must not lose or prematurely fire the pending timer
        log = []
        self.loop.call_later(0.15, log.append, "timer")
        self.loop.call_later(0.16, self.loop.stop)

        def producer():
            time.sleep(0.03)
            self.loop.call_soon_threadsafe(log.append, "thread")

        self.loop.call_soon(self._start_thread, producer)
        self.run_forever_with_guard(timeout=10)
        self.assertEqual(["thread", "timer"], log)

    def test_stop_from_other_thread(self):
        def stopper():
            time.sleep(0.05)
            self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(self._start_thread, stopper)
        t0 = time.monotonic()
        self.run_forever_with_guard(timeout=10)
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertFalse(self.loop.is_running())

    def test_queued_while_not_running(self):
        log = []

        def producer():
            for i in range(100):
                self.loop.call_soon_threadsafe(log.append, i)

        t = self._start_thread(producer)
        t.join(10)
        self.assertEqual([], log)
        self.run_briefly()
        self.assertEqual(list(range(100)), log)

    def test_returns_handle_that_can_be_cancelled(self):
        log = []
        h = self.loop.call_soon_threadsafe(log.append, "cancelled")
        self.loop.call_soon_threadsafe(log.append, "kept")
        self.assertIsInstance(h, asyncio.Handle)
        h.cancel()
        self.run_briefly()
        self.assertEqual(["kept"], log)

    def test_args_and_context_from_thread(self):
        import contextvars
        var = contextvars.ContextVar("threadsafe_var", default="unset")
        seen = []

        def producer():
            var.set("producer thread")
            self.loop.call_soon_threadsafe(lambda a, b: seen.append((a, b, var.get())), 1, 2)
            ctx = contextvars.Context()
            ctx.run(var.set, "explicit")
            self.loop.call_soon_threadsafe(lambda: seen.append(var.get()), context=ctx)
            self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(self._start_thread, producer)
        self.run_forever_with_guard(timeout=10)
        self.assertEqual([(1, 2, "producer thread"), "explicit"], seen)

    def test_run_coroutine_threadsafe(self):
        async def double(x):
            await asyncio.sleep(0.001)
            return 2 * x

        results = []

        def client():
            try:
                for i in range(20):
                    fut = asyncio.run_coroutine_threadsafe(double(i), self.loop)
                    results.append(fut.result(5))
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(self._start_thread, client)
        self.run_forever_with_guard(timeout=10)
        self.assertEqual([2 * i for i in range(20)], results)

    def test_future_completed_from_thread(self):
        fut = self.loop.create_future()

        def worker():
            time.sleep(0.03)
            self.loop.call_soon_threadsafe(fut.set_result, "from thread")

        self._start_thread(worker)
        t0 = time.monotonic()
        self.assertEqual("from thread", self.run_async(fut, timeout=10))
        self.assertLess(time.monotonic() - t0, 2.0)

    def test_non_threadsafe_call_from_thread_in_debug_mode(self):
        self.loop.set_debug(True)
        errors = []

        def intruder():
            for call in (lambda: self.loop.call_soon(print),
                         lambda: self.loop.call_later(1, print),
                         lambda: self.loop.call_at(self.loop.time() + 1, print)):
                try:
                    call()
                except RuntimeError as exc:
                    errors.append(str(exc))
            self.loop.call_soon_threadsafe(self.loop.stop)

        self.loop.call_soon(self._start_thread, intruder)
        self.run_forever_with_guard(timeout=10)
        self.assertEqual(
            ["Non-thread-safe operation invoked on an event loop other than the current one"] * 3,
            errors)
