"""The JVM side of asyncio on rloop: Java futures as awaitables, blocking Java calls on virtual
threads.

    import rloop.java

    # any Java Future / CompletionStage / CompletableFuture a Java call returned
    body = await rloop.java.wrap_future(client.sendAsync(request, handler))
    body = await client.sendAsync(request, handler)     # the same: Java futures are awaitable
    # a blocking Java call on a fresh virtual thread; the loop runs on meanwhile
    rows = await rloop.java.run_blocking(statement.executeQuery)   # a Java method
    await rloop.java.run_blocking(Thread.sleep, 100)

Java completes futures on its own threads; those threads never run Python. They queue the
outcome in Java (``dev.rloop.jvm.JavaCompletions``) and wake the loop as
``call_soon_threadsafe`` does, and the loop thread turns the queued outcomes into Python results,
exceptions or cancellations after its wait. These work on rloop's loop only: the stdlib loop has
no such wake-up to share.
"""

import traceback
from asyncio import coroutines, events, exceptions, futures, tasks

from . import _bridge, _tasks

__all__ = ("JavaException", "wrap_future", "run_blocking", "is_java_callable", "aiter",
           "publisher")


class JavaException(Exception):
    """A Java exception raised in Python: ``str()`` is the Java exception's ``toString()``
    (class name and message), ``.java`` the Java exception itself."""

    def __init__(self, message, java):
        super().__init__(message)
        self.java = java


class JavaSide:
    """One loop's Java outcomes: the Python futures waiting for them, by token."""

    def __init__(self, loop):
        self.completions = _bridge.bridge.newCompletions(loop._core)
        self.waiting = {}
        self.loop = loop

    async def signalled(self, token):
        """Until Java signals ``token`` (JavaCompletions.signal); the token is free again after,
        also when the wait is cancelled."""
        future = self.loop.create_future()
        self.waiting[token] = future
        try:
            await future
        finally:
            self.waiting.pop(token, None)

    def drain(self):
        """Settles the Python futures whose Java outcome has arrived. Loop thread."""
        poll = self.completions.poll
        waiting = self.waiting
        while True:
            outcome = poll()
            if outcome is None:
                return
            token = outcome.token()
            if token == 0:
                self._from_java(outcome)
                continue
            future = waiting.pop(token, None)
            if future is None or future.done():
                continue  # cancelled from Python meanwhile
            if outcome.cancelled():
                future.cancel()
                continue
            error = outcome.error()
            if error is not None:
                future.set_exception(JavaException(outcome.describeError(), error))
            else:
                future.set_result(outcome.value())


    # ---- a loop serving Java (dev.rloop.LoopService) ----------------------------------------

    def serve(self):
        """Keeps the loop draining while it serves Java, even with no Java future pending."""
        self.tasks = {}
        self.waiting[0] = None  # token 0 is never a future's: it keeps `waiting` non-empty

    def _from_java(self, outcome):
        submission = outcome.value()
        if submission is None:
            self.loop.stop()  # LoopService.close()
            return
        task = self.tasks.get(submission.id())
        if task is not None:
            task.cancel()  # Java cancelled the future
            return
        if submission.cancelRequested():
            return  # cancelled before it started
        try:
            target = submission.target()
            if coroutines.iscoroutine(target):
                awaitable = target
            else:
                awaitable = target(*submission.args())
            task = tasks.ensure_future(awaitable, loop=self.loop)
        except BaseException as exc:
            submission.fail("".join(traceback.format_exception(exc)))
            return
        self.tasks[submission.id()] = task
        task.add_done_callback(lambda t: self._finished(submission, t))

    def _finished(self, submission, task):
        self.tasks.pop(submission.id(), None)
        if task.cancelled():
            submission.cancelled()
            return
        exc = task.exception()
        if exc is not None:
            submission.fail("".join(traceback.format_exception(exc)))
        else:
            submission.succeed(task.result())


