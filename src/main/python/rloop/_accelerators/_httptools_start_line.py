"""The slow path's request and status lines (``_httptools_machine``): http-parser's method,
URL, version and status states, with a whole plain request line taken in one step."""

from ._httptools_tables import (
    _AGAIN, _CONNECT, _CR, _CRLF, E_CB_MESSAGE_BEGIN, E_CB_STATUS, E_CB_URL,
    E_CLOSED_CONNECTION, E_HEADER_OVERFLOW, E_INVALID_CONSTANT, E_INVALID_METHOD,
    E_INVALID_STATUS, E_INVALID_URL, E_INVALID_VERSION, E_LF_EXPECTED, _FAST_METHODS,
    _FIRST_METHOD, _LF, _MAX_HEADER_SIZE, _METHOD_STRINGS, _METHOD_SWITCH, _NEXT, _PATH_LIKE,
    _REQUEST_LINE, _SOURCE, _SP, _STOP, S_DEAD, S_HEADER_FIELD_START, S_REQ_FRAGMENT,
    S_REQ_HTTP_DOT, S_REQ_HTTP_END, S_REQ_HTTP_H, S_REQ_HTTP_HTTP, S_REQ_HTTP_I, S_REQ_HTTP_IC,
    S_REQ_HTTP_MAJOR, S_REQ_HTTP_MINOR, S_REQ_HTTP_START, S_REQ_LINE_ALMOST_DONE, S_REQ_METHOD,
    S_REQ_PATH, S_REQ_SCHEMA, S_REQ_SERVER, S_REQ_SERVER_START, S_REQ_SPACES_BEFORE_URL,
    S_RES_FIRST_STATUS_CODE, S_RES_H, S_RES_HTTP, S_RES_HTTP_DOT, S_RES_HTTP_END,
    S_RES_HTTP_MAJOR, S_RES_HTTP_MINOR, S_RES_LINE_ALMOST_DONE, S_RES_STATUS, S_RES_STATUS_CODE,
    S_RES_STATUS_START, S_START_REQ, S_START_RES, _ULLONG_MAX, _URL_RUN)
from ._httptools_url import _is_alpha, _url_char


