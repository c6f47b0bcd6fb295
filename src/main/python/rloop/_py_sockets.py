"""Sockets made by Python code: the sock_* methods, and ``sock=`` in the create_* methods.

Such sockets are GraalPy's emulated sockets, which Java can neither watch nor drive, so rloop
serves them the way the stdlib's selector loop does: non-blocking calls retried from
add_reader/add_writer callbacks (``FdWatchers``, which waits in ``select.select``). Rather than
rewrite that logic, this mixin takes the stdlib's own implementation from
``asyncio.selector_events.BaseSelectorEventLoop`` (the sock_* methods, the socket transports
and the accept path) and gives it what it expects from a selector loop: ``_add_reader`` and
friends, and the ``_transports`` table. Semantics and error messages are therefore the
stdlib's. ``sock_recv`` and ``sock_recv_into`` are rloop's own only in when they try the socket
(``RecvAttempts``): a receive that finds nothing costs far more on GraalPy than on CPython.
"""

import functools
import weakref

from asyncio import base_events, selector_events

_Selector = selector_events.BaseSelectorEventLoop

# The stdlib methods taken as they are. They call only each other, the hooks below, and
# BaseEventLoop methods rloop already has.
_BORROWED = (
    "_sock_recv", "_sock_read_done",
    "_sock_recv_into",
    "sock_recvfrom", "_sock_recvfrom",
    "sock_recvfrom_into", "_sock_recvfrom_into",
    "sock_sendall", "_sock_sendall",
    "sock_sendto", "_sock_sendto",
    "sock_connect", "_sock_connect", "_sock_connect_cb", "_sock_write_done",
    "sock_accept", "_sock_accept",
    "_ensure_fd_no_transport",
    "_make_socket_transport", "_make_ssl_transport", "_make_datagram_transport",
    "_accept_connection", "_accept_connection2",
)


class RecvAttempts:
    """Whether sock_recv/sock_recv_into should try the socket before waiting for it to be readable.

    The stdlib tries first and waits only when the call raises BlockingIOError. On GraalPy that
    failed call costs 12-15 us, measured once compiled (its emulated socket turns Java's "nothing
    read" into a raised OSError), three times a 100-byte send plus its recv on the peer, so a
    request/response exchange, whose receives nearly always find nothing yet, pays it on every
    receive. So after a try that found nothing, the socket's next SKIPS receives wait for
    readability first and then read; then one tries again. The result of every call is the
    stdlib's: only a receive whose data was already there returns one iteration later.
    """

    SKIPS = 8
    _LIMIT = 1024  # sockets remembered; past that the table starts afresh

    def __init__(self):
        self._skips = {}  # fd -> receives left that wait first

    def worth_trying(self, fd):
        left = self._skips.get(fd)
        if not left:
            return True
        if left == 1:
            del self._skips[fd]
        else:
            self._skips[fd] = left - 1
        return False

    def found_nothing(self, fd):
        if len(self._skips) >= self._LIMIT:
            self._skips.clear()
        self._skips[fd] = self.SKIPS


class PythonSocketsMixin:
    def _init_python_sockets(self):
        self._transports = weakref.WeakValueDictionary()  # fd -> stdlib transport
        self._recv_attempts = RecvAttempts()

    # ---- receiving: the stdlib's, with RecvAttempts deciding whether to try first ---------

    async def sock_recv(self, sock, n):
        return await self._receive(sock, sock.recv, self._sock_recv, n)

    async def sock_recv_into(self, sock, buf):
        return await self._receive(sock, sock.recv_into, self._sock_recv_into, buf)

    async def _receive(self, sock, call, reader, arg):
        """`call(arg)` now if RecvAttempts says it is worth trying, else (or when it found
        nothing) once the socket is readable, through `reader` (the stdlib's _sock_recv or
        _sock_recv_into) as the stdlib does."""
        base_events._check_ssl_socket(sock)
        if self._debug and sock.gettimeout() != 0:
            raise ValueError("the socket must be non-blocking")
        fd = sock.fileno()
        if self._recv_attempts.worth_trying(fd):
            try:
                return call(arg)
            except (BlockingIOError, InterruptedError):
                self._recv_attempts.found_nothing(fd)
        return await self._read_when_ready(fd, reader, sock, arg)

    def _read_when_ready(self, fd, reader, *args):
        """A future that `reader` (the stdlib's _sock_recv or _sock_recv_into) settles from the
        reader callback once `fd` is readable; the callback goes when the future is done."""
        fut = self.create_future()
        self._ensure_fd_no_transport(fd)
        handle = self._add_reader(fd, reader, fut, *args)
        fut.add_done_callback(functools.partial(self._sock_read_done, fd, handle=handle))
        return fut

    # ---- what the stdlib's selector code asks of its loop -----------------------------------

    def _add_reader(self, fd, callback, *args):
        self._check_closed()
        return self._fd_watchers.add(fd, True, callback, args)

    def _remove_reader(self, fd):
        # the stdlib's transports remove their own fd: no transport check here
        if self._closed:
            return False
        return self._fd_watchers.remove(fd, True)

    def _add_writer(self, fd, callback, *args):
        self._check_closed()
        return self._fd_watchers.add(fd, False, callback, args)

    def _remove_writer(self, fd):
        if self._closed:
            return False
        return self._fd_watchers.remove(fd, False)

    def _start_serving_python_socket(self, protocol_factory, sock, *args):
        self._add_reader(sock.fileno(), self._accept_connection, protocol_factory, sock, *args)

    def _stop_serving_python_socket(self, sock):
        self._remove_reader(sock.fileno())
        sock.close()


for _name in _BORROWED:
    setattr(PythonSocketsMixin, _name, getattr(_Selector, _name))
del _name
