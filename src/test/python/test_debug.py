"""Debug mode: the flag, slow callback warnings, the thread check and callback checks."""

import asyncio
import gc
import logging
import sys
import threading
import time
import warnings

from looptest import LoopTestCase


class DebugFlagTests(LoopTestCase):
    def test_get_set_debug(self):
        self.assertFalse(self.loop.get_debug())
        self.loop.set_debug(True)
        self.assertTrue(self.loop.get_debug())
        self.loop.set_debug(False)
        self.assertFalse(self.loop.get_debug())

    def test_debug_flag_visible_inside_run(self):
        self.loop.set_debug(True)

        async def main():
            return asyncio.get_running_loop().get_debug()

        self.assertTrue(self.run_async(main()))

    def test_coroutine_origin_tracking_follows_debug(self):
        async def depth():
            return sys.get_coroutine_origin_tracking_depth()

        outside = sys.get_coroutine_origin_tracking_depth()
        self.assertEqual(0, self.loop.run_until_complete(depth()))
        self.loop.set_debug(True)
        debug_depth = self.loop.run_until_complete(depth())
        self.assertEqual(outside, sys.get_coroutine_origin_tracking_depth())
        # asyncio asks for DEBUG_STACK_DEPTH frames in debug mode (whatever GraalPy keeps of it)
        expected = asyncio.SelectorEventLoop()
        try:
            expected.set_debug(True)
            self.assertEqual(expected.run_until_complete(depth()), debug_depth)
        finally:
            expected.close()


class SlowCallbackTests(LoopTestCase):
    def test_slow_callback_logs_warning(self):
        self.loop.set_debug(True)
        self.loop.slow_callback_duration = 0.01

        def slow():
            time.sleep(0.05)

        self.loop.call_soon(slow)
        with self.assertLogs("asyncio", level="WARNING") as cm:
            self.run_briefly()
        msgs = [r.getMessage() for r in cm.records if "Executing" in r.getMessage()]
        self.assertEqual(1, len(msgs), cm.output)
        self.assertIn("took", msgs[0])
        self.assertIn("slow", msgs[0])
        self.assertEqual(logging.WARNING, cm.records[0].levelno)

    def test_slow_task_step_logs_warning(self):
        self.loop.set_debug(True)
        self.loop.slow_callback_duration = 0.01

        async def slow_step():
            time.sleep(0.05)

        with self.assertLogs("asyncio", level="WARNING") as cm:
            self.loop.run_until_complete(slow_step())
        self.assertTrue(any("Executing" in m and "took" in m and "Task" in m for m in cm.output),
                        cm.output)

    def test_fast_callback_logs_nothing(self):
        self.loop.set_debug(True)
        self.loop.slow_callback_duration = 0.5
        self.loop.call_soon(lambda: None)
        with self.assertNoLogs("asyncio", level="WARNING"):
            self.run_briefly()

    def test_no_warning_without_debug(self):
        self.loop.slow_callback_duration = 0.01
        self.loop.call_soon(time.sleep, 0.05)
        with self.assertNoLogs("asyncio", level="WARNING"):
            self.run_briefly()

    def test_debug_can_be_switched_off_again(self):
        self.loop.set_debug(True)
        self.loop.set_debug(False)
        self.loop.slow_callback_duration = 0.01
        self.loop.call_soon(time.sleep, 0.05)
        with self.assertNoLogs("asyncio", level="WARNING"):
            self.run_briefly()


class ThreadCheckTests(LoopTestCase):
    THREAD_MSG = "Non-thread-safe operation invoked on an event loop other than the current one"

    def _from_other_thread(self, action):
        """Runs action(loop) in a new thread while the loop runs; returns what it raised."""
        outcome = []

        def worker():
            try:
                action(self.loop)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)

        th = threading.Thread(target=worker)
        self.loop.call_soon(th.start)
        self.run_forever_with_guard(5)
        th.join(5)
        self.assertEqual(1, len(outcome))
        return outcome[0]

    def test_call_soon_from_other_thread_raises_in_debug(self):
        self.loop.set_debug(True)
        exc = self._from_other_thread(lambda loop: loop.call_soon(print))
        self.assertIsInstance(exc, RuntimeError)
        self.assertEqual(self.THREAD_MSG, str(exc))

    def test_call_later_from_other_thread_raises_in_debug(self):
        self.loop.set_debug(True)
        exc = self._from_other_thread(lambda loop: loop.call_later(1, print))
        self.assertIsInstance(exc, RuntimeError)
        self.assertEqual(self.THREAD_MSG, str(exc))

    def test_call_soon_threadsafe_allowed_in_debug(self):
        self.loop.set_debug(True)
        called = []
        exc = self._from_other_thread(
            lambda loop: loop.call_soon_threadsafe(lambda: called.append(threading.get_ident())))
        self.assertIsNone(exc)
        self.run_briefly()
        self.assertEqual([threading.get_ident()], called)

    def test_no_thread_check_without_debug(self):
        ran = []
        exc = self._from_other_thread(lambda loop: loop.call_soon_threadsafe(ran.append, 1))
        self.assertIsNone(exc)

    def test_call_soon_from_other_thread_when_not_running(self):
        # the check only applies while the loop runs in some thread
        self.loop.set_debug(True)
        out = []
        th = threading.Thread(target=lambda: out.append(self.loop.call_soon(lambda: None)))
        th.start()
        th.join(5)
        self.assertIsInstance(out[0], asyncio.Handle)
        self.run_briefly()