class StartLine:
    """The steps of the request line and the response's status line."""

    __slots__ = ()

    def _s_start_req(self, data, p, n, ch):
        if ch == _CR or ch == _LF:
            return _NEXT, p
        self._flags = 0
        self._uses_te = 0
        self._clen = _ULLONG_MAX
        lm = _REQUEST_LINE.match(data, p)
        if lm is not None:
            mname, url, ver = lm.group(1, 2, 3)
            meth = _FAST_METHODS.get(mname)
            q = lm.end()
            if meth is not None and self._nread + (q - 1 - p) <= _MAX_HEADER_SIZE:
                # A whole plain request line: same callbacks and state as the byte-level
                # states.
                self._method = _FIRST_METHOD[ch]
                self._state = S_HEADER_FIELD_START
                cb = self._on_message_begin
                if cb is not None and self._notify(cb, E_CB_MESSAGE_BEGIN):
                    return _STOP, p + 1
                self._method = meth
                cb = self._on_url
                if cb is not None and self._data(cb, url, E_CB_URL):
                    return _STOP, p + 1
                self._major = ver[0] - 48
                self._minor = ver[2] - 48
                self._nread += q - 1 - p
                return _NEXT, q - 1
        if not _is_alpha(ch):
            self._errno = E_INVALID_METHOD
            return _STOP, p
        self._method = 0
        self._index = 1
        meth = _FIRST_METHOD.get(ch)
        if meth is None:
            self._errno = E_INVALID_METHOD
            return _STOP, p
        self._method = meth
        self._state = S_REQ_METHOD
        cb = self._on_message_begin
        if cb is not None and self._notify(cb, E_CB_MESSAGE_BEGIN):
            return _STOP, p + 1
        return _NEXT, p

    def _s_req_method(self, data, p, n, ch):
        if ch == 0:
            self._errno = E_INVALID_METHOD
            return _STOP, p
        matcher = _METHOD_STRINGS[self._method]
        idx = self._index
        if ch == _SP and idx == len(matcher):
            self._state = S_REQ_SPACES_BEFORE_URL
        elif idx < len(matcher) and ch == matcher[idx]:
            pass
        elif 65 <= ch <= 90 or ch == 45:
            meth = _METHOD_SWITCH.get((self._method, idx, ch))
            if meth is None:
                self._errno = E_INVALID_METHOD
                return _STOP, p
            self._method = meth
        else:
            self._errno = E_INVALID_METHOD
            return _STOP, p
        self._index = idx + 1
        return _NEXT, p

    def _s_req_spaces_before_url(self, data, p, n, ch):
        if ch == _SP:
            return _NEXT, p
        if self._url_mark < 0:
            self._url_mark = p
        state = S_REQ_SERVER_START if self._method == _CONNECT else S_REQ_SPACES_BEFORE_URL
        return self._url_byte(state, p, ch)

    def _s_req_url_start(self, data, p, n, ch):
        # schema up to the server's first byte: a URL cannot end here
        if ch == _SP or ch == _CR or ch == _LF:
            self._errno = E_INVALID_URL
            return _STOP, p
        return self._url_byte(self._state, p, ch)

    def _url_byte(self, state, p, ch):
        state = _url_char(state, ch)
        if state == S_DEAD:
            self._errno = E_INVALID_URL
            return _STOP, p
        self._state = state
        return _NEXT, p

    def _s_req_url(self, data, p, n, ch):
        # server, path, query or fragment: the URL ends at SP, CR or LF
        if ch == _SP or ch == _CR or ch == _LF:
            if ch == _SP:
                state = S_REQ_HTTP_START
            else:
                self._major = 0
                self._minor = 9
                state = S_REQ_LINE_ALMOST_DONE if ch == _CR else S_HEADER_FIELD_START
            self._state = state
            if self._url_mark >= 0:
                cb = self._on_url
                if cb is not None and self._data(cb, data[self._url_mark:p], E_CB_URL):
                    return _STOP, p + 1
                self._url_mark = -1
            return _NEXT, p
        if self._state in _PATH_LIKE:
            # path, query and fragment states accept the same bytes and end the same way:
            # scan them in bulk
            q = _URL_RUN.match(data, p).end()
            if q == p:
                self._errno = E_INVALID_URL
                return _STOP, p
            self._nread += q - 1 - p
            p = q - 1
            self._state = S_REQ_PATH
            if self._nread > _MAX_HEADER_SIZE:
                self._errno = E_HEADER_OVERFLOW
                return _STOP, p
            return _NEXT, p
        return self._url_byte(self._state, p, ch)

    def _s_req_http_start(self, data, p, n, ch):
        if ch == 72:  # 'H'
            self._state = S_REQ_HTTP_H
        elif ch == 73 and self._method == _SOURCE:  # 'I'
            self._state = S_REQ_HTTP_I
        elif ch != _SP:
            self._errno = E_INVALID_CONSTANT
            return _STOP, p
        return _NEXT, p

    def _s_req_http_letters(self, data, p, n, ch):
        # not checked in non-strict builds
        state = self._state
        self._state = (S_REQ_HTTP_MAJOR if state == S_REQ_HTTP_HTTP
                       else S_REQ_HTTP_HTTP if state == S_REQ_HTTP_IC
                       else state + 1)
        return _NEXT, p

    def _s_http_major(self, data, p, n, ch):
        if not 48 <= ch <= 57:
            self._errno = E_INVALID_VERSION
            return _STOP, p
        self._major = ch - 48
        self._state += 1
        return _NEXT, p

    def _s_http_dot(self, data, p, n, ch):
        if ch != 46:
            self._errno = E_INVALID_VERSION
            return _STOP, p
        self._state += 1
        return _NEXT, p

    def _s_http_minor(self, data, p, n, ch):
        if not 48 <= ch <= 57:
            self._errno = E_INVALID_VERSION
            return _STOP, p
        self._minor = ch - 48
        self._state += 1
        return _NEXT, p

    def _s_req_http_end(self, data, p, n, ch):
        if ch == _CR:
            self._state = S_REQ_LINE_ALMOST_DONE
        elif ch == _LF:
            self._state = S_HEADER_FIELD_START
        else:
            self._errno = E_INVALID_VERSION
            return _STOP, p
        return _NEXT, p

    def _s_req_line_almost_done(self, data, p, n, ch):
        if ch != _LF:
            self._errno = E_LF_EXPECTED
            return _STOP, p
        self._state = S_HEADER_FIELD_START
        return _NEXT, p

    # --- response line ---

    def _s_start_res(self, data, p, n, ch):
        if ch == _CR or ch == _LF:
            return _NEXT, p
        self._flags = 0
        self._uses_te = 0
        self._clen = _ULLONG_MAX
        if ch != 72:  # 'H'
            self._errno = E_INVALID_CONSTANT
            return _STOP, p
        self._state = S_RES_H
        cb = self._on_message_begin
        if cb is not None and self._notify(cb, E_CB_MESSAGE_BEGIN):
            return _STOP, p + 1
        return _NEXT, p

    def _s_res_http_letters(self, data, p, n, ch):
        self._state += 1  # not checked in non-strict builds
        return _NEXT, p

    def _s_res_http_end(self, data, p, n, ch):
        if ch != _SP:
            self._errno = E_INVALID_VERSION
            return _STOP, p
        self._state = S_RES_FIRST_STATUS_CODE
        return _NEXT, p

    def _s_res_first_status_code(self, data, p, n, ch):
        if not 48 <= ch <= 57:
            if ch == _SP:
                return _NEXT, p
            self._errno = E_INVALID_STATUS
            return _STOP, p
        self._status = ch - 48
        self._state = S_RES_STATUS_CODE
        return _NEXT, p

    def _s_res_status_code(self, data, p, n, ch):
        if not 48 <= ch <= 57:
            if ch == _SP:
                self._state = S_RES_STATUS_START
                return _NEXT, p
            if ch == _CR or ch == _LF:
                self._state = S_RES_STATUS_START
                return _AGAIN, p
            self._errno = E_INVALID_STATUS
            return _STOP, p
        self._status = self._status * 10 + ch - 48
        if self._status > 999:
            self._errno = E_INVALID_STATUS
            return _STOP, p
        return _NEXT, p

    def _s_res_status_start(self, data, p, n, ch):
        if self._st_mark < 0:
            self._st_mark = p
        self._state = S_RES_STATUS
        self._index = 0
        if ch == _CR or ch == _LF:
            return _AGAIN, p
        return _NEXT, p

    def _s_res_status(self, data, p, n, ch):
        if ch == _CR or ch == _LF:
            self._state = S_RES_LINE_ALMOST_DONE if ch == _CR else S_HEADER_FIELD_START
            if self._st_mark >= 0:
                cb = self._on_status
                if cb is not None and self._data(cb, data[self._st_mark:p], E_CB_STATUS):
                    return _STOP, p + 1
                self._st_mark = -1
            return _NEXT, p
        mm = _CRLF.search(data, p)
        q = n if mm is None else mm.start()
        self._nread += q - 1 - p
        p = q - 1
        if self._nread > _MAX_HEADER_SIZE:
            self._errno = E_HEADER_OVERFLOW
            return _STOP, p
        return _NEXT, p

    def _s_res_line_almost_done(self, data, p, n, ch):
        self._state = S_HEADER_FIELD_START
        return _NEXT, p

    def _s_dead(self, data, p, n, ch):
        if ch != _CR and ch != _LF:
            self._errno = E_CLOSED_CONNECTION
            return _STOP, p
        return _NEXT, p