def _serve(service):
    """The loop of a dev.rloop.LoopService: runs until the service is closed, then ends as
    asyncio.run ends (remaining tasks cancelled, async generators and executor shut down)."""
    from . import new_event_loop
    loop = new_event_loop()
    events.set_event_loop(loop)
    side = _java_side(loop)
    side.serve()
    service.attach(side.completions)
    try:
        loop.run_forever()
    finally:
        try:
            remaining = [t for t in tasks.all_tasks(loop) if not t.done()]
            for t in remaining:
                t.cancel()
            if remaining:
                loop.run_until_complete(tasks.gather(*remaining, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            events.set_event_loop(None)
            loop.close()


def _java_side(loop):
    side = getattr(loop, "_java", False)
    if side is False:
        raise TypeError(f"rloop.java needs rloop's event loop, not {type(loop).__name__}: "
                        f"Java outcomes reach the loop through rloop's wake-up")
    if side is None:
        side = loop._java = JavaSide(loop)
    return side


def wrap_future(java_future, *, loop=None):
    """An asyncio future for a Java ``Future``/``CompletionStage``: it gets the Java result
    (converted as GraalPy converts return values), a :class:`JavaException` for a Java failure,
    or is cancelled when the Java future is; cancelling it (or the task awaiting it) cancels the
    Java future. An asyncio future is returned as it is."""
    if futures.isfuture(java_future):
        return java_future
    if loop is None:
        loop = events.get_event_loop()
    side = _java_side(loop)
    token = side.completions.watch(java_future) if _java_kind(java_future) == "object" else 0
    if token == 0:
        raise TypeError(f"{java_future!r} is not a Java Future or CompletionStage")
    future = _JavaFuture(loop, side, token, java_future)
    side.waiting[token] = future
    return future


class _JavaFuture(_tasks.Future):
    """What :func:`wrap_future` returns. Cancelling it cancels the Java future in the same call,
    not in a done-callback: a task that awaits it resumes only after its cancellation, and by then
    the Java side must know (asyncio's wrap_future gets this order from its callback being
    registered before the task's wake-up; here the future may also be cancelled directly)."""

    def __init__(self, loop, side, token, java_future):
        super().__init__(loop=loop)
        self._java = (side, token, java_future)

    def cancel(self, msg=None):
        if not super().cancel(msg=msg):
            return False
        side, token, java_future = self._java
        side.waiting.pop(token, None)
        side.completions.cancel(java_future)
        side.completions.interrupt(token)  # a plain Future's waiting virtual thread
        return True


def _java_kind(obj):
    """"method" for a Java method (a GraalPy host function), "object" for a Java object, None for
    anything else (Python code)."""
    if type(obj).__module__ != "polyglot":
        return None
    try:
        import java
    except ImportError:
        return None
    if java.is_function(obj):
        return "method"
    return "object" if java.is_object(obj) else None


def is_java_callable(obj):
    """Whether ``obj`` is Java code: a Java method, or a Java object (``run_blocking`` accepts a
    ``Callable``, ``Supplier``, ``Runnable`` or ``Function`` among those)."""
    return _java_kind(obj) is not None


async def run_blocking(call, *args):
    """Runs ``call(*args)`` on a fresh virtual thread and returns its result; the loop runs on
    meanwhile. ``call`` is Java code: a Java method (``Thread.sleep``, ``stmt.executeQuery``), or
    a Java ``Callable``/``Supplier``/``Runnable`` (no arguments) or ``Function`` (one). Cancelling
    the awaiting task interrupts the virtual thread. Python functions belong in
    ``loop.run_in_executor`` (Python runs on platform threads only)."""
    loop = events.get_running_loop()
    side = _java_side(loop)
    kind = _java_kind(call)
    if kind == "method":
        token = side.completions.runBlockingMethod(call, list(args))
    elif kind == "object":
        token = side.completions.runBlocking(call, list(args))
    else:
        token = 0
    if token == 0:
        raise TypeError(f"run_blocking runs Java code (a Java method, or a Callable, Supplier, "
                        f"Runnable without arguments or a Function with one), not {call!r} with "
                        f"{len(args)} argument(s); Python callables belong in loop.run_in_executor")
    future = loop.create_future()
    side.waiting[token] = future
    try:
        return await future
    except exceptions.CancelledError:
        side.waiting.pop(token, None)
        side.completions.interrupt(token)
        raise


# ---- Flow publishers ------------------------------------------------------------------------

_PARKED, _READY, _DONE, _FAILED = 0, 1, 2, 3  # dev.rloop.jvm.PublisherItems.park


class PublisherIterator:
    """A Java ``Flow.Publisher`` (or Reactive Streams ``Publisher``) as an async iterator: what
    :func:`aiter` returns. ``aclose()`` cancels the subscription; an ``async with`` block or
    ``contextlib.aclosing`` does that on exit."""

    def __init__(self, side, items):
        self._side = side
        self._items = items
        self._token = side.completions.newToken()
        self._finished = False
        self._busy = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._busy:
            raise RuntimeError("anext(): another task is already waiting for this publisher's "
                               "next item")
        items = self._items
        item = None if self._finished else items.poll()
        if item is not None:
            return item
        self._busy = True
        try:
            while not self._finished:
                state = items.park(self._token)
                if state == _PARKED:
                    await self._side.signalled(self._token)
                elif state == _DONE:
                    self._finished = True
                elif state == _FAILED:
                    self._finished = True
                    raise JavaException(items.describeError(), items.error())
                item = items.poll()
                if item is not None:
                    return item
            raise StopAsyncIteration
        finally:
            self._busy = False

    async def aclose(self):
        """Cancels the subscription; buffered items are dropped and iteration ends."""
        if not self._finished:
            self._finished = True
            self._items.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.aclose()

    def __repr__(self):
        return f"<rloop.java.PublisherIterator buffered={self._items.buffered()}>"


def aiter(publisher, *, batch=16, loop=None):
    """``async for item in aiter(publisher)``: the items of a Java ``Flow.Publisher`` (or a
    Reactive Streams ``Publisher``) with back-pressure: at most ``batch`` items are requested
    and not yet taken (``batch=1`` asks for one item at a time). ``onError`` raises a
    :class:`JavaException` after the items before it; ``onComplete`` ends the iteration."""
    if not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive int, not {batch!r}")
    if loop is None:
        loop = events.get_event_loop()
    side = _java_side(loop)
    items = None
    if _java_kind(publisher) == "object":
        items = _bridge.bridge.subscribeTo(side.completions, publisher, batch)
    if items is None:
        raise TypeError(f"{publisher!r} is not a java.util.concurrent.Flow.Publisher or "
                        f"org.reactivestreams.Publisher")
    return PublisherIterator(side, items)


def publisher(async_gen, *, loop=None):
    """A Java ``Flow.Publisher`` of an async generator's items (``Value.as(Object.class)``:
    Java objects as they are, Python numbers and strings boxed). A task on the loop pulls the
    next item only when the subscriber has requested one; ``cancel()`` closes the generator;
    an exception in it reaches ``onError``. Its single subscriber's signals run on the loop
    thread."""
    if not hasattr(async_gen, "__anext__") or not hasattr(async_gen, "aclose"):
        raise TypeError(f"publisher() takes an async generator, not {async_gen!r}")
    if loop is None:
        loop = events.get_event_loop()
    side = _java_side(loop)
    pub = _bridge.bridge.newGeneratorPublisher(side.completions, repr(async_gen))
    loop.create_task(_publish(loop, side, async_gen, pub))
    return pub


async def _publish(loop, side, agen, pub):
    """Runs ``agen`` as far as the Java subscriber's demand goes."""
    token = side.completions.newToken()
    try:
        demand = pub.demand(token)
        while demand >= 0:
            if demand == 0:
                await side.signalled(token)
                demand = pub.demand(token)
                continue
            try:
                item = await agen.__anext__()
            except StopAsyncIteration:
                pub.complete()
                return
            if item is None:
                raise TypeError("the async generator yielded None, which a Flow subscriber's "
                                "onNext cannot take")
            demand = pub.next(item)
            if demand == 0:
                demand = pub.demand(token)  # parks the task, unless a request came meanwhile
        failure = pub.subscriberFailure()
        if failure is not None:
            loop.call_exception_handler({
                "message": f"a Java subscriber of {agen!r} threw from onNext; its subscription "
                           f"is treated as cancelled",
                "exception": JavaException(str(failure), failure),
            })
    except exceptions.CancelledError:
        pub.abandon(f"the event loop cancelled the task publishing {agen!r}")
        raise
    except BaseException as exc:
        pub.fail("".join(traceback.format_exception(exc)))
        if not isinstance(exc, Exception):
            raise
    finally:
        await agen.aclose()


class _AwaitableJavaFuture:
    """Lends ``__await__`` to Java futures: ``await java_future`` is ``await wrap_future(...)``."""

    def __await__(self):
        return wrap_future(self).__await__()


def _make_java_futures_awaitable():
    # GraalPy lets a Python class lend methods to the foreign objects of a Java type (and of the
    # types implementing it); without host class lookup (GraalPyResources contexts) there is no
    # Java type to name, and wrap_future is the way
    try:
        import java
        import polyglot
        for name in ("java.util.concurrent.Future", "java.util.concurrent.CompletionStage"):
            polyglot.register_interop_type(java.type(name), _AwaitableJavaFuture)
    except Exception:
        pass


_make_java_futures_awaitable()
