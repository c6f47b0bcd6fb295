"""add_reader/add_writer for file descriptors and sockets made by Python code.

GraalPy's sockets are emulated on top of Java channels. Where rloop can reach a socket's channel
(``dev.rloop.net.PythonSocketWatch``) the loop's own wait registers that channel with the loop's
selector (for the length of the wait only), and the socket's readiness comes back through
``LoopCore.nextEvent`` like the loop's own channels'. Other descriptors (pipes, blocking sockets,
every socket when GraalPy's internals are closed to rloop or the route is turned off with
``RLOOP_PYSOCKET_SELECTOR=0``) make the loop wait in ``select.select`` while they are watched: a
loopback connection whose far end is Java (``PythonWakeChannel``) keeps that wait wakeable from any
thread, and a Java thread (``ChannelWatcher``) watches the loop's own channels meanwhile.
"""

import os
import select
import socket
from selectors import _fileobj_to_fd

from asyncio import events


# The selector route: measured on sock_* echo round trips (benchmarks/net_workloads.py, warmed),
# about 24k round trips/s against 13k through select.select, whose every call opens, fills and
# closes a fresh Java selector. RLOOP_PYSOCKET_SELECTOR=0 turns it off.
SELECTOR_ROUTE = os.environ.get("RLOOP_PYSOCKET_SELECTOR", "") != "0"


class _Unwatched:
    """What a selector-watched fd's entry holds in a direction it does not watch: the loop skips
    it as a cancelled handle, so a readiness reported just before remove_reader/remove_writer
    queues nothing that runs."""

    __slots__ = ()
    _cancelled = True


_NOTHING = _Unwatched()


class _SelectorWatched:
    """A Python socket watched on the loop's selector: the loop's channel table entry (the loop
    queues ``_read_handle``/``_write_handle`` when the channel is ready, and calls
    ``unwatchable`` when the wait could not register it)."""

    __slots__ = ("id", "fd", "_watchers", "_read_handle", "_write_handle")

    def __init__(self, channel_id, fd, watchers):
        self.id = channel_id
        self.fd = fd
        self._watchers = watchers
        self._read_handle = self._write_handle = _NOTHING

    def unwatchable(self):
        # made blocking (or closed) since it was watched: java.nio registers only non-blocking
        # channels, so from now on it is polled with select.select, as the stdlib would watch it
        self._watchers._to_polling(self.fd)


