"""How a task steps through its coroutine: what it does with each kind of yield, result, error
and cancellation. rloop rewrites the stdlib Task's step for speed, so these pin the stdlib's
behaviour (and messages) on both loops."""

import asyncio
import types

from looptest import LoopTestCase


@types.coroutine
def _yield(value):
    """A coroutine that yields `value` to the task running it (what a buggy awaitable does)."""
    return (yield value)


class TaskStepTests(LoopTestCase):
    def run_task(self, coro):
        task = self.loop.create_task(coro)
        self.loop.run_until_complete(asyncio.wait([task], timeout=self.TIMEOUT))
        self.assertTrue(task.done())
        return task

    def test_result_and_done_callbacks_in_order(self):
        async def work():
            await asyncio.sleep(0)
            return "value"

        task = self.loop.create_task(work())
        order = []
        task.add_done_callback(lambda t: order.append(("first", t.result())))
        task.add_done_callback(lambda t: order.append(("second", t.result())))
        self.assertEqual("value", self.loop.run_until_complete(task))
        self.run_briefly()
        self.assertEqual([("first", "value"), ("second", "value")], order)

    def test_task_and_future_types(self):
        async def work():
            return 1

        task = self.loop.create_task(work())
        self.assertIsInstance(task, asyncio.Task)
        self.assertIsInstance(task, asyncio.Future)
        self.assertTrue(asyncio.isfuture(task))
        self.assertTrue(asyncio.isfuture(self.loop.create_future()))
        self.loop.run_until_complete(task)

    def test_exception_is_stored_and_reraised(self):
        async def work():
            await asyncio.sleep(0)
            raise KeyError("boom")

        task = self.run_task(work())
        self.assertIsInstance(task.exception(), KeyError)
        with self.assertRaises(KeyError):
            task.result()

    def test_awaiting_a_task_chain(self):
        async def leaf(i):
            await asyncio.sleep(0)
            return i

        async def middle(i):
            return await self.loop.create_task(leaf(i)) * 10

        async def top():
            total = 0
            for i in range(50):
                total += await self.loop.create_task(middle(i))
            return total

        self.assertEqual(sum(range(50)) * 10, self.run_async(top()))

    def test_bare_yield_steps_again(self):
        steps = []

        async def work():
            for i in range(3):
                steps.append(i)
                await _yield(None)
            return "after bare yields"

        self.assertEqual("after bare yields", self.run_task(work()).result())
        self.assertEqual([0, 1, 2], steps)

    def test_bad_yield_is_thrown_into_the_coroutine(self):
        async def work():
            try:
                await _yield(42)
            except RuntimeError as exc:
                return str(exc)

        self.assertEqual("Task got bad yield: 42", self.run_task(work()).result())

    def test_yielding_a_generator_is_reported(self):
        def gen():
            yield

        async def work():
            try:
                await _yield(gen())
            except RuntimeError as exc:
                return str(exc)

        self.assertIn("yield was used instead of yield from for generator in task",
                      self.run_task(work()).result())

    def test_yielding_a_future_without_await_is_reported(self):
        fut = self.loop.create_future()

        async def work():
            try:
                await _yield(fut)  # _asyncio_future_blocking is False: not awaited properly
            except RuntimeError as exc:
                return str(exc)

        self.assertIn("yield was used instead of yield from in task", self.run_task(work()).result())

    def test_future_of_another_loop_is_refused(self):
        import rloop
        other = rloop.new_event_loop() if self.is_rloop else asyncio.SelectorEventLoop()
        try:
            foreign = other.create_future()

            async def work():
                try:
                    await foreign
                except RuntimeError as exc:
                    return str(exc)

            self.assertIn("attached to a different loop", self.run_task(work()).result())
        finally:
            other.close()

    def test_task_awaiting_itself_is_refused(self):
        async def work():
            try:
                await asyncio.current_task()
            except RuntimeError as exc:
                return str(exc)

        self.assertIn("Task cannot await on itself", self.run_task(work()).result())

    def test_cancel_while_waiting_cancels_the_awaited_future(self):
        fut = self.loop.create_future()

        async def work():
            await fut

        task = self.loop.create_task(work())
        self.run_briefly()
        self.assertTrue(task.cancel("stop it"))
        self.assertTrue(fut.cancelled())
        with self.assertRaises(asyncio.CancelledError) as cm:
            self.loop.run_until_complete(task)
        self.assertEqual(("stop it",), cm.exception.args)
        self.assertTrue(task.cancelled())

    def test_cancel_requested_as_coroutine_returns_wins(self):
        async def work():
            asyncio.current_task().cancel()  # the coroutine returns right after this
            return "ignored"

        task = self.run_task(work())
        self.assertTrue(task.cancelled())

    def test_cancelled_error_swallowed_lets_task_finish(self):
        async def work():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return "caught"

        task = self.loop.create_task(work())
        self.run_briefly()
        task.cancel()
        self.assertEqual("caught", self.loop.run_until_complete(task))
        self.assertFalse(task.cancelled())

    def test_system_exit_propagates_out_of_the_loop(self):
        async def work():
            raise SystemExit(3)

        task = self.loop.create_task(work())
        with self.assertRaises(SystemExit):
            self.loop.run_until_complete(task)
        self.assertIsInstance(task.exception(), SystemExit)

    def test_current_task_during_steps_and_none_between(self):
        seen = []

        async def work():
            seen.append(asyncio.current_task(self.loop))
            await asyncio.sleep(0)
            seen.append(asyncio.current_task(self.loop))

        task = self.loop.create_task(work())
        self.loop.run_until_complete(task)
        self.assertEqual([task, task], seen)
        self.assertIsNone(asyncio.current_task(self.loop))

    def test_done_callback_added_after_completion_is_scheduled(self):
        async def work():
            return 5

        task = self.loop.create_task(work())
        self.loop.run_until_complete(task)
        seen = []
        task.add_done_callback(lambda t: seen.append(t.result()))
        self.assertEqual([], seen)
        self.run_briefly()
        self.assertEqual([5], seen)

    def test_removed_done_callback_does_not_run(self):
        async def work():
            await asyncio.sleep(0)

        seen = []

        def callback(t):
            seen.append(t)

        task = self.loop.create_task(work())
        task.add_done_callback(callback)
        self.assertEqual(1, task.remove_done_callback(callback))
        self.loop.run_until_complete(task)
        self.run_briefly()
        self.assertEqual([], seen)

    def test_set_result_on_task_is_refused(self):
        async def work():
            return 1

        task = self.loop.create_task(work())
        with self.assertRaisesRegex(RuntimeError, "Task does not support set_result operation"):
            task.set_result(2)
        self.loop.run_until_complete(task)

    def test_future_set_result_twice_is_invalid_state(self):
        fut = self.loop.create_future()
        fut.set_result(1)
        with self.assertRaises(asyncio.InvalidStateError):
            fut.set_result(2)

    def test_future_callbacks_on_closed_loop_raise(self):
        fut = self.loop.create_future()
        fut.add_done_callback(lambda f: None)
        self.loop.close()
        with self.assertRaisesRegex(RuntimeError, "Event loop is closed"):
            fut.set_result(1)


