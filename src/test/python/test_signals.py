"""add_signal_handler/remove_signal_handler, with real signals sent to this process.

What works in this setup (GraalPy embedded in a JVM, 'java' POSIX backend): os.getpid() is the
JVM's real pid, but os.kill(pid, SIGUSR1/2) raises io.UnsupportedOperation (the emulated backend
only sends KILL and TERM), so the tests run the real ``kill`` command through subprocess. The
stdlib loop installs its handlers with signal.signal()/set_wakeup_fd(), which never sees such a
signal here, so delivery tests are skipped on that side. Never send a signal without a handler
installed: SIGUSR1/SIGUSR2 would terminate the JVM.
"""

import asyncio
import os
import signal
import subprocess
import threading
import time

import rloop
from looptest import LoopTestCase

NO_DELIVERY = ("GraalPy stdlib loop: signal.signal()/set_wakeup_fd() handlers are not run for "
               "signals the JVM receives, so a real signal never reaches the loop")


def send_signal(sig):
    """Sends sig to this process (the JVM) with the kill command."""
    subprocess.run(["kill", f"-{signal.Signals(sig).name[3:]}", str(os.getpid())],
                   check=True, timeout=10)


class SignalDeliveryTests(LoopTestCase):
    def setUp(self):
        super().setUp()
        if not self.is_rloop:
            self.skipTest(NO_DELIVERY)

    def tearDown(self):
        if getattr(self, "loop", None) is not None and not self.loop.is_closed():
            for sig in (signal.SIGUSR1, signal.SIGUSR2):
                self.loop.remove_signal_handler(sig)
        super().tearDown()

    def _wait_for(self, calls, count, timeout=5.0):
        deadline = self.loop.time() + timeout

        async def wait():
            while len(calls) < count and self.loop.time() < deadline:
                await asyncio.sleep(0.01)

        self.loop.run_until_complete(wait())
        self.assertEqual(count, len(calls), calls)

    def test_handler_runs_on_loop_thread_with_args(self):
        calls = []

        def handler(*args):
            calls.append((args, threading.get_ident()))

        self.loop.add_signal_handler(signal.SIGUSR2, handler, "a", 2)
        send_signal(signal.SIGUSR2)
        self._wait_for(calls, 1)
        self.assertEqual([(("a", 2), threading.get_ident())], calls)

    def test_signal_wakes_idle_loop(self):
        # the loop sleeps with nothing scheduled; only the signal can stop it
        calls = []

        def handler():
            calls.append(self.loop.time())
            self.loop.stop()

        self.loop.add_signal_handler(signal.SIGUSR1, handler)
        sent = []

        def sender():
            time.sleep(0.1)
            sent.append(self.loop.time())
            send_signal(signal.SIGUSR1)

        th = threading.Thread(target=sender)
        th.start()
        try:
            self.run_forever_with_guard(10)
        finally:
            th.join(10)
        self.assertEqual(1, len(calls))
        self.assertLess(calls[0] - sent[0], 3.0)

    def test_each_signal_calls_handler(self):
        calls = []
        self.loop.add_signal_handler(signal.SIGUSR2, calls.append, "hit")
        for n in range(1, 4):
            send_signal(signal.SIGUSR2)
            self._wait_for(calls, n)
        self.assertEqual(["hit"] * 3, calls)

    def test_readding_replaces_handler(self):
        first, second = [], []
        self.loop.add_signal_handler(signal.SIGUSR1, first.append, 1)
        self.loop.add_signal_handler(signal.SIGUSR1, second.append, 2)
        send_signal(signal.SIGUSR1)
        self._wait_for(second, 1)
        self.loop.run_until_complete(asyncio.sleep(0.05))
        self.assertEqual([], first)
        self.assertEqual([2], second)

    def test_two_signals_two_handlers(self):
        calls = []
        self.loop.add_signal_handler(signal.SIGUSR1, calls.append, "usr1")
        self.loop.add_signal_handler(signal.SIGUSR2, calls.append, "usr2")
        send_signal(signal.SIGUSR2)
        self._wait_for(calls, 1)
        send_signal(signal.SIGUSR1)
        self._wait_for(calls, 2)
        self.assertEqual(["usr2", "usr1"], calls)

    def test_handler_exception_goes_to_exception_handler(self):
        errors = []
        self.loop.set_exception_handler(lambda loop, ctx: errors.append(ctx))

        def handler():
            raise ZeroDivisionError("in handler")

        self.loop.add_signal_handler(signal.SIGUSR2, handler)
        send_signal(signal.SIGUSR2)
        self._wait_for(errors, 1)
        self.assertIsInstance(errors[0]["exception"], ZeroDivisionError)
        # the loop keeps working
        self.assertEqual(4, self.loop.run_until_complete(asyncio.sleep(0, 4)))

    def test_closed_loop_gives_up_its_handler(self):
        old_calls, new_calls = [], []
        self.loop.add_signal_handler(signal.SIGUSR1, old_calls.append, "old")
        self.loop.close()
        other = rloop.new_event_loop()
        try:
            other.add_signal_handler(signal.SIGUSR1, new_calls.append, "new")
            send_signal(signal.SIGUSR1)

            async def wait():
                for _ in range(500):
                    if new_calls:
                        break
                    await asyncio.sleep(0.01)

            other.run_until_complete(wait())
            self.assertEqual(["new"], new_calls)
            self.assertEqual([], old_calls)
            self.assertTrue(other.remove_signal_handler(signal.SIGUSR1))
        finally:
            other.close()


