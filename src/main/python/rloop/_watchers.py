"""add_reader/add_writer for file descriptors and sockets made by Python code.

GraalPy's sockets are emulated on top of Java channels that Java code cannot reach, so while any
such fd is watched the loop waits in ``select.select`` instead of the Java selector. A loopback
connection whose far end is Java (``PythonWakeChannel``) keeps that wait wakeable from any thread,
and a Java thread (``ChannelWatcher``) watches the loop's own channels meanwhile.
"""

import select
import socket
from selectors import _fileobj_to_fd

from asyncio import events


class FdWatchers:
    def __init__(self, loop):
        self._loop = loop
        self._core = loop._core
        self._readers = {}   # fd -> Handle
        self._writers = {}   # fd -> Handle
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
        self._changed()
        return handle

    def remove(self, fileobj, reading):
        fd = _fileobj_to_fd(fileobj)
        table = self._readers if reading else self._writers
        handle = table.pop(fd, None)
        if handle is None:
            return False
        handle.cancel()
        self._changed()
        return True

    def close(self):
        for handle in list(self._readers.values()) + list(self._writers.values()):
            handle.cancel()
        self._readers.clear()
        self._writers.clear()
        self._loop._fd_poll = None
        if self._wake_sock is not None:
            self._wake_sock.close()
            self._wake_sock = None

    def _changed(self):
        if not self._readers and not self._writers:
            self._loop._fd_poll = None
            self._core.setPythonPolling(False)
            return
        if self._wake_sock is None:
            self._open_wake()
        self._rlist = [self._wake_sock.fileno(), *self._readers]
        self._wlist = list(self._writers)
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
            if self._core.channelsWatched():
                self._loop._dispatch_io()
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
        self._changed()
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
        self._core.pythonWakeDrained()
        try:
            while self._wake_sock.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
