"""The slow path of rloop's httptools parser: a port of http-parser's ``http_parser_execute``.

It runs for partial input, responses, bodies and everything the fast path declines. Each state
(or a few that behave alike) has a step method in the module of its part of the message:
``_httptools_start_line`` (request and status lines), ``_httptools_headers``, and
``_httptools_body`` (the end of the head, bodies and chunks). A step gets the byte at p and
returns (what next, offset): _NEXT byte, the new state on the same byte _AGAIN, or _STOP and
return the offset. Steps scan in bulk (URLs, header lines, names and values, bodies) and go
byte by byte only where http-parser's behaviour depends on every byte (method, version, chunk
sizes, special header values, split lines). The state, header state, index, header byte count
and the pending marks (where the URL, status, header or body piece being read started) live in
the parser's fields while it runs.
"""

from ._httptools_body import BODY_STEPS, Body
from ._httptools_headers import HEADER_STEPS, Headers
from ._httptools_start_line import START_LINE_STEPS, StartLine
from ._httptools_tables import (
    _CR, E_CB_BODY, E_CB_MESSAGE_COMPLETE, E_CB_STATUS, E_CB_URL, E_HEADER_OVERFLOW,
    E_INVALID_EOF_STATE, E_INVALID_INTERNAL_STATE, _LF, _MAX_HEADER_SIZE, _NEXT, _STOP,
    S_BODY_IDENTITY_EOF, S_DEAD, S_HEADERS_DONE, S_HEADER_FIELD, S_HEADER_VALUE, S_RES_STATUS,
    S_START_REQ, S_START_REQ_OR_RES, S_START_RES, _URL_STATES_WITH_MARK)


def _invalid_state(self, data, p, n, ch):
    self._errno = E_INVALID_INTERNAL_STATE
    return _STOP, p


_STEPS = {**START_LINE_STEPS, **HEADER_STEPS, **BODY_STEPS}


class Machine(StartLine, Headers, Body):
    """HttpParser's ``_execute`` and ``_eof``."""

    __slots__ = ()

    def _execute(self, data, p, n, tried):
        # tried: offset where the fast path has already declined, or -1
        self._hf_mark = self._hv_mark = self._url_mark = self._body_mark = self._st_mark = -1
        state = self._state
        if state == S_HEADER_FIELD:
            self._hf_mark = p
        elif state == S_HEADER_VALUE:
            self._hv_mark = p
        elif state in _URL_STATES_WITH_MARK:
            self._url_mark = p
        elif state == S_RES_STATUS:
            self._st_mark = p

        steps = _STEPS
        while p < n:
            ch = data[p]
            state = self._state
            if state == S_START_REQ and ch != _CR and ch != _LF and p != tried:
                r = self._fast_request(data, p, n)
                if r >= 0:
                    if self._errno or self._upgrade:
                        return r
                    p = r
                    continue
            if state <= S_HEADERS_DONE:
                self._nread += 1
                if self._nread > _MAX_HEADER_SIZE:
                    self._errno = E_HEADER_OVERFLOW
                    return p
            while True:
                what, p = steps.get(self._state, _invalid_state)(self, data, p, n, ch)
                if what == _NEXT:
                    break
                if what == _STOP:
                    return p
            p += 1
        return self._out_of_data(data, n)

    def _out_of_data(self, data, n):
        """Reports the piece pending at the end of the data (at most one mark is set)."""
        if self._hf_mark >= 0:
            if self._on_header is not None and self._w_header_field(data[self._hf_mark:n]):
                return n
        if self._hv_mark >= 0:
            if self._on_header is not None:
                self._w_header_value(data[self._hv_mark:n])
        for mark, cb, errno in ((self._url_mark, self._on_url, E_CB_URL),
                                (self._body_mark, self._on_body, E_CB_BODY),
                                (self._st_mark, self._on_status, E_CB_STATUS)):
            if mark >= 0 and cb is not None and self._data(cb, data[mark:n], errno):
                return n
        return n

    def _eof(self):
        # http_parser_execute() with len == 0
        state = self._state
        if state == S_BODY_IDENTITY_EOF:
            cb = self._on_message_complete
            if cb is not None:
                self._notify(cb, E_CB_MESSAGE_COMPLETE)
            return 0
        if state in (S_DEAD, S_START_REQ_OR_RES, S_START_RES, S_START_REQ):
            return 0
        self._errno = E_INVALID_EOF_STATE
        return 1