class FdWatchers:
    def __init__(self, loop):
        self._loop = loop
        self._core = loop._core
        # dev.rloop.net.PythonSocketWatch, or None: every fd then waits in select.select
        self._sockets = self._core.pythonSockets() if SELECTOR_ROUTE else None
        self._readers = {}   # fd -> Handle
        self._writers = {}   # fd -> Handle
        self._on_selector = {}  # fd -> _SelectorWatched, for the fds the loop's selector watches
        self._polled = set()    # the other watched fds: they need select.select
        self._wake_sock = None
        self._rlist = []
        self._wlist = []

    def add(self, fileobj, reading, callback, args):
        fd = _fileobj_to_fd(fileobj)
        table = self._readers if reading else self._writers
        handle = events.Handle(callback, args, self._loop, None)
        old = table.get(fd)
        table[fd] = handle
        if old is not None:
            old.cancel()
        self._changed(fd)
        return handle

    def remove(self, fileobj, reading):
        fd = _fileobj_to_fd(fileobj)
        table = self._readers if reading else self._writers
        handle = table.pop(fd, None)
        if handle is None:
            return False
        handle.cancel()
        self._changed(fd)
        return True

    def close(self):
        for handle in list(self._readers.values()) + list(self._writers.values()):
            handle.cancel()
        self._readers.clear()
        self._writers.clear()
        for fd in list(self._on_selector):
            self._leave_selector(fd)
        self._polled.clear()
        self._loop._fd_poll = None
        if self._wake_sock is not None:
            self._wake_sock.close()
            self._wake_sock = None

    def _changed(self, fd):
        reader = self._readers.get(fd)
        writer = self._writers.get(fd)
        if reader is None and writer is None:
            self._leave_selector(fd)
            self._polled.discard(fd)
        elif self._on_selector_now(fd, reader, writer):
            self._polled.discard(fd)
        else:
            self._polled.add(fd)
        self._update_poll()

    def _on_selector_now(self, fd, reader, writer):
        """Watches `fd` on the loop's selector, in the directions that have a handle; False when
        its channel cannot be watched there (then it is watched by polling)."""
        if self._sockets is None:
            return False
        entry = self._on_selector.get(fd)
        if entry is None:
            entry = _SelectorWatched(self._loop._new_channel_id(), fd, self)
        ops = (1 if reader is not None else 0) | (4 if writer is not None else 0)
        if not self._sockets.watch(entry.id, fd, ops):
            if fd in self._on_selector:
                del self._on_selector[fd]
                self._loop._unregister_channel(entry.id)
            return False
        entry._read_handle = reader if reader is not None else _NOTHING
        entry._write_handle = writer if writer is not None else _NOTHING
        if fd not in self._on_selector:
            self._on_selector[fd] = entry
            self._loop._register_channel(entry.id, entry)
        return True

    def _leave_selector(self, fd):
        entry = self._on_selector.pop(fd, None)
        if entry is not None:
            self._sockets.unwatch(entry.id)
            self._loop._unregister_channel(entry.id)

    def _to_polling(self, fd):
        if fd in self._on_selector:
            self._leave_selector(fd)
            self._polled.add(fd)
            self._update_poll()

    def _update_poll(self):
        polled = self._polled
        if not polled:
            if self._loop._fd_poll is not None:
                self._loop._fd_poll = None
                self._core.setPythonPolling(False)
            return
        if self._wake_sock is None:
            self._open_wake()
        self._rlist = [self._wake_sock.fileno(), *(fd for fd in self._readers if fd in polled)]
        self._wlist = [fd for fd in self._writers if fd in polled]
        if self._loop._fd_poll is None:
            self._loop._fd_poll = self._poll
            self._core.setPythonPolling(True)

    def _open_wake(self):
        port = self._core.openPythonWake()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(bytes.fromhex(self._core.pythonWakeToken()))
        self._core.acceptPythonWake()
        sock.setblocking(False)
        self._wake_sock = sock

    def _poll(self, timeout):
        # the loop's own Java channels are watched meanwhile by a Java thread, which makes the
        # wake socket readable when one of them is ready
        self._core.watchChannels()
        try:
            r, w, _ = select.select(self._rlist, self._wlist, [],
                                    None if timeout < 0 else timeout)
        except InterruptedError:
            r = w = ()
        except (OSError, ValueError):
            # a watched fd was closed behind the loop's back: find it, as selectors would,
            # by polling each fd on its own, and drop the dead ones
            r, w = self._poll_each()
        finally:
            event = self._core.channelsWatched()
            if event != -1:
                self._loop._dispatch_io(event)
        add = self._loop._add_callback
        wake_fd = self._rlist[0]
        for fd in r:
            if fd == wake_fd:
                self._drain_wake()
                continue
            handle = self._readers.get(fd)
            if handle is not None:
                add(handle)
        for fd in w:
            handle = self._writers.get(fd)
            if handle is not None:
                add(handle)

    def _poll_each(self):
        r = self._probe(self._rlist, self._readers, reading=True)
        w = self._probe(self._wlist, self._writers, reading=False)
        self._polled = {fd for fd in self._polled if fd in self._readers or fd in self._writers}
        self._update_poll()
        return r, w

    @staticmethod
    def _probe(fds, table, reading):
        """Polls each fd on its own; drops from `table` the fds select() rejects."""
        ready = []
        for fd in list(fds):
            try:
                r, w, _ = select.select([fd] if reading else [], [] if reading else [fd], [], 0)
            except (OSError, ValueError):
                table.pop(fd, None)
            else:
                ready += r or w
        return ready

    def _drain_wake(self):
        # Read first, then let Java write again. The other order loses wake-ups for good: a
        # signal between the two would write a byte that this recv swallows, leaving Java's
        # "written, not yet read" flag set with nothing to read, so no later signal wrote and
        # every wait ran to its timeout. In this order a signal that comes before drained()
        # writes nothing, which is harmless: its work is queued before it signals, and the loop
        # runs what is ready right after this poll.
        try:
            while self._wake_sock.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        self._core.pythonWakeDrained()
