"""rloop.Loop: an asyncio event loop whose waiting, wake-ups and signals are Java.

The loop keeps asyncio's own ``BaseEventLoop`` for everything the stdlib specifies exactly
(error handling, executors, async generators, debug checks, task factories) and replaces the
hot paths: the iteration runs the ready queue in a tight Python loop; tasks, futures and handles
are asyncio's classes with lean constructors and a lean task step (``_tasks``); timers live in a
Python bucket queue (``_timers``); and the loop calls into Java (``dev.rloop.LoopCore``) only to
wait, when nothing is ready. On GraalPy a call between Java and Python costs more than the
compiled Python it would replace, so everything done per callback stays in Python; waiting is
where Java wins (a ``java.nio`` selector instead of ``select.select`` at 20-28 us a call).
docs/ARCHITECTURE.md has the numbers.
"""

import sys
import threading

from asyncio import base_events, coroutines, events, unix_events

from . import _bridge, _pipes, _process, _tasks
from ._executor import DefaultExecutor
from ._network import NetworkMixin
from ._py_sockets import PythonSocketsMixin
from ._timers import TimerQueue
from ._transport import transport_ready
from ._signals import SignalHandlers
from ._watchers import FdWatchers

__all__ = ("Loop",)

# The longest single wait, as in asyncio (a day), so huge timeouts never overflow.
_MAX_WAIT = 24 * 3600.0
# The longest single wait in Java. While the loop thread is parked in Java it takes part in
# none of GraalPy's thread-local handshakes: another thread that loads GraalPy's C API (its first
# C-extension import, e.g. the idna codec's or hashlib's) waits for every thread's handshake, and
# Python signal handlers (SIGINT's KeyboardInterrupt, asyncio.Runner's cancel-on-Ctrl-C) run only
# when the thread executes Python code. Coming back to Python this often bounds both delays and
# costs nothing measurable (five wake-ups a second on an idle loop).
_MAX_JAVA_WAIT = 0.2


def _is_java_code(func):
    """A Java method or object (GraalPy's foreign objects), not a Python callable."""
    if type(func).__module__ != "polyglot":
        return False
    from .java import is_java_callable
    return is_java_callable(func)