class CallbackCheckTests(LoopTestCase):
    def test_call_soon_rejects_coroutine_function_in_debug(self):
        self.loop.set_debug(True)

        async def coro_fn():
            pass

        with self.assertRaisesRegex(TypeError, r"coroutines cannot be used with call_soon\(\)"):
            self.loop.call_soon(coro_fn)
        # call_later delegates to call_at, which does the check
        with self.assertRaisesRegex(TypeError, r"coroutines cannot be used with call_at\(\)"):
            self.loop.call_later(1, coro_fn)

    def test_call_soon_rejects_non_callable_in_debug(self):
        self.loop.set_debug(True)
        with self.assertRaises(TypeError) as cm:
            self.loop.call_soon(42)
        self.assertEqual("a callable object was expected by call_soon(), got 42", str(cm.exception))

    def test_handle_has_source_traceback_in_debug(self):
        self.loop.set_debug(True)
        h = self.loop.call_soon(lambda: None)
        self.assertTrue(h._source_traceback)
        self.loop.set_debug(False)
        h2 = self.loop.call_soon(lambda: None)
        self.assertIsNone(h2._source_traceback)
        self.run_briefly()

    def test_source_tracebacks_end_at_the_caller_in_debug(self):
        """Handles, timers and tasks made in debug mode remember where they were made:
        the last frame is the code that called the loop, not the loop's internals."""
        async def work():
            pass

        self.loop.set_debug(True)
        this = sys._getframe().f_code.co_name
        made = {
            "call_soon": self.loop.call_soon(lambda: None),
            "call_later": self.loop.call_later(0, lambda: None),
            "call_at": self.loop.call_at(self.loop.time(), lambda: None),
            "create_task": self.loop.create_task(work()),
        }
        for how, obj in made.items():
            self.assertEqual(this, obj._source_traceback[-1].name, how)
        # asyncio's create_future keeps its own frame last; rloop's does the same
        self.assertEqual("create_future",
                         self.loop.create_future()._source_traceback[-1].name)
        self.loop.run_until_complete(made["create_task"])
        self.loop.set_debug(False)


class NeverAwaitedTests(LoopTestCase):
    def test_never_awaited_coroutine_in_debug(self):
        """A coroutine created and dropped inside a debug-mode loop.

        CPython reports "coroutine ... was never awaited" (RuntimeWarning, with the origin in debug
        mode) when the coroutine is collected. Whatever GraalPy's stdlib loop reports, rloop must
        report the same: the test compares the two, one loop each, in the same process.
        """
        def observe(loop):
            loop.set_debug(True)
            handler_records = []

            class Catch(logging.Handler):
                def emit(self, record):
                    handler_records.append(record.getMessage())

            h = Catch()
            logging.getLogger("asyncio").addHandler(h)

            async def forgotten():
                pass

            async def main():
                forgotten()
                await asyncio.sleep(0)

            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    loop.run_until_complete(main())
                    for _ in range(3):
                        gc.collect()
                        time.sleep(0.01)
            finally:
                logging.getLogger("asyncio").removeHandler(h)
            warned = sorted({(w.category.__name__, "never awaited" in str(w.message))
                             for w in caught if "forgotten" in str(w.message)})
            logged = any("forgotten" in m for m in handler_records)
            return warned, logged

        mine = observe(self.loop)
        ref_loop = asyncio.SelectorEventLoop()
        try:
            reference = observe(ref_loop)
        finally:
            ref_loop.close()
        self.assertEqual(reference, mine)
