"""Sockets made by Python code: the sock_* methods, and ``sock=`` in the create_* methods.

Such sockets are GraalPy's emulated sockets, which Java can neither watch nor drive, so rloop
serves them the way the stdlib's selector loop does: non-blocking calls retried from
add_reader/add_writer callbacks (``FdWatchers``, which waits in ``select.select``). Rather than
rewrite that logic, this mixin takes the stdlib's own implementation from
``asyncio.selector_events.BaseSelectorEventLoop`` (the sock_* methods, the socket transports
and the accept path) and gives it what it expects from a selector loop: ``_add_reader`` and
friends, and the ``_transports`` table. Semantics and error messages are therefore the
stdlib's; speed is the stdlib's too, as the wait is ``select.select``.
"""

import weakref

from asyncio import selector_events

_Selector = selector_events.BaseSelectorEventLoop

# The stdlib methods taken as they are. They call only each other, the hooks below, and
# BaseEventLoop methods rloop already has.
_BORROWED = (
    "sock_recv", "_sock_recv", "_sock_read_done",
    "sock_recv_into", "_sock_recv_into",
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


class PythonSocketsMixin:
    def _init_python_sockets(self):
        self._transports = weakref.WeakValueDictionary()  # fd -> stdlib transport

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
