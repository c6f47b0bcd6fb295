"""run_in_executor, default executor management and the resolver helpers."""

import asyncio
import concurrent.futures
import socket
import threading

from looptest import LoopTestCase


class _NotAThreadPool(concurrent.futures.Executor):
    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("must not be used")


class ExecutorTests(LoopTestCase):
    def test_default_executor_runs_in_another_thread(self):
        def work(a, b):
            return a + b, threading.get_ident()

        result, ident = self.run_async(self.loop.run_in_executor(None, work, 2, 3))
        self.assertEqual(5, result)
        self.assertNotEqual(threading.get_ident(), ident)

    def test_run_in_executor_returns_asyncio_future(self):
        fut = self.loop.run_in_executor(None, lambda: "x")
        self.assertIsInstance(fut, asyncio.Future)
        self.assertIs(self.loop, fut.get_loop())
        self.assertEqual("x", self.loop.run_until_complete(fut))

    def test_many_calls_in_parallel(self):
        async def main():
            futs = [self.loop.run_in_executor(None, pow, i, 2) for i in range(50)]
            return await asyncio.gather(*futs)

        self.assertEqual([i * i for i in range(50)], self.run_async(main()))

    def test_custom_executor(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="custom-pool") as pool:
            name = self.run_async(
                self.loop.run_in_executor(pool, lambda: threading.current_thread().name))
        self.assertTrue(name.startswith("custom-pool"), name)

    def test_exception_propagates(self):
        def fail():
            raise ValueError("from the executor")

        with self.assertRaises(ValueError) as cm:
            self.run_async(self.loop.run_in_executor(None, fail))
        self.assertEqual("from the executor", str(cm.exception))

    def test_executor_wakes_blocked_loop(self):
        # the loop has nothing else to do: the worker's completion must wake it
        ev = threading.Event()

        def work():
            ev.wait(5)
            return "woke"

        async def main():
            fut = self.loop.run_in_executor(None, work)
            self.loop.call_later(0.05, ev.set)
            t0 = self.loop.time()
            res = await fut
            return res, self.loop.time() - t0

        res, elapsed = self.run_async(main())
        self.assertEqual("woke", res)
        self.assertLess(elapsed, 1.0)

    def test_set_default_executor(self):
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="my-default")
        self.loop.set_default_executor(pool)
        name = self.run_async(
            self.loop.run_in_executor(None, lambda: threading.current_thread().name))
        self.assertTrue(name.startswith("my-default"), name)
        # tearDown's shutdown_default_executor shuts this pool down

    def test_set_default_executor_rejects_other_executors(self):
        with self.assertRaises(TypeError) as cm:
            self.loop.set_default_executor(_NotAThreadPool())
        self.assertEqual("executor must be ThreadPoolExecutor instance", str(cm.exception))

    def test_shutdown_default_executor_then_run_in_executor_fails(self):
        self.assertEqual(1, self.run_async(self.loop.run_in_executor(None, int, "1")))
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        with self.assertRaises(RuntimeError) as cm:
            self.loop.run_in_executor(None, int, "2")
        self.assertEqual("Executor shutdown has been called", str(cm.exception))

    def test_shutdown_default_executor_waits_for_running_work(self):
        done = []

        def slow():
            import time
            time.sleep(0.1)
            done.append(True)

        self.loop.run_in_executor(None, slow)
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.assertEqual([True], done)

    def test_shutdown_default_executor_without_executor(self):
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        with self.assertRaises(RuntimeError):
            self.loop.run_in_executor(None, int, "2")

    def test_run_in_executor_on_closed_loop(self):
        self.loop.close()
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            self.loop.run_in_executor(None, int, "2")

    def test_debug_rejects_coroutine_function(self):
        self.loop.set_debug(True)

        async def coro_fn():
            pass

        with self.assertRaisesRegex(TypeError, r"coroutines cannot be used with run_in_executor\(\)"):
            self.loop.run_in_executor(None, coro_fn)


class ResolverTests(LoopTestCase):
    def test_getaddrinfo_numeric(self):
        infos = self.run_async(self.loop.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM))
        self.assertEqual(socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM), infos)
        self.assertTrue(infos)
        for family, type_, proto, canon, addr in infos:
            self.assertEqual(socket.AF_INET, family)
            self.assertEqual(socket.SOCK_STREAM, type_)
            self.assertEqual(("127.0.0.1", 80), addr)

    def test_getaddrinfo_localhost(self):
        infos = self.run_async(self.loop.getaddrinfo("localhost", 0))
        self.assertTrue(infos)
        self.assertEqual(sorted(socket.getaddrinfo("localhost", 0)), sorted(infos))
        for family, _type, _proto, _canon, addr in infos:
            self.assertIn(family, (socket.AF_INET, socket.AF_INET6))
            self.assertEqual(0, addr[1])

    def test_getaddrinfo_error_propagates(self):
        with self.assertRaises(socket.gaierror):
            self.run_async(self.loop.getaddrinfo("no-such-host.invalid", 80))

    def test_getnameinfo(self):
        res = self.run_async(self.loop.getnameinfo(("127.0.0.1", 80)))
        self.assertEqual(socket.getnameinfo(("127.0.0.1", 80), 0), res)
        self.assertEqual(2, len(res))
        self.assertIsInstance(res[0], str)


class DefaultExecutorQueueTests(LoopTestCase):
    """rloop's default executor parks idle workers on queue.Queue, not SimpleQueue: GraalPy's
    SimpleQueue.get waits where a C-API load's handshake cannot reach it (the hang itself needs a
    fresh context; CApiLoadIT reproduces it through the launcher)."""

    def test_default_executor_idles_on_a_lock_based_queue(self):
        if not self.is_rloop:
            self.skipTest("the stdlib loop's default executor is the stdlib's ThreadPoolExecutor")
        import queue
        self.assertEqual(7, self.run_async(self.loop.run_in_executor(None, lambda: 7)))
        executor = self.loop._default_executor
        self.assertIsInstance(executor, concurrent.futures.ThreadPoolExecutor)
        self.assertIs(queue.Queue, type(executor._work_queue))

    def test_many_jobs_and_shutdown_through_the_default_executor(self):
        def square(x):
            return x * x

        async def main():
            results = await asyncio.gather(
                *[self.loop.run_in_executor(None, square, i) for i in range(200)])
            self.assertEqual([i * i for i in range(200)], results)
            await self.loop.shutdown_default_executor()
            with self.assertRaisesRegex(RuntimeError, "Executor shutdown has been called"):
                self.loop.run_in_executor(None, square, 2)
        self.run_async(main())
