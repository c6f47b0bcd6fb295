"""The slow path's header lines (``_httptools_machine``): http-parser's header name and value
states, with the matchers for the headers it gives meaning to (Connection, Content-Length,
Transfer-Encoding, Upgrade), and a whole plain "Name: value" line taken in one step."""

from ._httptools_tables import (
    _AGAIN, _CL_LIMIT, _CONN_END, _CONN_FIRST, _CR, _END_FLAGS, E_HEADER_OVERFLOW,
    E_INVALID_CONTENT_LENGTH, E_INVALID_HEADER_TOKEN, E_LF_EXPECTED,
    E_UNEXPECTED_CONTENT_LENGTH, F_CHUNKED, F_CONTENTLENGTH, F_UPGRADE, _HEADER_CHAR, _HT, H_C,
    H_CO, H_CON, H_CONNECTION, H_CONN_CLOSE, H_CONN_KEEP_ALIVE, H_CONN_UPGRADE,
    H_CONTENT_LENGTH, H_CONTENT_LENGTH_NUM, H_CONTENT_LENGTH_WS, H_GENERAL,
    H_MATCHING_CONNECTION, H_MATCHING_CONN_TOKEN, H_MATCHING_CONN_TOKEN_START,
    H_MATCHING_CONTENT_LENGTH, H_MATCHING_PROXY_CONNECTION, H_MATCHING_TE_CHUNKED,
    H_MATCHING_TE_TOKEN, H_MATCHING_TE_TOKEN_START, H_MATCHING_TRANSFER_ENCODING,
    H_MATCHING_UPGRADE, H_TE_CHUNKED, H_TRANSFER_ENCODING, H_UPGRADE, _K_CL, _K_CONN, _K_TE,
    _K_UPGRADE, _LF, _MAX_HEADER_SIZE, _NAME_DONE, _NAME_MATCH, _NEXT, _PLAIN_HEADER_LINE, _SP,
    _SPECIAL_NAMES, _STOP, _STRICT_TOKENS, S_HEADERS_ALMOST_DONE, S_HEADER_ALMOST_DONE,
    S_HEADER_FIELD, S_HEADER_FIELD_START, S_HEADER_VALUE, S_HEADER_VALUE_DISCARD_LWS,
    S_HEADER_VALUE_DISCARD_WS, S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE, S_HEADER_VALUE_LWS,
    S_HEADER_VALUE_START, _TOKENS, _TOKEN_RUN, _VALUE_MATCH, _VALUE_STOP)