class Loop(NetworkMixin, PythonSocketsMixin, base_events.BaseEventLoop):
    """An asyncio event loop that waits and wakes up in Java."""

    def __init__(self):
        super().__init__()
        self._core = _bridge.bridge.newCore()
        # the core's per-iteration calls, read off it once (rloop._buffers.ChannelWriter says why)
        self._wait_for = self._core.waitFor
        self._next_event = self._core.nextEvent
        self._timers = TimerQueue()
        self._fd_watchers = FdWatchers(self)
        self._fd_poll = None  # FdWatchers._poll while Python fds are watched
        self._signal_handlers = SignalHandlers(self)
        self._java = None  # rloop.java.JavaSide, once Java futures or blocking calls are awaited
        # JFR (dev.rloop.jfr.LoopSampler): the loop counts its iterations and hands the count
        # over every _next_sample iterations or when a wait says so; only while a recording
        # takes rloop's events (_observing) does it time callbacks and note timer lateness
        self._sampler = self._core.sampler()
        self._iterations = 0
        # whether the last iteration waited or polled: the next one, if callbacks are ready,
        # then skips its zero-timeout poll (see _iteration)
        self._just_waited = False
        self._callbacks = 0
        self._observing = False
        self._lag_max = self._lag_sum = 0.0
        self._lag_batches = 0
        self._sample()
        self._init_network()
        self._init_python_sockets()

    # ---- scheduling ------------------------------------------------------------------------

    def call_soon(self, callback, *args, context=None):
        # The stdlib's call_soon, with its checks inlined: asyncio calls this for every task
        # step and done-callback, and on GraalPy each saved Python call is measurable.
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_soon")
            handle = self._call_soon(callback, args, context)
            if handle._source_traceback:
                del handle._source_traceback[-1]
            return handle
        handle = _tasks.Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle

    def create_future(self):
        return _tasks.Future(loop=self)

    def create_task(self, coro, *, name=None, context=None):
        if self._task_factory is not None:
            return super().create_task(coro, name=name, context=context)
        if self._closed:
            raise RuntimeError("Event loop is closed")
        task = _tasks.Task(coro, loop=self, name=name, context=context)
        if task._source_traceback:
            del task._source_traceback[-1]
        return task

    def call_later(self, delay, callback, *args, context=None):
        if delay is None:
            raise TypeError("delay must not be None")
        return self._timer(self.time() + delay, callback, args, context)

    def call_at(self, when, callback, *args, context=None):
        if when is None:
            raise TypeError("when cannot be None")
        return self._timer(when, callback, args, context)

    def _timer(self, when, callback, args, context):
        # call_at's work for both call_later and call_at: one frame fewer than the stdlib's
        # call_later -> call_at. Messages name call_at() for both, as the stdlib's do.
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        # a non-number fails here with the TypeError the stdlib's heap comparison raises
        when < 0.0
        timer = _tasks.TimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            # end the traceback at the caller, not in __init__, _timer and call_at/call_later
            del timer._source_traceback[-3:]
        self._timers.push(timer)
        return timer

    def _timer_handle_cancelled(self, handle):
        if handle._scheduled:
            self._timers.cancelled(handle)

    def _write_to_self(self):
        # call_soon_threadsafe queued its handle first; now make sure the loop sees it
        self._core.wakeup()

    # ---- running ---------------------------------------------------------------------------

    def run_forever(self):
        self._check_closed()
        self._check_running()
        self._set_coroutine_origin_tracking(self._debug)
        old_agen_hooks = sys.get_asyncgen_hooks()
        try:
            self._thread_id = threading.get_ident()
            sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                                   finalizer=self._asyncgen_finalizer_hook)
            events._set_running_loop(self)
            self._iterate()
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            self._set_coroutine_origin_tracking(False)
            sys.set_asyncgen_hooks(*old_agen_hooks)

    def _run_once(self):
        self._iteration()

    def _iterate(self):
        # One call per iteration rather than one long loop here: GraalPy compiles a function
        # called often far more reliably than it replaces a running loop on the stack (OSR).
        iteration = self._iteration
        while True:
            iteration()
            if self._stopping:
                break

    def _iteration(self):
        """One iteration, with asyncio's semantics: wait (not at all when something is ready or
        the loop is stopping), move the timers due by now + clock resolution to the ready
        queue, then run exactly the handles that were ready at that point.

        One difference: when callbacks are ready, the stdlib polls its selector with a zero
        timeout in every iteration; rloop skips that poll in an iteration that directly follows
        one that waited or polled. In an echo, each wake-up otherwise costs two polls (the
        wait that finds the socket readable, then a poll before the task the data wakes can
        run) where uvloop makes one; a loop busy with callbacks still polls every other
        iteration, so I/O is seen at most one iteration later than the stdlib would see it."""
        ready = self._ready
        timers = self._timers
        next_due = timers.next_due()
        iterations = self._iterations = self._iterations + 1
        if iterations >= self._next_sample:
            self._sample()

        if ready or self._stopping:
            timeout = 0
        elif next_due is not None:
            timeout = min(max(0.0, next_due - self.time()), _MAX_WAIT)
        else:
            timeout = -1.0
        poll = self._fd_poll
        if timeout == 0 and self._just_waited and not self._stopping:
            self._just_waited = False
        elif poll is not None or timeout or self._channels:
            self._just_waited = True
            if not 0 <= timeout <= _MAX_JAVA_WAIT:
                timeout = _MAX_JAVA_WAIT
            if poll is not None:
                poll(timeout)
            else:
                event = self._wait_for(timeout)
                if event != -1:
                    self._dispatch_io(event)
        java = self._java
        if java is not None and java.waiting:
            java.drain()

        if next_due is not None:
            end = self.time() + self._clock_resolution
            if next_due < end:
                ready.extend(timers.pop_due(end))
                if self._observing:
                    self._note_lateness(end - self._clock_resolution - next_due)

        if self._debug or self._observing:
            self._run_ready_timed(len(ready))
        else:
            popleft = ready.popleft
            for _ in range(len(ready)):
                handle = popleft()
                if not handle._cancelled:
                    handle._run()

    def _run_ready_timed(self, count):
        """Runs ready handles timing each: asyncio's debug mode warns about slow callbacks, and a
        JFR recording gets a dev.rloop.SlowCallback event for each."""
        debug = self._debug
        sampler = self._sampler if self._observing else None
        slow = self.slow_callback_duration
        ran = 0
        for _ in range(count):
            handle = self._ready.popleft()
            if handle._cancelled:
                continue
            ran += 1
            try:
                if debug:
                    self._current_handle = handle
                t0 = self.time()
                handle._run()
                dt = self.time() - t0
                if dt >= slow:
                    if debug:
                        base_events.logger.warning("Executing %s took %.3f seconds",
                                                   base_events._format_handle(handle), dt)
                    if sampler is not None:
                        sampler.slowCallback(base_events._format_handle(handle), dt, slow)
            finally:
                self._current_handle = None
        self._callbacks += ran

    def _note_lateness(self, late):
        if late > self._lag_max:
            self._lag_max = late
        self._lag_sum += late
        self._lag_batches += 1

    def _sample(self):
        """Hands the loop's counts to its JFR sampler (dev.rloop.jfr.LoopSampler)."""
        sampler = self._sampler
        self._next_sample = sampler.sample(self._iterations, self._callbacks, self._lag_max,
                                           self._lag_sum, self._lag_batches)
        self._lag_max = self._lag_sum = 0.0
        self._lag_batches = 0
        self._observing = sampler.observing()

    def stop(self):
        self._stopping = True
        self._core.wakeup()

    def close(self):
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        super().close()
        _tasks.release_held(self)
        self._timers.clear()
        if not sys.is_finalizing():
            self._signal_handlers.remove_all()
        self._fd_watchers.close()
        self._close_channels()
        self._core.close()

    # ---- executors --------------------------------------------------------------------------

    def run_in_executor(self, executor, func, *args):
        # The stdlib's, but the default executor it creates on first use is rloop's, whose idle
        # workers do not block GraalPy's C-API loading (_executor has the why). The stdlib's own
        # checks (closed loop, shutdown called) still run and raise as they do there.
        if executor is None and _is_java_code(func):
            # Java code runs on a virtual thread of its own (rloop.java); the stdlib's thread
            # pool is for Python, which runs on platform threads only
            self._check_closed()
            from . import java
            return self.create_task(java.run_blocking(func, *args))
        if (executor is None and self._default_executor is None and not self._closed
                and not self._executor_shutdown_called):
            self._default_executor = DefaultExecutor(thread_name_prefix="asyncio")
        return super().run_in_executor(executor, func, *args)

    # ---- file descriptors written by Python code --------------------------------------------

    # The public methods refuse fds a live transport owns, then use the hooks the stdlib's
    # selector code calls (PythonSocketsMixin), as the stdlib's selector loop does.

    def add_reader(self, fd, callback, *args):
        self._ensure_fd_no_transport(fd)
        self._add_reader(fd, callback, *args)

    def remove_reader(self, fd):
        self._ensure_fd_no_transport(fd)
        return self._remove_reader(fd)

    def add_writer(self, fd, callback, *args):
        self._ensure_fd_no_transport(fd)
        self._add_writer(fd, callback, *args)

    def remove_writer(self, fd):
        self._ensure_fd_no_transport(fd)
        return self._remove_writer(fd)

    # ---- signals ---------------------------------------------------------------------------

    def add_signal_handler(self, sig, callback, *args):
        if coroutines.iscoroutine(callback) or coroutines.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with add_signal_handler()")
        self._signal_handlers.check(sig)
        self._check_closed()
        self._signal_handlers.add(sig, callback, args)

    def remove_signal_handler(self, sig):
        self._signal_handlers.check(sig)
        return self._signal_handlers.remove(sig)

    # ---- subprocesses and pipes -------------------------------------------------------------

    # subprocess_exec/subprocess_shell are the stdlib's (argument checks), which call this
    async def _make_subprocess_transport(self, protocol, args, shell, stdin, stdout, stderr,
                                         bufsize, extra=None, **kwargs):
        waiter = self.create_future()
        transport = _process.ProcessTransport(self, protocol, args, shell, stdin, stdout, stderr,
                                              bufsize, waiter=waiter, extra=extra, **kwargs)
        try:
            await waiter
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException:
            transport.close()  # kills the child if it runs
            await transport._wait_exit()
            raise
        return transport

    async def connect_read_pipe(self, protocol_factory, pipe):
        return await self._connect_pipe(protocol_factory, pipe, readable=True)

    async def connect_write_pipe(self, protocol_factory, pipe):
        return await self._connect_pipe(protocol_factory, pipe, readable=False)

    async def _connect_pipe(self, protocol_factory, pipe, readable):
        java_pipe = self._java_pipe(pipe, readable)
        protocol = protocol_factory()
        waiter = self.create_future()
        if java_pipe is None:
            # a pipe made by Python code: asyncio's own transport over add_reader/add_writer
            transport_class = (unix_events._UnixReadPipeTransport if readable
                               else unix_events._UnixWritePipeTransport)
            transport = transport_class(self, pipe, protocol, waiter)
        else:
            transport_class = _pipes.ReadPipeTransport if readable else _pipes.WritePipeTransport
            transport = transport_class(self, java_pipe, protocol, pipe, waiter)
        return await transport_ready(transport, protocol, waiter)

    def _java_pipe(self, pipe, readable):
        """The Java pipe for a child's pipe or one of the program's standard streams, or None
        for a pipe Python code made."""
        if isinstance(pipe, _process.JavaPipe):
            return pipe.pipe
        try:
            fd = pipe.fileno()
        except (AttributeError, OSError, ValueError):
            return None
        streams = _bridge.bridge.standardStreams()
        if readable and fd == 0:
            return streams.stdinPipe(self._core, self._new_channel_id())
        if not readable and fd in (1, 2):
            flush = getattr(pipe, "flush", None)
            if flush is not None:
                flush()  # what print() buffered goes out first
            return streams.outputPipe(self._core, self._new_channel_id(), fd)
        return None