def _each(states, step):
    return {state: step for state in states}


START_LINE_STEPS = {
    S_START_REQ: StartLine._s_start_req,
    S_REQ_METHOD: StartLine._s_req_method,
    S_REQ_SPACES_BEFORE_URL: StartLine._s_req_spaces_before_url,
    **_each(range(S_REQ_SCHEMA, S_REQ_SERVER_START + 1), StartLine._s_req_url_start),
    **_each(range(S_REQ_SERVER, S_REQ_FRAGMENT + 1), StartLine._s_req_url),
    S_REQ_HTTP_START: StartLine._s_req_http_start,
    **_each(range(S_REQ_HTTP_H, S_REQ_HTTP_IC + 1), StartLine._s_req_http_letters),
    S_REQ_HTTP_MAJOR: StartLine._s_http_major,
    S_RES_HTTP_MAJOR: StartLine._s_http_major,
    S_REQ_HTTP_DOT: StartLine._s_http_dot,
    S_RES_HTTP_DOT: StartLine._s_http_dot,
    S_REQ_HTTP_MINOR: StartLine._s_http_minor,
    S_RES_HTTP_MINOR: StartLine._s_http_minor,
    S_REQ_HTTP_END: StartLine._s_req_http_end,
    S_REQ_LINE_ALMOST_DONE: StartLine._s_req_line_almost_done,
    S_START_RES: StartLine._s_start_res,
    **_each(range(S_RES_H, S_RES_HTTP + 1), StartLine._s_res_http_letters),
    S_RES_HTTP_END: StartLine._s_res_http_end,
    S_RES_FIRST_STATUS_CODE: StartLine._s_res_first_status_code,
    S_RES_STATUS_CODE: StartLine._s_res_status_code,
    S_RES_STATUS_START: StartLine._s_res_status_start,
    S_RES_STATUS: StartLine._s_res_status,
    S_RES_LINE_ALMOST_DONE: StartLine._s_res_line_almost_done,
    S_DEAD: StartLine._s_dead,
}
