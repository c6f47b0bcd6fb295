"""The slow path from the end of the head on (``_httptools_machine``): http-parser's choice of
how the body is framed, identity and chunked bodies, and the message's end."""

from ._httptools_tables import (
    _AGAIN, _CHUNK_LIMIT, _CONNECT, _CR, E_CB_BODY, E_CB_MESSAGE_COMPLETE, E_INVALID_CHUNK_SIZE,
    E_INVALID_CONTENT_LENGTH, E_INVALID_TRANSFER_ENCODING, E_UNEXPECTED_CONTENT_LENGTH,
    F_CHUNKED, F_CONNECTION_UPGRADE, F_CONTENTLENGTH, F_SKIPBODY, F_TRAILING, F_UPGRADE, _NEXT,
    _SP, _STOP, S_BODY_IDENTITY, S_BODY_IDENTITY_EOF, S_CHUNK_DATA, S_CHUNK_DATA_ALMOST_DONE,
    S_CHUNK_DATA_DONE, S_CHUNK_PARAMETERS, S_CHUNK_SIZE, S_CHUNK_SIZE_ALMOST_DONE,
    S_CHUNK_SIZE_START, S_HEADERS_ALMOST_DONE, S_HEADERS_DONE, S_HEADER_FIELD_START,
    S_MESSAGE_DONE, S_START_REQ, S_START_RES, _ULLONG_MAX, _UNHEX)


