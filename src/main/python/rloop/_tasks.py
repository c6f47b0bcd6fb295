"""rloop's Future, Task and Handle: asyncio's own classes with their hot paths made lean.

GraalPy has no ``_asyncio`` accelerator, so every task runs asyncio's pure-Python ``Task``. Its
cost on GraalPy is less any one operation than the number of Python calls and objects per step:
``call_soon`` with ``*args`` and ``context=``, ``Handle.__init__`` asking ``get_debug()``,
``_enter_task``/``_leave_task`` as module functions, ``super()`` objects for ``set_result``, the
future's ``add_done_callback``. The classes here subclass asyncio's, so ``isinstance`` checks,
``asyncio.current_task``, ``all_tasks``, cancellation and every method not rewritten behave as the
stdlib's; what is rewritten does the same steps with fewer calls. They are made only by
``rloop.Loop`` (``create_future``, ``create_task``), always for an rloop loop, and in debug mode
they defer to the stdlib's paths (``call_soon`` with its thread and callback checks).
"""

import contextvars
import sys
from types import MethodType as _MethodType

from asyncio import coroutines, events, exceptions, format_helpers, futures, tasks

_PENDING = futures._PENDING
_CANCELLED = futures._CANCELLED
_FINISHED = futures._FINISHED

_copy_context = contextvars.copy_context
_current_tasks = tasks._current_tasks
_register_task = tasks._register_task
_queued_tasks = tasks._eager_tasks
_name_counter = tasks._task_name_counter
_get_loop = futures._get_loop
_isgenerator = __import__("inspect").isgenerator
_WAKEUP = tasks.Task._Task__wakeup


class Handle(events.Handle):
    """asyncio's Handle without the debug query in ``__init__``: made only outside debug mode,
    where the stdlib's ``__init__`` would set ``_source_traceback`` to None anyway."""

    __slots__ = ()

    def __init__(self, callback, args, loop, context):
        self._context = _copy_context() if context is None else context
        self._loop = loop
        self._callback = callback
        self._args = args
        self._cancelled = False
        self._repr = None
        self._source_traceback = None

    def _report_exception(self, exc):
        """What asyncio's ``Handle._run`` does with an exception its callback raised."""
        source = format_helpers._format_callback_source(self._callback, self._args)
        context = {"message": f"Exception in callback {source}", "exception": exc, "handle": self}
        if self._source_traceback:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)


# Why two handle classes whose _run reads the same: GraalPy specialises the context.run() call
# in a _run by the callbacks it has seen there. asyncio's Handle._run is one call site for every
# callback a program schedules, so GraalPy soon calls through it indirectly: the callback cannot
# be inlined and its arguments and frame are allocated on the heap. A task's step and a channel's
# readiness are the callbacks the loop runs most, each from a _run of its own, where the site
# sees one callback (Task.__step) or one per transport kind. Neither passes arguments, so neither
# pays for asyncio's *args either.

class StepHandle(Handle):
    """A task's next step (``Task.__step`` without arguments), as ``call_soon`` would queue it."""

    __slots__ = ()

    def _run(self):
        try:
            self._context.run(self._callback)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._report_exception(exc)
        self = None  # the traceback of a reported exception must not keep the handle alive


class ReadinessHandle(Handle):
    """What a channel's readiness queues: its transport's (or listener's, or pipe's) method for
    the ready operation, without arguments."""

    __slots__ = ()

    def _run(self):
        try:
            self._context.run(self._callback)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._report_exception(exc)
        self = None  # the traceback of a reported exception must not keep the handle alive


class TimerHandle(events.TimerHandle):
    """asyncio's TimerHandle with a lean ``__init__`` outside debug mode."""

    __slots__ = ()

    def __init__(self, when, callback, args, loop, context):
        if loop._debug:
            events.TimerHandle.__init__(self, when, callback, args, loop, context)
            return
        # the lean Handle's fields (TimerHandle shares events.Handle's slots), then its own
        Handle.__init__(self, callback, args, loop, context)
        self._when = when
        self._scheduled = False


def schedule(loop, callback, args, context):
    """What ``loop.call_soon(callback, *args, context=context)`` does, for an rloop loop."""
    if loop._debug:
        return loop.call_soon(callback, *args, context=context)
    if loop._closed:
        raise RuntimeError("Event loop is closed")
    handle = Handle(callback, args, loop, context)
    loop._ready.append(handle)
    return handle


