"""add_signal_handler/remove_signal_handler through the JVM's signal dispatcher."""

import functools
import signal
import threading

from asyncio import events

from . import _bridge


class SignalHandlers:
    def __init__(self, loop):
        self._loop = loop
        self._handlers = {}  # signal number -> Handle

    @staticmethod
    def check(sig):
        if not isinstance(sig, int):
            raise TypeError(f"sig must be an int, not {sig!r}")
        if sig not in signal.valid_signals():
            raise ValueError(f"invalid signal number {sig}")

    def add(self, sig, callback, args):
        if threading.current_thread() is not threading.main_thread():
            # the stdlib loop fails the same way, through signal.set_wakeup_fd()
            raise RuntimeError("set_wakeup_fd only works in main thread of the main interpreter")
        handle = events.Handle(callback, args, self._loop, None)
        old = self._handlers.get(sig)
        self._handlers[sig] = handle
        if old is not None:
            old.cancel()
            return  # the JVM handler is in place already and looks the handle up
        name = signal.Signals(sig).name[3:]
        refused = _bridge.bridge.installSignal(sig, name, functools.partial(self._deliver, sig))
        if refused is not None:
            del self._handlers[sig]
            raise RuntimeError(f"sig {sig} cannot be caught")

    def _deliver(self, sig):
        """Runs on the JVM's signal dispatcher thread: queue the handler, wake the loop."""
        handle = self._handlers.get(sig)
        if handle is not None and not self._loop.is_closed():
            self._loop._add_callback_signalsafe(handle)

    def remove(self, sig):
        handle = self._handlers.pop(sig, None)
        if handle is None:
            return False
        handle.cancel()
        _bridge.bridge.uninstallSignal(sig, signal.Signals(sig).name[3:])
        return True

    def remove_all(self):
        for sig in list(self._handlers):
            self.remove(sig)
