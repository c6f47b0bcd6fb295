"""Scheduling: call_soon, call_later, call_at, handles, cancellation, arguments and contexts."""

import asyncio
import contextvars
import functools
import random
import time

import looptest
from looptest import LoopTestCase

_var = contextvars.ContextVar("rloop_test_scheduling_var", default="default")


class _IterationCounter:
    """Counts loop iterations: a callback that re-schedules itself once per iteration."""

    def __init__(self, loop):
        self.loop = loop
        self.value = 0
        self.handle = loop.call_soon(self._tick)

    def _tick(self):
        self.value += 1
        self.handle = self.loop.call_soon(self._tick)

    def stop(self):
        self.handle.cancel()


class CallSoonTests(LoopTestCase):
    def test_fifo_order(self):
        log = []
        for i in range(500):
            self.loop.call_soon(log.append, i)
        self.run_briefly()
        self.assertEqual(list(range(500)), log)

    def test_returns_handle(self):
        h = self.loop.call_soon(print)
        self.assertIsInstance(h, asyncio.Handle)
        self.assertNotIsInstance(h, asyncio.TimerHandle)
        self.assertFalse(h.cancelled())
        h.cancel()

    def test_args_are_passed(self):
        got = []
        self.loop.call_soon(lambda *a: got.append(a), 1, "two", None)
        self.loop.call_soon(lambda: got.append(()))
        self.run_briefly()
        self.assertEqual([(1, "two", None), ()], got)

    def test_functools_partial_and_bound_method(self):
        got = []
        self.loop.call_soon(functools.partial(got.append, "partial"))
        self.loop.call_soon(got.append, "method")
        self.run_briefly()
        self.assertEqual(["partial", "method"], got)

    def test_chain_runs_one_callback_per_iteration(self):
        log = []

        def step(i):
            log.append(i)
            if i < 10:
                self.loop.call_soon(step, i + 1)

        self.loop.call_soon(step, 0)
        for expected in range(1, 5):
            self.run_briefly()
            self.assertEqual(list(range(expected)), log)

    def test_callbacks_scheduled_during_iteration_wait(self):
        log = []

        def a():
            log.append("a")
            self.loop.call_soon(log.append, "a-child")

        self.loop.call_soon(a)
        self.loop.call_soon(log.append, "b")
        self.run_briefly()
        self.assertEqual(["a", "b"], log)
        self.run_briefly()
        self.assertEqual(["a", "b", "a-child"], log)

    def test_cancel_before_run(self):
        log = []
        h = self.loop.call_soon(log.append, "cancelled")
        self.loop.call_soon(log.append, "kept")
        h.cancel()
        self.assertTrue(h.cancelled())
        self.run_briefly()
        self.assertEqual(["kept"], log)

    def test_cancel_from_earlier_callback_in_same_batch(self):
        log = []
        handles = []
        self.loop.call_soon(lambda: handles[0].cancel())
        handles.append(self.loop.call_soon(log.append, "victim"))
        self.loop.call_soon(log.append, "survivor")
        self.run_briefly()
        self.assertEqual(["survivor"], log)
        self.assertTrue(handles[0].cancelled())

    def test_cancel_twice_and_after_run(self):
        h = self.loop.call_soon(lambda: None)
        self.run_briefly()
        self.assertFalse(h.cancelled())
        h.cancel()
        h.cancel()
        self.assertTrue(h.cancelled())

    def test_many_callbacks(self):
        count = [0]

        def inc():
            count[0] += 1

        for _ in range(20000):
            self.loop.call_soon(inc)
        self.run_briefly()
        self.assertEqual(20000, count[0])