def _schedule_step(task, loop):
    """Queues ``task``'s next step, as ``call_soon(task.__step, context=task's)`` would."""
    if loop._debug or loop._closed:
        schedule(loop, task._Task__step, (), task._context)
    else:
        loop._ready.append(StepHandle(task._Task__step, (), loop, task._context))


def _schedule_callbacks(self):
    # the stdlib's Future.__schedule_callbacks, queueing the handles directly
    callbacks = self._callbacks
    if not callbacks:
        return
    self._callbacks = []
    loop = self._loop
    if loop._debug or loop._closed:
        for callback, ctx in callbacks:
            loop.call_soon(callback, self, context=ctx)
        return
    ready = loop._ready
    stepped = self._state == _FINISHED and self._exception is None
    for callback, ctx in callbacks:
        if stepped and type(callback) is _MethodType and callback.__func__ is _WAKEUP:
            # a task waiting on this future: what its __wakeup would do for a plain result
            # (result() returns, then __step()), one frame and one call fewer per wake-up
            ready.append(StepHandle(callback.__self__._Task__step, (), loop, ctx))
        else:
            ready.append(Handle(callback, (self,), loop, ctx))


def _init_future(future, loop):
    """The fields Future.__init__ sets, for rloop's Future and Task; returns the loop. In debug
    mode the source traceback ends at whoever called the constructor (frame 2 from here)."""
    if loop is None:
        loop = events.get_event_loop()
    future._loop = loop
    future._callbacks = []
    if loop._debug:
        future._source_traceback = format_helpers.extract_stack(sys._getframe(2))
    return loop


class Future(futures.Future):
    """asyncio's Future; done-callbacks go straight onto the rloop loop's ready queue."""

    def __init__(self, *, loop=None):
        _init_future(self, loop)

    _Future__schedule_callbacks = _schedule_callbacks


class Task(tasks.Task):
    """asyncio's Task with a lean step: no ``super()`` calls, ``_enter_task``/``_leave_task``
    inlined, the awaited future's done-callback and the next step queued without ``call_soon``.
    Semantics, messages and every other method are the stdlib's."""

    # instance attributes the stdlib sets in __init__, as class defaults (fewer writes per task)
    _num_cancels_requested = 0
    _must_cancel = False
    _fut_waiter = None
    # in _queued_tasks rather than in asyncio's weak registry (see _hold)
    _held = False
    _name = None  # "Task-<_name_number>" until get_name() or set_name() sets it

    def get_name(self):
        name = self._name
        if name is None:
            name = self._name = f"Task-{self._name_number}"
        return name

    def __init__(self, coro, *, loop=None, name=None, context=None, eager_start=False):
        loop = _init_future(self, loop)
        if not coroutines.iscoroutine(coro):
            self._log_destroy_pending = False
            raise TypeError(f"a coroutine was expected, got {coro!r}")
        if name is None:
            # numbered now, in creation order, but named only when asked (get_name): most tasks
            # never are, and the string costs more than the rest of the name's handling
            self._name_number = _name_counter()
        else:
            self._name = str(name)
        self._coro = coro
        self._context = _copy_context() if context is None else context
        if eager_start and loop.is_running():
            self._Task__eager_start()
        else:
            _schedule_step(self, loop)
            _hold(self)

    _Future__schedule_callbacks = _schedule_callbacks

    def _Task__step(self, exc=None):
        if self._state != _PENDING:
            raise exceptions.InvalidStateError(f"_step(): already done: {self!r}, {exc!r}")
        if self._must_cancel:
            if not isinstance(exc, exceptions.CancelledError):
                exc = self._make_cancelled_error()
            self._must_cancel = False
        self._fut_waiter = None
        loop = self._loop
        current = _current_tasks.get(loop)
        if current is not None:
            if self._held:
                _release(self)  # this step was its queued one, and it will not run
            raise RuntimeError(f"Cannot enter into task {self!r} while another "
                               f"task {current!r} is being executed.")
        _current_tasks[loop] = self
        try:
            self._Task__step_run_and_handle_result(exc)
        finally:
            current = _current_tasks.get(loop)
            if current is not self:
                raise RuntimeError(f"Leaving task {self!r} does not match "
                                   f"the current task {current!r}.")
            del _current_tasks[loop]
            # done, or waiting for a future: no step of it is queued any more
            if self._held and (self._state != _PENDING or self._fut_waiter is not None):
                _release(self)
            self = None  # break the cycle through a raised exception's traceback

    def _Task__step_run_and_handle_result(self, exc):
        coro = self._coro
        try:
            if exc is None:
                result = coro.send(None)
            else:
                result = coro.throw(exc)
        except StopIteration as stop:
            if self._must_cancel:
                self._must_cancel = False
                futures.Future.cancel(self, msg=self._cancel_message)
            else:
                # Future.set_result, whose state check cannot fail here (the step ran)
                self._result = stop.value
                self._state = _FINISHED
                _schedule_callbacks(self)
        except exceptions.CancelledError as cancelled:
            self._cancelled_exc = cancelled
            futures.Future.cancel(self)
        except (KeyboardInterrupt, SystemExit) as fatal:
            futures.Future.set_exception(self, fatal)
            raise
        except BaseException as error:
            futures.Future.set_exception(self, error)
        else:
            self._handle_yield(result)
        finally:
            self = None

    def _handle_yield(self, result):
        """What the coroutine yielded: a future to wait for, None (a bare yield: step again),
        or a mistake, reported to the coroutine as the stdlib does."""
        loop = self._loop
        blocking = getattr(result, "_asyncio_future_blocking", None)
        if blocking is not None:
            if _get_loop(result) is not loop:
                new_exc = RuntimeError(f"Task {self!r} got Future {result!r} attached to a "
                                       f"different loop")
            elif not blocking:
                new_exc = RuntimeError(f"yield was used instead of yield from in task {self!r} "
                                       f"with {result!r}")
            elif result is self:
                new_exc = RuntimeError(f"Task cannot await on itself: {self!r}")
            else:
                result._asyncio_future_blocking = False
                wakeup = self._Task__wakeup
                if type(result) in _LEAN and result._state == _PENDING:
                    result._callbacks.append((wakeup, self._context))
                else:
                    result.add_done_callback(wakeup, context=self._context)
                self._fut_waiter = result
                if self._must_cancel and result.cancel(msg=self._cancel_message):
                    self._must_cancel = False
                return
        elif result is None:
            _schedule_step(self, loop)
            return
        elif _isgenerator(result):
            new_exc = RuntimeError(f"yield was used instead of yield from for generator in task "
                                   f"{self!r} with {result!r}")
        else:
            new_exc = RuntimeError(f"Task got bad yield: {result!r}")
        schedule(loop, self._Task__step, (new_exc,), self._context)