class StepReportTests(LoopTestCase):
    """A step that raises out of the task (here: it finds another task current, which the stdlib
    refuses) goes to the loop's exception handler as the stdlib's Handle reports it; the loop
    runs on."""

    def test_a_step_that_cannot_enter_its_task_is_reported(self):
        loop = self.loop
        reports = []
        loop.set_exception_handler(lambda _, context: reports.append(context))
        other = loop.create_future()  # stands in for the task already running
        ran = []

        async def work():
            ran.append("work")

        coro = work()
        loop.call_soon(asyncio.tasks._enter_task, loop, other)
        task = loop.create_task(coro)  # its first step is queued after _enter_task
        loop.call_soon(asyncio.tasks._leave_task, loop, other)
        loop.call_soon(ran.append, "after")
        self.run_briefly()

        self.assertEqual(["after"], ran)
        self.assertEqual(1, len(reports), reports)
        report = reports[0]
        self.assertTrue(report["message"].startswith("Exception in callback "), report["message"])
        self.assertIsInstance(report["exception"], RuntimeError)
        self.assertIn("Cannot enter into task", str(report["exception"]))
        self.assertIsInstance(report["handle"], asyncio.Handle)
        self.assertFalse(task.done())  # the stdlib does not step it again
        self.assertIn(task, asyncio.all_tasks(loop))  # pending, so still listed
        coro.close()
        task._log_destroy_pending = False
