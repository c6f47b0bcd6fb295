"""rloop.Loop: the Python face of the Java loop core.

asyncio calls loop methods with keyword arguments (``context=``) and expects stdlib classes
(``asyncio.Handle``, ``asyncio.TimerHandle``), which Java methods cannot provide. This class keeps
asyncio's own ``BaseEventLoop`` for everything that is not on the hot path (task creation, error
handling, executors, async generators, debug checks) and hands the queues, timers, waiting and
wake-ups to ``dev.rloop.LoopCore``.
"""

import asyncio
import selectors
import signal
import socket
import sys
import threading
import time

from asyncio import base_events, coroutines, events

from . import _bridge
from ._signals import SignalHandlers
from ._watchers import FdWatchers

__all__ = ("Loop",)

_bridge_obj = _bridge.bridge
_java_time = _bridge_obj.time
_CLOCK_RESOLUTION = time.get_clock_info("monotonic").resolution


class _TimerHandle(events.TimerHandle):
    """A stdlib TimerHandle that also knows its entry in the Java timer heap."""

    __slots__ = ("_entry",)


def _run_handle(handle):
    if not handle._cancelled:
        handle._run()


def _signal_checkpoint():
    """Called by the core on the main thread between short waits: entering Python code lets
    GraalPy run pending signal handlers (Ctrl-C's KeyboardInterrupt) here."""


def _not_implemented(name, issue):
    def method(self, *args, **kwargs):
        raise NotImplementedError(
            f"rloop does not implement {name}() yet ({issue}); "
            f"use GraalPy's stdlib loop (rloop-graalpy --loop asyncio) for it")
    method.__name__ = name
    method.__qualname__ = f"Loop.{name}"
    return method


class Loop(base_events.BaseEventLoop):
    """An asyncio event loop whose scheduling core runs in Java."""

    def __init__(self):
        # the core exists first: BaseEventLoop.__init__ calls set_debug()
        self._core = _bridge_obj.newCore(_run_handle, _CLOCK_RESOLUTION)
        super().__init__()
        self._fd_watchers = FdWatchers(self)
        self._signal_handlers = SignalHandlers(self)

    # ---- time and scheduling ---------------------------------------------------------------

    def time(self):
        return _java_time()

    def call_soon(self, callback, *args, context=None):
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_soon")
        handle = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._core.callSoon(handle)
        return handle

    def _call_soon(self, callback, args, context):
        handle = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._core.callSoon(handle)
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_callback(callback, "call_soon_threadsafe")
        handle = events.Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._core.callSoonThreadsafe(handle)
        return handle

    def call_at(self, when, callback, *args, context=None):
        if when is None:
            raise TypeError("when cannot be None")
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        timer = _TimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        # A non-number raises the TypeError the stdlib's timer heap raises when it compares the
        # new timer; float() alone would accept "1.5" or b"1" and raise ValueError for "soon".
        when < 0.0
        timer._entry = self._core.callAt(float(when), timer)
        timer._scheduled = True
        return timer

    def _timer_handle_cancelled(self, handle):
        entry = getattr(handle, "_entry", None)
        if entry is not None and handle._scheduled:
            entry.cancel()

    def _add_callback(self, handle):
        if not handle._cancelled:
            self._core.callSoon(handle)

    def _write_to_self(self):
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
            self._core.runForever(threading.current_thread() is threading.main_thread(),
                                  _signal_checkpoint)
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            self._set_coroutine_origin_tracking(False)
            sys.set_asyncgen_hooks(*old_agen_hooks)

    def _run_once(self):
        raise RuntimeError("rloop.Loop runs its iterations in Java; call run_forever()")

    def stop(self):
        self._stopping = True
        self._core.stop()

    def set_debug(self, enabled):
        super().set_debug(enabled)
        self._core.setRunner(_run_handle_debug if enabled else _run_handle)

    def close(self):
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        super().close()
        if not sys.is_finalizing():
            self._signal_handlers.remove_all()
        self._fd_watchers.close()
        self._core.close()

    # ---- file descriptors written by Python code --------------------------------------------

    def add_reader(self, fd, callback, *args):
        self._check_closed()
        self._fd_watchers.add(fd, True, callback, args)

    def remove_reader(self, fd):
        if self._closed:
            return False
        return self._fd_watchers.remove(fd, True)

    def add_writer(self, fd, callback, *args):
        self._check_closed()
        self._fd_watchers.add(fd, False, callback, args)

    def remove_writer(self, fd):
        if self._closed:
            return False
        return self._fd_watchers.remove(fd, False)

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

    # ---- not yet implemented: networking, TLS, pipes, subprocesses --------------------------

    _NETWORK = "networking is a later rloop issue"
    create_connection = _not_implemented("create_connection", _NETWORK)
    create_server = _not_implemented("create_server", _NETWORK)
    create_unix_connection = _not_implemented("create_unix_connection", _NETWORK)
    create_unix_server = _not_implemented("create_unix_server", _NETWORK)
    create_datagram_endpoint = _not_implemented("create_datagram_endpoint", _NETWORK)
    connect_accepted_socket = _not_implemented("connect_accepted_socket", _NETWORK)
    sendfile = _not_implemented("sendfile", _NETWORK)
    start_tls = _not_implemented("start_tls", "TLS is a later rloop issue")
    sock_recv = _not_implemented("sock_recv", _NETWORK)
    sock_recv_into = _not_implemented("sock_recv_into", _NETWORK)
    sock_recvfrom = _not_implemented("sock_recvfrom", _NETWORK)
    sock_recvfrom_into = _not_implemented("sock_recvfrom_into", _NETWORK)
    sock_sendall = _not_implemented("sock_sendall", _NETWORK)
    sock_sendto = _not_implemented("sock_sendto", _NETWORK)
    sock_connect = _not_implemented("sock_connect", _NETWORK)
    sock_accept = _not_implemented("sock_accept", _NETWORK)
    sock_sendfile = _not_implemented("sock_sendfile", _NETWORK)
    connect_read_pipe = _not_implemented("connect_read_pipe", "pipes are a later rloop issue")
    connect_write_pipe = _not_implemented("connect_write_pipe", "pipes are a later rloop issue")
    subprocess_exec = _not_implemented("subprocess_exec", "subprocesses are a later rloop issue")
    subprocess_shell = _not_implemented("subprocess_shell", "subprocesses are a later rloop issue")


def _run_handle_debug(handle):
    """Runs a handle as asyncio's debug mode does: it warns about slow callbacks."""
    if handle._cancelled:
        return
    loop = handle._loop
    try:
        loop._current_handle = handle
        t0 = loop.time()
        handle._run()
        dt = loop.time() - t0
        if dt >= loop.slow_callback_duration:
            base_events.logger.warning("Executing %s took %.3f seconds",
                                       base_events._format_handle(handle), dt)
    finally:
        loop._current_handle = None
