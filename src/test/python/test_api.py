"""rloop's public entry points (rloop only)."""

import asyncio
import unittest

import rloop


class ApiTests(unittest.TestCase):
    def setUp(self):
        old = asyncio.get_event_loop_policy()
        self.addCleanup(asyncio.set_event_loop_policy, old)
        self.addCleanup(asyncio.set_event_loop, None)

    def test_exports(self):
        self.assertEqual({"Loop", "EventLoopPolicy", "new_event_loop", "run", "install"},
                         set(rloop.__all__))
        self.assertIsInstance(rloop.__version__, str)

    def test_new_event_loop(self):
        loop = rloop.new_event_loop()
        try:
            self.assertIsInstance(loop, rloop.Loop)
            self.assertIsInstance(loop, asyncio.AbstractEventLoop)
            self.assertIsInstance(loop, asyncio.BaseEventLoop)
            self.assertFalse(loop.is_running())
            self.assertFalse(loop.is_closed())
            self.assertEqual(3, loop.run_until_complete(asyncio.sleep(0.01, 3)))
        finally:
            loop.close()
        self.assertTrue(loop.is_closed())

    def test_loops_are_independent(self):
        one, two = rloop.new_event_loop(), rloop.Loop()
        try:
            self.assertIsNot(one, two)
            self.assertIsInstance(two, rloop.Loop)
            one.close()
            self.assertFalse(two.is_closed())
            self.assertEqual("two", two.run_until_complete(asyncio.sleep(0, "two")))
        finally:
            one.close()
            two.close()

    def test_event_loop_policy(self):
        policy = rloop.EventLoopPolicy()
        self.assertIsInstance(policy, asyncio.AbstractEventLoopPolicy)
        asyncio.set_event_loop_policy(policy)
        self.assertIs(policy, asyncio.get_event_loop_policy())
        loop = asyncio.new_event_loop()
        try:
            self.assertIsInstance(loop, rloop.Loop)
        finally:
            loop.close()

        async def main():
            return asyncio.get_running_loop()

        self.assertIsInstance(asyncio.run(main()), rloop.Loop)

    def test_run(self):
        async def main(x):
            await asyncio.sleep(0.01)
            loop = asyncio.get_running_loop()
            return x, type(loop), loop.get_debug()

        x, loop_type, debug = rloop.run(main(5))
        self.assertEqual(5, x)
        self.assertIs(rloop.Loop, loop_type)
        self.assertFalse(debug)
        self.assertTrue(rloop.run(main(1), debug=True)[2])

    def test_run_propagates_exception(self):
        async def main():
            raise LookupError("from main")

        with self.assertRaisesRegex(LookupError, "from main"):
            rloop.run(main())

    def test_run_closes_loop_and_finalizes(self):
        log = []

        async def agen():
            try:
                yield 1
                yield 2
            finally:
                log.append("agen finalized")

        async def main():
            gen = agen()
            await gen.__anext__()
            log.append(await asyncio.get_running_loop().run_in_executor(None, lambda: "executor"))
            return asyncio.get_running_loop()

        loop = rloop.run(main())
        self.assertTrue(loop.is_closed())
        self.assertEqual(["executor", "agen finalized"], log)

    def test_run_inside_running_loop_fails(self):
        async def inner():
            return 1

        async def outer():
            coro = inner()
            try:
                rloop.run(coro)
            finally:
                coro.close()

        with self.assertRaises(RuntimeError):
            rloop.run(outer())

    def test_asyncio_run_with_loop_factory(self):
        async def main():
            await asyncio.sleep(0)
            return asyncio.get_running_loop()

        loop = asyncio.run(main(), loop_factory=rloop.new_event_loop)
        self.assertIsInstance(loop, rloop.Loop)
        self.assertTrue(loop.is_closed())

    def test_install(self):
        rloop.install()
        self.assertIsInstance(asyncio.get_event_loop_policy(), rloop.EventLoopPolicy)

        async def main():
            return type(asyncio.get_running_loop())

        self.assertIs(rloop.Loop, asyncio.run(main()))