class Body:
    """The steps of the head's end, the body and the chunks."""

    __slots__ = ()

    def _s_headers_almost_done(self, data, p, n, ch):
        if self._flags & F_TRAILING:
            # end of a chunked message
            self._state = S_MESSAGE_DONE
            if self._w_chunk_complete():
                return _STOP, p
            return _AGAIN, p
        if self._uses_te and self._flags & F_CONTENTLENGTH:
            self._errno = E_UNEXPECTED_CONTENT_LENGTH
            return _STOP, p
        self._state = S_HEADERS_DONE
        if self._flags & F_UPGRADE and self._flags & F_CONNECTION_UPGRADE:
            self._upgrade = self._type_request or self._status == 101
        else:
            self._upgrade = self._method == _CONNECT
        if self._w_headers_complete():
            return _STOP, p
        if self._upgrade:
            # httptools' callback returns 1: skip the body
            self._flags |= F_SKIPBODY
        return _AGAIN, p

    def _s_headers_done(self, data, p, n, ch):
        self._nread = 0
        flags = self._flags
        clen = self._clen
        has_body = flags & F_CHUNKED or 0 < clen != _ULLONG_MAX
        start_state = S_START_REQ if self._type_request else S_START_RES
        if self._upgrade and (self._method == _CONNECT or flags & F_SKIPBODY or not has_body):
            self._state = start_state
            cb = self._on_message_complete
            if cb is not None:
                self._notify(cb, E_CB_MESSAGE_COMPLETE)
            return _STOP, p + 1
        if flags & F_SKIPBODY:
            state = start_state
        elif flags & F_CHUNKED:
            state = S_CHUNK_SIZE_START
        elif self._uses_te:
            if self._type_request:
                self._errno = E_INVALID_TRANSFER_ENCODING
                return _STOP, p
            state = S_BODY_IDENTITY_EOF
        elif clen == 0:
            state = start_state
        elif clen != _ULLONG_MAX:
            state = S_BODY_IDENTITY
        elif not self._needs_eof():
            state = start_state
        else:
            state = S_BODY_IDENTITY_EOF
        self._state = state
        if state == start_state and self._message_complete():
            return _STOP, p + 1
        return _NEXT, p

    def _take_body(self, p, n):
        """Takes the rest of the body or chunk (self._clen bytes) from data[p:n], as far as it
        goes; returns the offset of the last byte taken."""
        clen = self._clen
        to_read = n - p
        if clen < to_read:
            to_read = clen
        if self._body_mark < 0:
            self._body_mark = p
        self._clen = clen - to_read
        return p + to_read - 1

    def _s_body_identity(self, data, p, n, ch):
        p = self._take_body(p, n)
        if self._clen == 0:
            self._state = S_MESSAGE_DONE
            cb = self._on_body
            if cb is not None and self._data(cb, data[self._body_mark:p + 1], E_CB_BODY):
                return _STOP, p
            self._body_mark = -1
            return _AGAIN, p
        return _NEXT, p

    def _s_body_identity_eof(self, data, p, n, ch):
        if self._body_mark < 0:
            self._body_mark = p
        return _NEXT, n - 1

    def _s_message_done(self, data, p, n, ch):
        self._state = S_START_REQ if self._type_request else S_START_RES
        if self._message_complete() or self._upgrade:
            return _STOP, p + 1
        return _NEXT, p

    def _s_chunk_size_start(self, data, p, n, ch):
        v = _UNHEX[ch]
        if v < 0:
            self._errno = E_INVALID_CHUNK_SIZE
            return _STOP, p
        self._clen = v
        self._state = S_CHUNK_SIZE
        return _NEXT, p

    def _s_chunk_size(self, data, p, n, ch):
        if ch == _CR:
            self._state = S_CHUNK_SIZE_ALMOST_DONE
            return _NEXT, p
        v = _UNHEX[ch]
        if v < 0:
            if ch == 59 or ch == _SP:  # ';'
                self._state = S_CHUNK_PARAMETERS
                return _NEXT, p
            self._errno = E_INVALID_CHUNK_SIZE
            return _STOP, p
        if self._clen > _CHUNK_LIMIT:
            self._errno = E_INVALID_CONTENT_LENGTH
            return _STOP, p
        self._clen = self._clen * 16 + v
        return _NEXT, p

    def _s_chunk_parameters(self, data, p, n, ch):
        if ch == _CR:
            self._state = S_CHUNK_SIZE_ALMOST_DONE
        return _NEXT, p

    def _s_chunk_size_almost_done(self, data, p, n, ch):
        self._nread = 0
        if self._clen == 0:
            self._flags |= F_TRAILING
            self._state = S_HEADER_FIELD_START
        else:
            self._state = S_CHUNK_DATA
        if self._w_chunk_header():
            return _STOP, p + 1
        return _NEXT, p

    def _s_chunk_data(self, data, p, n, ch):
        p = self._take_body(p, n)
        if self._clen == 0:
            self._state = S_CHUNK_DATA_ALMOST_DONE
        return _NEXT, p

    def _s_chunk_data_almost_done(self, data, p, n, ch):
        self._state = S_CHUNK_DATA_DONE
        if self._body_mark >= 0:
            cb = self._on_body
            if cb is not None and self._data(cb, data[self._body_mark:p], E_CB_BODY):
                return _STOP, p + 1
            self._body_mark = -1
        return _NEXT, p

    def _s_chunk_data_done(self, data, p, n, ch):
        self._nread = 0
        self._state = S_CHUNK_SIZE_START
        if self._w_chunk_complete():
            return _STOP, p + 1
        return _NEXT, p


BODY_STEPS = {
    S_HEADERS_ALMOST_DONE: Body._s_headers_almost_done,
    S_HEADERS_DONE: Body._s_headers_done,
    S_BODY_IDENTITY: Body._s_body_identity,
    S_BODY_IDENTITY_EOF: Body._s_body_identity_eof,
    S_MESSAGE_DONE: Body._s_message_done,
    S_CHUNK_SIZE_START: Body._s_chunk_size_start,
    S_CHUNK_SIZE: Body._s_chunk_size,
    S_CHUNK_PARAMETERS: Body._s_chunk_parameters,
    S_CHUNK_SIZE_ALMOST_DONE: Body._s_chunk_size_almost_done,
    S_CHUNK_DATA: Body._s_chunk_data,
    S_CHUNK_DATA_ALMOST_DONE: Body._s_chunk_data_almost_done,
    S_CHUNK_DATA_DONE: Body._s_chunk_data_done,
}
