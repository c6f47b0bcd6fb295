"""Shared fixtures for the network tests: a LoopTestCase that also checks for leaked file
descriptors, and small protocols used by several test modules."""

import asyncio
import gc
import os
import time

from looptest import LoopTestCase

_FD_DIR = "/proc/self/fd"


def open_fds():
    """The number of descriptors the JVM process has open (Java channels included)."""
    try:
        return len(os.listdir(_FD_DIR))
    except OSError:
        return None


class NetTestCase(LoopTestCase):
    """A loop test that fails when the test leaves descriptors open after its loop is closed."""

    # The JVM may open a few descriptors for itself while a test runs (class files, JIT logs);
    # a leaked connection costs two or more, a leaked server listener one per test.
    FD_SLACK = 2

    def setUp(self):
        super().setUp()
        gc.collect()
        self._fds_before = open_fds()

    def tearDown(self):
        super().tearDown()
        if self._fds_before is None:
            return
        deadline = time.monotonic() + 3.0
        while True:
            gc.collect()
            now = open_fds()
            if now <= self._fds_before + self.FD_SLACK or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertLessEqual(now, self._fds_before + self.FD_SLACK,
                             f"descriptors leaked: {self._fds_before} before, {now} after")

    def skip_on_stdlib(self, why):
        if not self.is_rloop:
            self.skipTest(f"GraalPy's stdlib loop: {why}")


class Recorder(asyncio.Protocol):
    """Records every callback in order; `lost` resolves when connection_lost runs."""

    def __init__(self, loop, eof_keeps_open=False):
        self.events = []
        self.data = bytearray()
        self.transport = None
        self.made = loop.create_future()
        self.lost = loop.create_future()
        self.eof = loop.create_future()
        self.eof_keeps_open = eof_keeps_open
        self.data_waiters = []

    def connection_made(self, transport):
        self.events.append("made")
        self.transport = transport
        self.made.set_result(transport)

    def data_received(self, data):
        if not self.events or self.events[-1] != "data":
            self.events.append("data")
        self.data += data
        for size, fut in list(self.data_waiters):
            if len(self.data) >= size and not fut.done():
                fut.set_result(None)
                self.data_waiters.remove((size, fut))

    def eof_received(self):
        self.events.append("eof")
        self.eof.set_result(None)
        return self.eof_keeps_open

    def connection_lost(self, exc):
        self.events.append("lost")
        self.lost.set_result(exc)

    async def wait_bytes(self, size):
        if len(self.data) >= size:
            return
        fut = asyncio.get_running_loop().create_future()
        self.data_waiters.append((size, fut))
        await fut


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def eof_received(self):
        return False