class SignalApiTests(LoopTestCase):
    def test_remove_returns_true_then_false(self):
        self.loop.add_signal_handler(signal.SIGUSR1, lambda: None)
        self.assertTrue(self.loop.remove_signal_handler(signal.SIGUSR1))
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR1))

    def test_remove_never_added(self):
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR2))

    def test_sig_must_be_int(self):
        with self.assertRaises(TypeError) as cm:
            self.loop.add_signal_handler("x", lambda: None)
        self.assertEqual("sig must be an int, not 'x'", str(cm.exception))
        with self.assertRaises(TypeError) as cm:
            self.loop.remove_signal_handler(1.5)
        self.assertEqual("sig must be an int, not 1.5", str(cm.exception))

    def test_invalid_signal_numbers(self):
        for sig in (0, 1000, -1):
            with self.subTest(sig=sig):
                with self.assertRaises(ValueError) as cm:
                    self.loop.add_signal_handler(sig, lambda: None)
                self.assertEqual(f"invalid signal number {sig}", str(cm.exception))
                with self.assertRaises(ValueError):
                    self.loop.remove_signal_handler(sig)

    def test_signals_enum_accepted(self):
        self.loop.add_signal_handler(signal.Signals.SIGUSR2, lambda: None)
        self.assertTrue(self.loop.remove_signal_handler(int(signal.SIGUSR2)))

    def test_uncatchable_signals(self):
        if not self.is_rloop:
            self.skipTest("GraalPy stdlib loop: signal.signal(SIGKILL) raises ValueError (the JVM's "
                          "IllegalArgumentException) instead of OSError(EINVAL), and the failed "
                          "handler stays registered so close() then fails")
        for sig in (signal.SIGKILL, signal.SIGSTOP):
            with self.subTest(sig=sig):
                with self.assertRaises(RuntimeError) as cm:
                    self.loop.add_signal_handler(sig, lambda: None)
                self.assertEqual(f"sig {int(sig)} cannot be caught", str(cm.exception))
                # a refused handler is not registered
                self.assertFalse(self.loop.remove_signal_handler(sig))

    def test_coroutine_callback_rejected(self):
        async def handler():
            pass

        with self.assertRaises(TypeError) as cm:
            self.loop.add_signal_handler(signal.SIGUSR1, handler)
        self.assertEqual("coroutines cannot be used with add_signal_handler()", str(cm.exception))
        coro = handler()
        try:
            with self.assertRaises(TypeError) as cm:
                self.loop.add_signal_handler(signal.SIGUSR1, coro)
            self.assertEqual("coroutines cannot be used with add_signal_handler()",
                             str(cm.exception))
        finally:
            coro.close()
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR1))

    def test_add_on_closed_loop(self):
        self.loop.close()
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.add_signal_handler(signal.SIGUSR1, lambda: None)

    def test_add_from_non_main_thread(self):
        if not self.is_rloop:
            self.skipTest("GraalPy stdlib loop: signal.set_wakeup_fd() and signal.signal() accept "
                          "a non-main thread, so add_signal_handler() succeeds there")
        self.assertIs(threading.main_thread(), threading.current_thread())
        outcome = []

        def worker():
            try:
                self.loop.add_signal_handler(signal.SIGUSR1, lambda: None)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        th = threading.Thread(target=worker)
        th.start()
        th.join(5)
        exc = outcome[0]
        if exc is None:
            self.loop.remove_signal_handler(signal.SIGUSR1)
        self.assertIsInstance(exc, RuntimeError)
        self.assertIn("main thread", str(exc))
        self.assertFalse(self.loop.remove_signal_handler(signal.SIGUSR1))
