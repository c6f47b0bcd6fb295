"""add_reader/add_writer/remove_reader/remove_writer on socketpair sockets and raw fds."""

import asyncio
import os
import queue
import socket
import threading
import time

import rloop
from rloop import _watchers

from looptest import LoopTestCase


class FdWatchTests(LoopTestCase):
    def setUp(self):
        super().setUp()
        self.a, self.b = socket.socketpair()
        self.a.setblocking(False)
        self.b.setblocking(False)
        self.addCleanup(self.b.close)
        self.addCleanup(self.a.close)

    def _stop_after(self, fn):
        def cb(*args):
            fn(*args)
            self.loop.stop()
        return cb

    def test_reader_fires_when_data_arrives(self):
        got = []

        def on_readable(sock, tag):
            got.append((tag, sock.recv(100), threading.get_ident()))
            self.loop.stop()

        self.loop.add_reader(self.a, on_readable, self.a, "tag")
        self.b.send(b"hello")
        self.run_forever_with_guard(5)
        self.assertEqual([("tag", b"hello", threading.get_ident())], got)
        self.assertTrue(self.loop.remove_reader(self.a))

    def test_reader_with_fileno_int(self):
        got = []
        fd = self.a.fileno()
        self.loop.add_reader(fd, self._stop_after(lambda: got.append(self.a.recv(100))))
        self.b.send(b"by fd")
        self.run_forever_with_guard(5)
        self.assertEqual([b"by fd"], got)
        # the int and the socket name the same watcher
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_reader(fd))

    def test_reader_does_not_fire_without_data(self):
        fired = []
        self.loop.add_reader(self.a, fired.append, 1)
        self.loop.run_until_complete(asyncio.sleep(0.1))
        self.assertEqual([], fired)
        self.assertTrue(self.loop.remove_reader(self.a))

    def test_data_from_other_thread_wakes_blocked_loop(self):
        got = []

        def on_readable():
            got.append((self.a.recv(100), time.monotonic()))
            self.loop.stop()

        self.loop.add_reader(self.a, on_readable)
        sent = []

        def writer():
            time.sleep(0.1)
            sent.append(time.monotonic())
            self.b.send(b"from thread")

        th = threading.Thread(target=writer)
        th.start()
        try:
            self.run_forever_with_guard(5)
        finally:
            th.join(5)
        self.assertEqual(b"from thread", got[0][0])
        self.assertLess(got[0][1] - sent[0], 1.0)
        self.loop.remove_reader(self.a)

    def test_reader_is_level_triggered(self):
        count = []

        def on_readable():
            count.append(1)  # never reads: stays readable
            if len(count) == 3:
                self.loop.stop()

        self.loop.add_reader(self.a, on_readable)
        self.b.send(b"x")
        self.run_forever_with_guard(5)
        self.assertEqual(3, len(count))
        self.loop.remove_reader(self.a)

    def test_remove_reader_inside_callback(self):
        count = []

        def on_readable():
            count.append(1)
            self.assertTrue(self.loop.remove_reader(self.a))

        self.loop.add_reader(self.a, on_readable)
        self.b.send(b"x")
        self.loop.run_until_complete(asyncio.sleep(0.1))
        self.assertEqual(1, len(count))

    def test_writer_fires_when_writable(self):
        got = []

        def on_writable(arg):
            got.append(arg)
            self.assertTrue(self.loop.remove_writer(self.a))
            self.a.send(b"written")
            self.loop.stop()

        self.loop.add_writer(self.a, on_writable, "w")
        self.run_forever_with_guard(5)
        self.assertEqual(["w"], got)
        deadline = time.monotonic() + 2
        while True:
            try:
                self.assertEqual(b"written", self.b.recv(100))
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        self.assertFalse(self.loop.remove_writer(self.a))

    def test_writer_with_fileno_int(self):
        got = []
        self.loop.add_writer(self.b.fileno(), self._stop_after(lambda: got.append(1)))
        self.run_forever_with_guard(5)
        self.assertEqual([1], got)
        self.assertTrue(self.loop.remove_writer(self.b.fileno()))

    def test_reader_and_writer_on_same_socket(self):
        events = []

        def on_writable():
            events.append("w")
            self.loop.remove_writer(self.a)
            self.b.send(b"r")

        def on_readable():
            events.append("r")
            self.a.recv(10)
            self.loop.stop()

        self.loop.add_reader(self.a, on_readable)
        self.loop.add_writer(self.a, on_writable)
        self.run_forever_with_guard(5)
        self.assertEqual(["w", "r"], events)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_writer(self.a))

    def test_remove_returns_true_then_false(self):
        self.assertFalse(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_writer(self.a))
        self.loop.add_reader(self.a, lambda: None)
        self.loop.add_writer(self.a, lambda: None)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_reader(self.a))
        self.assertTrue(self.loop.remove_writer(self.a.fileno()))
        self.assertFalse(self.loop.remove_writer(self.a.fileno()))

    def test_readding_reader_replaces_callback(self):
        first, second = [], []
        self.loop.add_reader(self.a, first.append, 1)
        self.loop.add_reader(self.a, self._stop_after(lambda: second.append(self.a.recv(10))))
        self.b.send(b"z")
        self.run_forever_with_guard(5)
        self.assertEqual([], first)
        self.assertEqual([b"z"], second)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_reader(self.a))

    def test_readding_writer_replaces_callback(self):
        first, second = [], []
        self.loop.add_writer(self.a, first.append, 1)
        self.loop.add_writer(self.a, self._stop_after(lambda: second.append(2)))
        self.run_forever_with_guard(5)
        self.assertEqual([], first)
        self.assertEqual([2], second)
        self.assertTrue(self.loop.remove_writer(self.a))

    def test_two_sockets(self):
        c, d = socket.socketpair()
        self.addCleanup(c.close)
        self.addCleanup(d.close)
        c.setblocking(False)
        got = []

        def on_readable(sock, name):
            got.append((name, sock.recv(10)))
            if len(got) == 2:
                self.loop.stop()

        self.loop.add_reader(self.a, on_readable, self.a, "a")
        self.loop.add_reader(c, on_readable, c, "c")
        self.b.send(b"1")
        d.send(b"2")
        self.run_forever_with_guard(5)
        self.assertEqual([("a", b"1"), ("c", b"2")], sorted(got))
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertTrue(self.loop.remove_reader(c))

    def test_invalid_fd(self):
        for method in (self.loop.add_reader, self.loop.add_writer):
            with self.subTest(method=method.__name__):
                with self.assertRaises(ValueError) as cm:
                    method(-1, lambda: None)
                self.assertEqual("Invalid file descriptor: -1", str(cm.exception))
        for method in (self.loop.remove_reader, self.loop.remove_writer):
            with self.subTest(method=method.__name__):
                with self.assertRaises(ValueError) as cm:
                    method(-1)
                self.assertEqual("Invalid file descriptor: -1", str(cm.exception))

    def test_object_without_fileno(self):
        obj = object()
        for method in (self.loop.add_reader, self.loop.add_writer):
            with self.subTest(method=method.__name__):
                with self.assertRaises(ValueError) as cm:
                    method(obj, lambda: None)
                self.assertEqual(f"Invalid file object: {obj!r}", str(cm.exception))
        with self.assertRaises(ValueError) as cm:
            self.loop.remove_reader(obj)
        self.assertEqual(f"Invalid file object: {obj!r}", str(cm.exception))

    def test_closed_loop(self):
        self.loop.close()
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.add_reader(self.a, lambda: None)
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.add_writer(self.a, lambda: None)
        self.assertFalse(self.loop.remove_reader(self.a))
        self.assertFalse(self.loop.remove_writer(self.a))

    def _threadsafe_wake_time(self):
        woke = []

        def waker():
            time.sleep(0.1)
            sent = time.monotonic()
            self.loop.call_soon_threadsafe(lambda: (woke.append(time.monotonic() - sent),
                                                    self.loop.stop()))

        th = threading.Thread(target=waker)
        th.start()
        try:
            self.run_forever_with_guard(5)
        finally:
            th.join(5)
        return woke[0]

    def test_threadsafe_wakeup_while_watching(self):
        self.loop.add_reader(self.a, lambda: None)
        self.assertLess(self._threadsafe_wake_time(), 0.5)
        self.assertTrue(self.loop.remove_reader(self.a))

    def test_threadsafe_wakeup_after_removing_watchers(self):
        self.loop.add_reader(self.a, lambda: None)
        self.loop.add_writer(self.b, lambda: None)
        self.loop.run_until_complete(asyncio.sleep(0.01))
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertTrue(self.loop.remove_writer(self.b))
        self.assertLess(self._threadsafe_wake_time(), 0.5)

    def test_timers_fire_while_watching(self):
        self.loop.add_reader(self.a, lambda: None)
        t0 = time.monotonic()
        self.loop.call_later(0.05, self.loop.stop)
        self.run_forever_with_guard(5)
        elapsed = time.monotonic() - t0
        self.assertGreaterEqual(elapsed, 0.04)
        self.assertLess(elapsed, 1.0)
        self.loop.remove_reader(self.a)

    def test_sock_recv_style_future(self):
        # the pattern asyncio's own sock_* helpers build on add_reader
        async def recv():
            fut = self.loop.create_future()

            def on_readable():
                self.loop.remove_reader(self.a)
                fut.set_result(self.a.recv(100))

            self.loop.add_reader(self.a, on_readable)
            self.loop.call_later(0.02, self.b.send, b"later")
            return await fut

        self.assertEqual(b"later", self.run_async(recv(), 5))


    def test_setblocking_right_after_remove_reader(self):
        # rloop watches a non-blocking socket on its Java selector; java.nio refuses blocking
        # mode on a channel still registered there, so removing the reader must let go at once
        got = []
        self.loop.add_reader(self.a, self._stop_after(lambda: got.append(self.a.recv(100))))
        self.b.send(b"x")
        self.run_forever_with_guard(5)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.a.setblocking(True)
        self.b.send(b"blocking now")
        self.assertEqual(b"blocking now", self.a.recv(100))
        self.assertEqual([b"x"], got)

    def test_many_threadsafe_wakeups_while_watching(self):
        # Every wake-up must get through, not just the first: a lost one leaves the loop asleep
        # until its wait times out. A second thread keeps waking the loop meanwhile, so that
        # wake-ups also land while the loop is taking the previous ones in.
        self.loop.add_reader(self.a, lambda: None)
        rounds = 300
        requests = queue.Queue()
        stop_noise = threading.Event()

        def answer():
            while (fut := requests.get()) is not None:
                self.loop.call_soon_threadsafe(fut.set_result, None)

        def noise():
            while not stop_noise.is_set():
                self.loop.call_soon_threadsafe(len, ())
                time.sleep(0.0002)

        async def main():
            for _ in range(rounds):
                fut = self.loop.create_future()
                requests.put(fut)
                await fut

        threads = [threading.Thread(target=answer), threading.Thread(target=noise)]
        for th in threads:
            th.start()
        t0 = time.monotonic()
        try:
            self.run_async(main(), 120)
        finally:
            requests.put(None)
            stop_noise.set()
            for th in threads:
                th.join(10)
        # at a 0.2 s wait timeout, lost wake-ups would take about a minute
        self.assertLess(time.monotonic() - t0, 20)
        self.assertTrue(self.loop.remove_reader(self.a))