class CallLaterTests(LoopTestCase):
    def _run_until_stopped_by(self, delay):
        self.loop.call_later(delay, self.loop.stop)
        self.run_forever_with_guard()

    def test_order_by_delay(self):
        log = []
        handles = {d: self.loop.call_later(d, log.append, d) for d in (0.03, 0.01, 0.0, 0.02, 0.005)}
        self._run_until_stopped_by(0.05)
        # by due time (a pause between the call_later calls may reorder close delays)
        self.assertEqual(sorted(handles, key=lambda d: handles[d].when()), log)
        self.assertEqual(5, len(log))

    def test_order_by_when(self):
        log = []
        base = self.loop.time()
        offsets = [0.004 * i for i in range(10)]
        random.Random(7).shuffle(offsets)
        for off in offsets:
            self.loop.call_at(base + off, log.append, off)
        self.loop.call_at(base + 0.05, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(sorted(offsets), log)

    def test_equal_times_all_run_in_one_iteration(self):
        counter = _IterationCounter(self.loop)
        seen = []
        when = self.loop.time() + 0.01
        for i in range(20):
            self.loop.call_at(when, lambda i=i: seen.append((i, counter.value)))
        self.loop.call_at(when + 0.02, self.loop.stop)
        self.run_forever_with_guard()
        counter.stop()
        self.assertEqual(set(range(20)), {i for i, _ in seen})
        self.assertEqual(20, len(seen))
        self.assertEqual(1, len({it for _, it in seen}), "equal-time timers split over iterations")

    def test_negative_delay_runs_after_ready_callbacks(self):
        log = []
        self.loop.call_later(-1, log.append, "minus one")
        self.loop.call_soon(log.append, "soon")
        self.loop.call_later(-2, log.append, "minus two")
        self.loop.call_at(self.loop.time() - 10, log.append, "past call_at")
        self.loop.call_later(0, log.append, "zero")
        self.run_briefly()
        # due timers join the ready queue behind what was already ready, in time order
        self.assertEqual(["soon", "past call_at", "minus two", "minus one", "zero"], log)

    def test_timer_scheduled_by_callback_runs_later(self):
        log = []

        def first():
            log.append("first")
            self.loop.call_later(0, log.append, "timer from first")

        self.loop.call_soon(first)
        self.loop.call_soon(log.append, "second")
        self.run_briefly()
        self.assertEqual(["first", "second"], log)
        self.run_briefly()
        self.assertEqual(["first", "second", "timer from first"], log)

    def test_delay_none(self):
        with self.assertRaisesRegex(TypeError, "^delay must not be None$"):
            self.loop.call_later(None, print)

    def test_when_none(self):
        with self.assertRaisesRegex(TypeError, "^when cannot be None$"):
            self.loop.call_at(None, print)

    def test_non_number_delay(self):
        for bad in ("1.5", "soon", b"1", [1]):
            with self.subTest(repr(bad)):
                with self.assertRaises(TypeError):
                    self.loop.call_later(bad, print)

    def test_non_number_when(self):
        # The stdlib loop raises when the heap compares the new timer with a pending one (and
        # keeps the bad entry, so every case gets a loop of its own that is closed unrun).
        for bad in ("1.5", "soon", b"1", [1]):
            with self.subTest(repr(bad)):
                loop = looptest.new_loop(self.LOOP)
                try:
                    loop.call_later(10, print)
                    with self.assertRaises(TypeError):
                        loop.call_at(bad, print)
                finally:
                    loop.close()

    def test_returns_timer_handle_with_when(self):
        t0 = self.loop.time()
        h = self.loop.call_later(10, print)
        t1 = self.loop.time()
        self.assertIsInstance(h, asyncio.TimerHandle)
        self.assertIsInstance(h, asyncio.Handle)
        self.assertGreaterEqual(h.when(), t0 + 10)
        self.assertLessEqual(h.when(), t1 + 10)
        when = self.loop.time() + 3.25
        h2 = self.loop.call_at(when, print)
        self.assertIsInstance(h2, asyncio.TimerHandle)
        self.assertEqual(when, h2.when())
        self.assertFalse(h.cancelled())
        h.cancel()
        h2.cancel()
        self.assertTrue(h.cancelled())
        self.assertTrue(h2.cancelled())

    def test_args_are_passed(self):
        got = []
        self.loop.call_later(0, lambda *a: got.append(("later",) + a), 1, 2)
        self.loop.call_at(self.loop.time(), lambda *a: got.append(("at",) + a), "x")
        self.loop.call_later(0.005, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual([("later", 1, 2), ("at", "x")], got)

    def test_cancelled_timer_never_runs(self):
        log = []
        h = self.loop.call_later(0.01, log.append, "cancelled")
        self.loop.call_later(0.02, log.append, "kept")
        h.cancel()
        self.assertTrue(h.cancelled())
        self._run_until_stopped_by(0.04)
        self.assertEqual(["kept"], log)

    def test_cancel_twice(self):
        log = []
        h = self.loop.call_later(0.001, log.append, "x")
        h.cancel()
        h.cancel()
        self.assertTrue(h.cancelled())
        self._run_until_stopped_by(0.01)
        self.assertEqual([], log)

    def test_cancel_after_fired_is_harmless(self):
        log = []
        h = self.loop.call_later(0, log.append, "fired")
        self._run_until_stopped_by(0.005)
        h.cancel()
        self.assertTrue(h.cancelled())
        self.loop.call_later(0, log.append, "again")
        self._run_until_stopped_by(0.005)
        self.assertEqual(["fired", "again"], log)

    def test_cancel_due_timer_from_callback_in_same_iteration(self):
        log = []
        when = self.loop.time() + 0.005
        handles = {}
        handles["killer"] = self.loop.call_at(when, lambda: handles["victim"].cancel())
        handles["victim"] = self.loop.call_at(when + 1e-6, log.append, "victim")
        self.loop.call_at(when + 2e-6, log.append, "survivor")
        self._run_until_stopped_by(0.03)
        self.assertEqual(["survivor"], log)

    def test_cancel_timer_of_the_only_wait(self):
        # the loop must not sleep until a cancelled timer's deadline
        self.loop.call_later(30, print).cancel()
        self.loop.call_later(0.01, self.loop.stop)
        t0 = time.monotonic()
        self.run_forever_with_guard()
        self.assertLess(time.monotonic() - t0, 2.0)

    def test_cancel_many_timers(self):
        n = 5000
        base = self.loop.time() + 0.01
        rnd = random.Random(1234)
        order = list(range(n))
        rnd.shuffle(order)                     # schedule in random order
        handles = {}
        log = []
        for i in order:
            handles[i] = self.loop.call_at(base + i * 2e-6, log.append, i)
        cancelled = set(rnd.sample(range(n), int(n * 0.3)))
        for i in cancelled:
            handles[i].cancel()
        self.assertEqual(n * 3 // 10, len(cancelled))
        self.loop.call_at(base + n * 2e-6 + 0.01, self.loop.stop)
        self.run_forever_with_guard()
        expected = [i for i in range(n) if i not in cancelled]
        self.assertEqual(len(expected), len(log))
        self.assertEqual(expected, log)

    def test_cancel_most_timers(self):
        # far more cancelled than live timers: the queue may drop them wholesale
        n = 4000
        base = self.loop.time() + 0.005
        handles = [self.loop.call_at(base + i * 2e-6, lambda i=i: log.append(i)) for i in range(n)]
        log = []
        keep = set(range(0, n, 10))
        for i in range(n):
            if i not in keep:
                handles[i].cancel()
        # more timers after the purge, some earlier than all survivors
        for i in range(n, n + 50):
            handles.append(self.loop.call_at(base - 1 + i * 1e-6, lambda i=i: log.append(i)))
        self.loop.call_at(base + n * 2e-6 + 0.01, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(list(range(n, n + 50)) + sorted(keep), log)

    def test_cancel_timers_while_running(self):
        # each callback cancels a later timer; half of them are gone by the time they are due
        n = 2000
        base = self.loop.time() + 0.005
        handles = []
        log = []

        def cb(i):
            log.append(i)
            if i + 1 < n:
                handles[i + 1].cancel()

        for i in range(n):
            handles.append(self.loop.call_at(base + i * 1e-6, cb, i))
        self.loop.call_at(base + 0.02, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(list(range(0, n, 2)), log)

    def test_timer_does_not_fire_early(self):
        res = time.get_clock_info("monotonic").resolution
        fired = []
        start_mono = time.monotonic()
        when = self.loop.time() + 0.05
        self.loop.call_at(when, lambda: fired.append((self.loop.time(), time.monotonic())))
        self.loop.call_at(when + 0.01, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(1, len(fired))
        loop_t, mono_t = fired[0]
        self.assertGreaterEqual(loop_t, when - res)
        self.assertGreaterEqual(mono_t - start_mono, 0.05 - res - 0.001)
        self.assertLess(loop_t - when, 1.0)

    def test_call_later_does_not_fire_early(self):
        stamps = []
        t0 = time.monotonic()
        for d in (0.01, 0.03):
            self.loop.call_later(d, lambda d=d: stamps.append((d, time.monotonic() - t0)))
        self._run_until_stopped_by(0.04)
        self.assertEqual([0.01, 0.03], [d for d, _ in stamps])
        for d, elapsed in stamps:
            self.assertGreaterEqual(elapsed, d - 0.001)

    def test_far_future_timer_does_not_block_stop(self):
        self.loop.call_later(10 ** 9, print)
        self.loop.call_at(self.loop.time() + 1e12, print)
        self._run_until_stopped_by(0.01)

    def test_many_timers_run_in_order(self):
        log = []
        base = self.loop.time() + 0.002
        rnd = random.Random(99)
        whens = [base + rnd.random() * 0.02 for _ in range(3000)]
        for w in whens:
            self.loop.call_at(w, log.append, w)
        self.loop.call_at(base + 0.03, self.loop.stop)
        self.run_forever_with_guard()
        self.assertEqual(sorted(whens), log)


class ContextTests(LoopTestCase):
    def setUp(self):
        super().setUp()
        self._token = _var.set("caller")

    def tearDown(self):
        _var.reset(self._token)
        super().tearDown()

    def _schedulers(self):
        loop = self.loop
        return {
            "call_soon": lambda cb, **kw: loop.call_soon(cb, **kw),
            "call_soon_threadsafe": lambda cb, **kw: loop.call_soon_threadsafe(cb, **kw),
            "call_later": lambda cb, **kw: loop.call_later(0, cb, **kw),
            "call_at": lambda cb, **kw: loop.call_at(loop.time(), cb, **kw),
        }

    def test_runs_in_given_context(self):
        for name, schedule in self._schedulers().items():
            with self.subTest(name):
                ctx = contextvars.Context()
                ctx.run(_var.set, "in ctx")
                seen = []

                def cb():
                    seen.append(_var.get())
                    _var.set("changed by callback")

                h = schedule(cb, context=ctx)
                self.assertIs(ctx, h.get_context())
                self.loop.call_later(0.002, self.loop.stop)
                self.run_forever_with_guard()
                self.assertEqual(["in ctx"], seen)
                self.assertEqual("changed by callback", ctx[_var])
                self.assertEqual("caller", _var.get())

    def test_runs_in_copy_of_caller_context(self):
        for name, schedule in self._schedulers().items():
            with self.subTest(name):
                seen = []

                def cb():
                    seen.append(_var.get())
                    _var.set("changed by callback")

                _var.set("at schedule time")
                schedule(cb)
                _var.set("after scheduling")
                self.loop.call_later(0.002, self.loop.stop)
                self.run_forever_with_guard()
                self.assertEqual(["at schedule time"], seen)
                self.assertEqual("after scheduling", _var.get())

    def test_same_context_shared_by_callbacks(self):
        ctx = contextvars.copy_context()
        seen = []
        self.loop.call_soon(_var.set, "first", context=ctx)
        self.loop.call_soon(lambda: seen.append(_var.get()), context=ctx)
        self.run_briefly()
        self.assertEqual(["first"], seen)


class DebugChecksTests(LoopTestCase):
    def setUp(self):
        super().setUp()
        self.loop.set_debug(True)

    def test_non_callable(self):
        for name, call in (("call_soon", lambda cb: self.loop.call_soon(cb)),
                           ("call_soon_threadsafe", lambda cb: self.loop.call_soon_threadsafe(cb)),
                           ("call_at", lambda cb: self.loop.call_later(0.1, cb)),
                           ("call_at", lambda cb: self.loop.call_at(self.loop.time(), cb))):
            with self.subTest(name):
                with self.assertRaisesRegex(
                        TypeError, rf"^a callable object was expected by {name}\(\), got 42$"):
                    call(42)
                with self.assertRaisesRegex(
                        TypeError, rf"^a callable object was expected by {name}\(\), got 'text'$"):
                    call("text")

    def test_coroutine_function(self):
        async def coro_func():
            pass
        for name, call in (("call_soon", lambda cb: self.loop.call_soon(cb)),
                           ("call_soon_threadsafe", lambda cb: self.loop.call_soon_threadsafe(cb)),
                           ("call_at", lambda cb: self.loop.call_later(0.1, cb))):
            with self.subTest(name):
                with self.assertRaisesRegex(
                        TypeError, rf"^coroutines cannot be used with {name}\(\)$"):
                    call(coro_func)
                coro = coro_func()
                try:
                    with self.assertRaisesRegex(
                            TypeError, rf"^coroutines cannot be used with {name}\(\)$"):
                        call(coro)
                finally:
                    coro.close()

    def test_nothing_was_queued_by_rejected_calls(self):
        log = []
        with self.assertRaises(TypeError):
            self.loop.call_soon(42)
        self.loop.call_soon(log.append, "only")
        self.run_briefly()
        self.assertEqual(["only"], log)

    def test_non_callable_without_debug_fails_when_run(self):
        self.loop.set_debug(False)
        contexts = []
        self.loop.set_exception_handler(lambda loop, ctx: contexts.append(ctx))
        h = self.loop.call_soon(42)
        self.loop.call_soon(contexts.append, "next")
        self.run_briefly()
        self.assertEqual(2, len(contexts))
        self.assertIsInstance(contexts[0]["exception"], TypeError)
        self.assertIs(h, contexts[0]["handle"])
        self.assertEqual("next", contexts[1])

    def test_debug_flag(self):
        self.assertTrue(self.loop.get_debug())
        self.loop.set_debug(False)
        self.assertFalse(self.loop.get_debug())
        log = []
        self.loop.call_soon(log.append, 1)
        self.run_briefly()
        self.assertEqual([1], log)
