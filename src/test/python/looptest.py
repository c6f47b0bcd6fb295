"""Shared fixtures for tests that run against both rloop and GraalPy's stdlib loop."""

import asyncio
import gc
import threading
import time
import unittest

import rloop

LOOP_KINDS = ("rloop", "asyncio")


def new_loop(kind):
    if kind == "rloop":
        return rloop.new_event_loop()
    if kind == "asyncio":
        return asyncio.SelectorEventLoop()
    raise ValueError(kind)


class LoopTestCase(unittest.TestCase):
    """A test with a fresh loop in ``self.loop``; LOOP is set by the harness per variant.

    tearDown closes the loop and fails the test if it left threads behind.
    """

    LOOP = None
    TIMEOUT = 20.0

    def setUp(self):
        if self.LOOP is None:
            self.skipTest("abstract loop test: run through the harness")
        self._threads_before = set(threading.enumerate())
        self.loop = new_loop(self.LOOP)
        asyncio.set_event_loop(None)

    def tearDown(self):
        loop = getattr(self, "loop", None)
        if loop is None:
            return
        if not loop.is_closed():
            if not loop.is_running():
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
        asyncio.set_event_loop(None)
        self.assert_no_thread_leak()

    @property
    def is_rloop(self):
        return self.LOOP == "rloop"

    def run_async(self, coro, timeout=None):
        """Runs coro to completion on self.loop, failing after `timeout` seconds."""
        return self.loop.run_until_complete(
            asyncio.wait_for(coro, timeout if timeout is not None else self.TIMEOUT))

    def run_briefly(self, iterations=1):
        for _ in range(iterations):
            self.loop.call_soon(self.loop.stop)
            self.loop.run_forever()

    def runtime_errors_inside_loop(self, action):
        """Calls action() from a callback on the running loop, then stops the loop; returns the
        messages of the RuntimeErrors it raised."""
        errors = []

        def call():
            try:
                action()
            except RuntimeError as exc:
                errors.append(str(exc))
            self.loop.stop()

        self.loop.call_soon(call)
        self.run_forever_with_guard()
        return errors

    def run_forever_with_guard(self, timeout=None):
        """run_forever, stopped by a guard timer so a broken test cannot hang the suite."""
        guard = self.loop.call_later(timeout or self.TIMEOUT, self._guard_fired)
        self._guard_hit = False
        try:
            self.loop.run_forever()
        finally:
            guard.cancel()
        self.assertFalse(self._guard_hit, "run_forever was stopped by the test guard")

    def _guard_fired(self):
        self._guard_hit = True
        self.loop.stop()

    def assert_no_thread_leak(self, grace=5.0):
        deadline = time.monotonic() + grace
        while True:
            extra = [t for t in threading.enumerate()
                     if t not in self._threads_before and t.is_alive()]
            if not extra or time.monotonic() > deadline:
                break
            for t in extra:
                t.join(0.05)
        self.assertEqual([], [t.name for t in extra], "threads leaked by the test")