class Headers:
    """The steps of header names and values, from a line's start to its end."""

    __slots__ = ()

    def _s_header_field_start(self, data, p, n, ch):
        if ch == _CR:
            self._state = S_HEADERS_ALMOST_DONE
            return _NEXT, p
        if ch == _LF:
            self._state = S_HEADERS_ALMOST_DONE
            return _AGAIN, p
        lm = _PLAIN_HEADER_LINE.match(data, p)
        if lm is not None and self._nread + (lm.end() - 1 - p) <= _MAX_HEADER_SIZE:
            r = self._plain_header_line(lm, p)
            if r is not None:
                return r
        c = _TOKENS[ch]
        if not c:
            self._errno = E_INVALID_HEADER_TOKEN
            return _STOP, p
        if self._hf_mark < 0:
            self._hf_mark = p
        self._index = 0
        self._state = S_HEADER_FIELD
        if c == 99:  # 'c'
            self._hstate = H_C
        elif c == 112:  # 'p'
            self._hstate = H_MATCHING_PROXY_CONNECTION
        elif c == 116:  # 't'
            self._hstate = H_MATCHING_TRANSFER_ENCODING
        elif c == 117:  # 'u'
            self._hstate = H_MATCHING_UPGRADE
        else:
            self._hstate = H_GENERAL
        return _NEXT, p

    def _plain_header_line(self, lm, p):
        """A whole "Name: value" line: does what the byte-level states would do up to its LF,
        where they would; None (nothing done) when its value needs them."""
        name, value = lm.group(1, 2)
        lname = name.lower()
        kind = _SPECIAL_NAMES.get(lname)
        if kind is None:
            end_hs = H_GENERAL if lname[:17] != b'transfer-encoding' else -1
        elif kind == _K_CONN:
            end_hs = _CONN_END.get(value.lower(), -1)
        elif kind == _K_CL:
            end_hs = (H_CONTENT_LENGTH_NUM
                      if value.isdigit() and len(value) < 19
                      and not self._flags & F_CONTENTLENGTH
                      else -1)
        elif kind == _K_TE:
            end_hs = H_TE_CHUNKED if value.lower() == b'chunked' else -1
        else:
            end_hs = H_GENERAL
        if end_hs < 0:
            return None
        q = lm.end()
        self._nread += q - 1 - p
        p = q - 1
        self._hstate = end_hs
        self._state = S_HEADER_VALUE_LWS
        want_header = self._on_header is not None
        if kind == _K_TE:  # done when the name matched
            self._uses_te = 1
            self._flags &= ~F_CHUNKED
        if want_header and self._w_header_field(name):
            return _STOP, p
        if kind == _K_CL:  # done at the value's start
            self._flags |= F_CONTENTLENGTH
            self._clen = int(value)
        elif kind == _K_UPGRADE:
            self._flags |= F_UPGRADE
        if want_header:
            self._w_header_value(value)
        return _NEXT, p

    def _s_header_field(self, data, p, n, ch):
        q = _TOKEN_RUN.match(data, p).end()
        if self._hstate != H_GENERAL:
            self._hstate, self._index = self._match_name(self._hstate, self._index, data, p, q)
        if q == n:
            self._nread += n - 1 - p
            p = n - 1
            if self._nread > _MAX_HEADER_SIZE:
                self._errno = E_HEADER_OVERFLOW
                return _STOP, p
            return _NEXT, p
        self._nread += q - p
        p = q
        if self._nread > _MAX_HEADER_SIZE:
            self._errno = E_HEADER_OVERFLOW
            return _STOP, p
        if data[q] == 58:  # ':'
            self._state = S_HEADER_VALUE_DISCARD_WS
            if self._hf_mark >= 0:
                if self._on_header is not None and \
                        self._w_header_field(data[self._hf_mark:p]):
                    return _STOP, p + 1
                self._hf_mark = -1
            return _NEXT, p
        self._errno = E_INVALID_HEADER_TOKEN
        return _STOP, p

    def _match_name(self, hs, idx, data, p, q):
        """Follow http-parser's header-name matchers over data[p:q]."""
        for i in range(p, q):
            ch = data[i]
            if hs in _NAME_DONE:
                if ch != _SP:
                    return H_GENERAL, idx
                continue
            c = _TOKENS[ch]
            idx += 1
            if hs == H_C:
                hs = H_CO if c == 111 else H_GENERAL  # 'o'
            elif hs == H_CO:
                hs = H_CON if c == 110 else H_GENERAL  # 'n'
            elif hs == H_CON:
                hs = (H_MATCHING_CONNECTION if c == 110 else
                      H_MATCHING_CONTENT_LENGTH if c == 116 else H_GENERAL)
            else:
                word, done = _NAME_MATCH[hs]
                if idx >= len(word) or c != word[idx]:
                    hs = H_GENERAL
                elif idx == len(word) - 1:
                    hs = done
                    if done == H_TRANSFER_ENCODING:
                        self._uses_te = 1
                        self._flags &= ~F_CHUNKED
            if hs == H_GENERAL:
                break
        return hs, idx

    def _s_header_value_discard_ws(self, data, p, n, ch):
        if ch == _SP or ch == _HT:
            return _NEXT, p
        if ch == _CR:
            self._state = S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE
            return _NEXT, p
        if ch == _LF:
            self._state = S_HEADER_VALUE_DISCARD_LWS
            return _NEXT, p
        return self._s_header_value_start(data, p, n, ch)

    def _s_header_value_start(self, data, p, n, ch):
        # (the first byte is not checked against IS_HEADER_CHAR, like in http-parser)
        if self._hv_mark < 0:
            self._hv_mark = p
        self._state = S_HEADER_VALUE
        self._index = 0
        c = ch | 0x20
        hs = self._hstate
        if hs == H_UPGRADE:
            self._flags |= F_UPGRADE
            hs = H_GENERAL
        elif hs == H_TRANSFER_ENCODING:
            hs = H_MATCHING_TE_CHUNKED if c == 99 else H_MATCHING_TE_TOKEN
        elif hs == H_MATCHING_TE_TOKEN_START:
            pass
        elif hs == H_CONTENT_LENGTH:
            if not 48 <= ch <= 57:
                self._errno = E_INVALID_CONTENT_LENGTH
                return _STOP, p
            if self._flags & F_CONTENTLENGTH:
                self._errno = E_UNEXPECTED_CONTENT_LENGTH
                return _STOP, p
            self._flags |= F_CONTENTLENGTH
            self._clen = ch - 48
            hs = H_CONTENT_LENGTH_NUM
        elif hs == H_CONTENT_LENGTH_WS:
            pass
        elif hs == H_CONNECTION:
            hs = _CONN_FIRST.get(c, H_MATCHING_CONN_TOKEN)
        elif hs == H_MATCHING_CONN_TOKEN_START:
            pass
        else:
            hs = H_GENERAL
        self._hstate = hs
        return _NEXT, p

    def _s_header_value(self, data, p, n, ch):
        # runs to the value's end (or the data's) in one step; byte by byte only while a
        # special header's value is being matched
        start = p
        h = self._hstate
        nread = self._nread
        while True:
            if ch == _CR or ch == _LF:
                nread += p - start
                if ch == _CR or nread <= _MAX_HEADER_SIZE:
                    self._hstate = h
                    if self._hv_mark >= 0:
                        if self._on_header is not None:
                            self._w_header_value(data[self._hv_mark:p])
                        self._hv_mark = -1
                    # LF: what s_header_almost_done does with it
                    self._state = S_HEADER_ALMOST_DONE if ch == _CR else S_HEADER_VALUE_LWS
                break
            if not _HEADER_CHAR[ch]:
                self._errno = E_INVALID_HEADER_TOKEN
                return _STOP, p
            if h == H_GENERAL:
                mm = _VALUE_STOP.search(data, p)
                if mm is None:
                    p = n - 1
                    self._hstate = h
                    nread += p - start
                    break
                p = mm.start()
                ch = data[p]
                if ch != _CR and ch != _LF:
                    self._errno = E_INVALID_HEADER_TOKEN
                    return _STOP, p
                continue
            h = self._value_byte(h, ch)
            if self._errno:
                return _STOP, p
            p += 1
            if p == n:
                p = n - 1
                self._hstate = h
                nread += p - start
                break
            ch = data[p]
        self._nread = nread
        if nread > _MAX_HEADER_SIZE:
            self._errno = E_HEADER_OVERFLOW
            return _STOP, p
        if self._errno:
            return _STOP, p
        return _NEXT, p

    def _value_byte(self, h, ch):
        """One byte of a special header's value: the next header state (errors set _errno)."""
        c = ch | 0x20
        if h == H_CONTENT_LENGTH and ch == _SP:
            pass
        elif h == H_CONTENT_LENGTH or h == H_CONTENT_LENGTH_NUM:
            if ch == _SP:
                h = H_CONTENT_LENGTH_WS
            else:
                h = H_CONTENT_LENGTH_NUM
                if not 48 <= ch <= 57 or self._clen > _CL_LIMIT:
                    self._errno = E_INVALID_CONTENT_LENGTH
                    return h
                self._clen = self._clen * 10 + ch - 48
        elif h == H_CONTENT_LENGTH_WS:
            if ch != _SP:
                self._errno = E_INVALID_CONTENT_LENGTH
        elif h == H_MATCHING_TE_TOKEN_START:
            if c == 99:  # 'c'
                h = H_MATCHING_TE_CHUNKED
            elif _STRICT_TOKENS[c]:
                h = H_MATCHING_TE_TOKEN
            elif c != _SP and c != _HT:
                h = H_GENERAL
        elif h == H_MATCHING_CONN_TOKEN_START:
            h2 = _CONN_FIRST.get(c)
            if h2 is not None:
                h = h2
            elif _STRICT_TOKENS[c]:
                h = H_MATCHING_CONN_TOKEN
            elif c != _SP and c != _HT:
                h = H_GENERAL
        elif h in _VALUE_MATCH:
            word, done = _VALUE_MATCH[h]
            idx = self._index = self._index + 1
            if idx >= len(word) or c != word[idx]:
                h = H_MATCHING_TE_TOKEN if h == H_MATCHING_TE_CHUNKED else H_MATCHING_CONN_TOKEN
            elif idx == len(word) - 1:
                h = done
        elif h == H_MATCHING_TE_TOKEN:
            if ch == 44:  # ','
                h = H_MATCHING_TE_TOKEN_START
                self._index = 0
        elif h == H_MATCHING_CONN_TOKEN:
            if ch == 44:
                h = H_MATCHING_CONN_TOKEN_START
                self._index = 0
        elif h == H_TE_CHUNKED:
            if ch != _SP:
                h = H_MATCHING_TE_TOKEN
        elif h == H_CONN_KEEP_ALIVE or h == H_CONN_CLOSE or h == H_CONN_UPGRADE:
            if ch == 44:
                self._flags |= _END_FLAGS[h]
                h = H_MATCHING_CONN_TOKEN_START
                self._index = 0
            elif ch != _SP:
                h = H_MATCHING_CONN_TOKEN
        elif h == H_CONNECTION or h == H_TRANSFER_ENCODING:
            pass  # unreachable in http-parser
        else:
            h = H_GENERAL
        return h

    def _s_header_almost_done(self, data, p, n, ch):
        if ch != _LF:
            self._errno = E_LF_EXPECTED
            return _STOP, p
        self._state = S_HEADER_VALUE_LWS
        return _NEXT, p

    def _s_header_value_lws(self, data, p, n, ch):
        if ch == _SP or ch == _HT:
            if self._hstate == H_CONTENT_LENGTH_NUM:
                # obsolete line folding counts as a space
                self._hstate = H_CONTENT_LENGTH_WS
            self._state = S_HEADER_VALUE_START
            return _AGAIN, p
        f = _END_FLAGS.get(self._hstate)
        if f is not None:
            self._flags |= f
        self._state = S_HEADER_FIELD_START
        return _AGAIN, p

    def _s_header_value_discard_ws_almost_done(self, data, p, n, ch):
        self._state = S_HEADER_VALUE_DISCARD_LWS
        return _NEXT, p

    def _s_header_value_discard_lws(self, data, p, n, ch):
        if ch == _SP or ch == _HT:
            self._state = S_HEADER_VALUE_DISCARD_WS
            return _NEXT, p
        if self._hstate == H_CONTENT_LENGTH:
            # empty Content-Length
            self._errno = E_INVALID_CONTENT_LENGTH
            return _STOP, p
        f = _END_FLAGS.get(self._hstate)
        if f is not None:
            self._flags |= f
        if self._hv_mark < 0:
            self._hv_mark = p
        self._state = S_HEADER_FIELD_START
        if self._on_header is not None:
            self._w_header_value(data[self._hv_mark:p])
        self._hv_mark = -1
        return _AGAIN, p


HEADER_STEPS = {
    S_HEADER_FIELD_START: Headers._s_header_field_start,
    S_HEADER_FIELD: Headers._s_header_field,
    S_HEADER_VALUE_DISCARD_WS: Headers._s_header_value_discard_ws,
    S_HEADER_VALUE_START: Headers._s_header_value_start,
    S_HEADER_VALUE: Headers._s_header_value,
    S_HEADER_ALMOST_DONE: Headers._s_header_almost_done,
    S_HEADER_VALUE_LWS: Headers._s_header_value_lws,
    S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE: Headers._s_header_value_discard_ws_almost_done,
    S_HEADER_VALUE_DISCARD_LWS: Headers._s_header_value_discard_lws,
}