class BlockingSocketFdWatchTests(FdWatchTests):
    """The same tests on blocking sockets. java.nio puts only non-blocking channels on a
    selector, so rloop watches these by waiting in select.select (the route every descriptor it
    cannot reach takes); the stdlib loop watches both kinds alike."""

    def setUp(self):
        super().setUp()
        self.a.setblocking(True)
        self.b.setblocking(True)

    def test_setblocking_right_after_remove_reader(self):
        self.skipTest("the sockets are blocking from the start")


class PolledRouteFdWatchTests(FdWatchTests):
    """The same tests with rloop's selector route turned off (as RLOOP_PYSOCKET_SELECTOR=0 does):
    every socket is then watched by waiting in select.select."""

    LOOP = "rloop"

    def setUp(self):
        super().setUp()
        self.loop._fd_watchers._sockets = None


class SelectorRouteRloopOnly(LoopTestCase):
    """Which way rloop watches a Python socket: on its Java selector, for the length of each
    wait, when it can reach the socket's channel (non-blocking sockets), else in select.select."""

    LOOP = "rloop"

    def setUp(self):
        super().setUp()
        if self.loop._fd_watchers._sockets is None:
            self.skipTest("the selector route is off (RLOOP_PYSOCKET_SELECTOR=0)")
        self.a, self.b = socket.socketpair()
        self.addCleanup(self.b.close)
        self.addCleanup(self.a.close)

    def test_sockets_can_be_reached(self):
        self.assertIsNone(self.loop._core.pythonSockets().unavailableReason())

    def test_on_unless_turned_off(self):
        if os.environ.get("RLOOP_PYSOCKET_SELECTOR") == "0":
            self.skipTest("RLOOP_PYSOCKET_SELECTOR=0 is set")
        self.assertTrue(_watchers.SELECTOR_ROUTE)
        loop = rloop.new_event_loop()
        try:
            self.assertIsNotNone(loop._fd_watchers._sockets)
        finally:
            loop.close()

    def test_setblocking_right_after_remove_reader(self):
        self.a.setblocking(False)
        self.loop.add_reader(self.a, lambda: None)
        self.assertIn(self.a.fileno(), self.loop._fd_watchers._on_selector)
        self.loop.run_until_complete(asyncio.sleep(0.01))  # waits with the channel registered
        self.assertTrue(self.loop.remove_reader(self.a))
        self.a.setblocking(True)
        self.b.send(b"blocking now")
        self.assertEqual(b"blocking now", self.a.recv(100))

    def _made_blocking_while_watched(self, make_blocking):
        # java.nio refuses blocking mode to a channel with a valid key, and GraalPy does not catch
        # that refusal; the loop holds the key only while it waits, so a callback may make a
        # watched socket blocking, and the socket is then watched through select.select
        self.a.setblocking(False)
        got = []

        def on_readable():
            got.append(self.a.recv(100))
            if len(got) == 1:
                make_blocking(self.a)
                self.b.send(b"second")
            else:
                self.loop.stop()

        self.loop.add_reader(self.a, on_readable)
        self.b.send(b"first")
        self.run_forever_with_guard(5)
        self.assertEqual([b"first", b"second"], got)
        self.assertNotIn(self.a.fileno(), self.loop._fd_watchers._on_selector)
        self.assertIsNotNone(self.loop._fd_poll)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertIsNone(self.loop._fd_poll)

    def test_setblocking_true_while_watched(self):
        self._made_blocking_while_watched(lambda sock: sock.setblocking(True))

    def test_settimeout_none_while_watched(self):
        self._made_blocking_while_watched(lambda sock: sock.settimeout(None))

    def test_listener_closed_in_a_callback_frees_its_port(self):
        # the wait's registration is flushed when the wait ends, so closing a watched listener
        # releases its port at once, as the stdlib's does
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        rebound = []

        def on_connection():
            conn, _ = listener.accept()
            conn.close()
            self.loop.remove_reader(listener)
            listener.close()
            again = socket.socket()
            try:
                again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                again.bind(("127.0.0.1", port))
                again.listen()
                rebound.append(again.getsockname()[1])
            finally:
                again.close()
            self.loop.stop()

        self.loop.add_reader(listener, on_connection)
        client = socket.create_connection(("127.0.0.1", port))
        self.addCleanup(client.close)
        self.run_forever_with_guard(5)
        self.assertEqual([port], rebound)

    def test_non_blocking_socket_waits_on_the_selector(self):
        self.a.setblocking(False)
        self.loop.add_reader(self.a, lambda: None)
        self.assertIsNone(self.loop._fd_poll)
        self.assertTrue(self.loop.remove_reader(self.a))

    def test_blocking_socket_waits_in_select(self):
        self.a.setblocking(True)
        self.loop.add_reader(self.a, lambda: None)
        self.assertIsNotNone(self.loop._fd_poll)
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertIsNone(self.loop._fd_poll)

    def test_both_routes_at_once(self):
        self.a.setblocking(False)
        self.b.setblocking(True)
        got = []

        def on_a():
            got.append(("a", self.a.recv(100)))
            if len(got) == 2:
                self.loop.stop()

        def on_b():
            got.append(("b", self.b.recv(100)))
            if len(got) == 2:
                self.loop.stop()

        self.loop.add_reader(self.a, on_a)
        self.loop.add_reader(self.b, on_b)
        self.a.send(b"to b")
        self.b.send(b"to a")
        self.run_forever_with_guard(5)
        self.assertEqual(sorted([("a", b"to a"), ("b", b"to b")]), sorted(got))
        self.assertTrue(self.loop.remove_reader(self.a))
        self.assertTrue(self.loop.remove_reader(self.b))
        self.assertIsNone(self.loop._fd_poll)
        self.assertEqual({}, self.loop._fd_watchers._on_selector)

    def test_socket_closed_while_watched_then_its_fd_reused(self):
        # (the stdlib loop's select.select fails with EBADF once a watched socket is closed)
        self.a.setblocking(False)
        fd = self.a.fileno()
        fired = []
        self.loop.add_reader(fd, fired.append, "old")
        self.a.close()
        self.loop.run_until_complete(asyncio.sleep(0.02))
        # a new socket may get the same descriptor number: watching it must watch the new one
        c, d = socket.socketpair()
        self.addCleanup(c.close)
        self.addCleanup(d.close)
        c.setblocking(False)
        self.loop.add_reader(c, lambda: (fired.append(c.recv(100)), self.loop.stop()))
        d.send(b"new")
        self.run_forever_with_guard(5)
        self.assertEqual([b"new"], fired)
        self.loop.remove_reader(c)
        self.loop.remove_reader(fd)