# Where a task is registered for asyncio.all_tasks(). The stdlib registers every task in a
# WeakSet (tasks._scheduled_tasks) when it is made. On GraalPy a weak reference is a Java
# WeakReference with a Python callback that removes the dead task from the set: the collector
# finds and enqueues each, and a young collection's pause grows with their number. Measured with
# seq_tasks (one short task after another, about 500k a second), settled: young pauses of
# 100-140 ms every 1.5 s, the heap left after each growing by about 4 MB/s between old-generation
# cycles; with no registration at all, 2-4 ms every 2 s and a flat heap.
#
# A task that has a step queued is held by the ready queue anyway, so rloop keeps such a task
# in the other set all_tasks() reads, the plain set tasks._eager_tasks (the stdlib puts a task
# there while its eager first step runs, and all_tasks() takes the union of both sets). Once a
# step ends with the task done, nothing is registered any more; once it ends with the task
# waiting for a future, which may be dropped, the task goes to the weak registry as the
# stdlib's would. A task that finishes in steps that never wait (most short ones) is never
# weakly referenced. all_tasks() gives the same tasks as with the stdlib's registration, and
# no task lives longer: the loop, on close, registers weakly what it held whose step never ran.

def _hold(task):
    _queued_tasks.add(task)
    task._held = True


def _release(task):
    """`task` has no step queued any more: out of the held set, and into the weak registry if
    it is still pending."""
    _queued_tasks.discard(task)
    task._held = False
    if task._state == _PENDING:
        _register_task(task)


def release_held(loop):
    """For a closing loop: the tasks it holds, whose queued steps are dropped, go to the weak
    registry, so that they are collected as the stdlib's would be."""
    for task in [t for t in _queued_tasks if isinstance(t, Task) and t._held and t._loop is loop]:
        _release(task)


# futures whose add_done_callback is known to be the stdlib's (so appending is equivalent)
_LEAN = (Future, Task)
