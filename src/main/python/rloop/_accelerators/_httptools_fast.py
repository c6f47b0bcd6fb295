"""The fast path of rloop's httptools parser: a whole, ordinary request head validated by one
regex match, its headers cut with bytes methods, and the callbacks called in http-parser's
order. Anything unusual makes it decline before calling anything, so that the slow path
(``_httptools_machine``) can redo the message exactly.

On GraalPy a single ``match``/``search`` is cheap, while ``findall``/``finditer`` are
Python-level loops that build Match objects: hence the searches below.
"""

from ._httptools_tables import (
    _CONN_VALUES, E_CB_BODY, E_CB_HEADERS_COMPLETE, E_CB_HEADER_FIELD, E_CB_MESSAGE_BEGIN,
    E_CB_MESSAGE_COMPLETE, E_CB_URL, _FAST_METHODS, _FIRST_METHOD, F_CHUNKED,
    F_CONNECTION_CLOSE, F_CONNECTION_KEEP_ALIVE, F_CONNECTION_UPGRADE, F_CONTENTLENGTH,
    F_SKIPBODY, F_UPGRADE, _HEAD, _MAX_HEADER_SIZE, _SPECIAL_AT, S_BODY_IDENTITY,
    S_CHUNK_SIZE_START, _ULLONG_MAX)


_VISIBLE_CONN = F_CONNECTION_KEEP_ALIVE | F_CONNECTION_CLOSE


def _fast_specials(block, m):
    """Effect of the special headers of a validated head, m being the first
    _SPECIAL_AT match in it.

    Returns (flags, content_length, uses_transfer_encoding, steps), or None
    when the values need http-parser's byte-level handling or lead to an
    error (the slow path then reproduces it at the right point).  steps
    lists (offset in head, keep-alive/close bits so far) for the headers
    that change what should_keep_alive() reports, in order.
    """
    flags = 0
    clen = _ULLONG_MAX
    te = 0
    steps = None
    while m is not None:
        start = m.start()
        colon = block.index(b':', start)
        eol = block.index(b'\r\n', colon)
        lname = block[start:colon].lower()
        value = block[colon + 1:eol].lstrip(b' \t')
        if lname == b'connection' or lname == b'proxy-connection':
            if value:
                f = _CONN_VALUES.get(value.lower())
                if f is None:
                    return None
                if f & ~flags & _VISIBLE_CONN:
                    if steps is None:
                        steps = []
                    steps.append((start, (flags | f) & _VISIBLE_CONN))
                flags |= f
        elif lname == b'content-length':
            if flags & F_CONTENTLENGTH or not value.isdigit() \
                    or len(value) > 18:
                return None
            flags |= F_CONTENTLENGTH
            clen = int(value)
        elif lname == b'upgrade':
            if value:
                flags |= F_UPGRADE
        else:
            # Any name starting with "transfer-encoding" counts as one; each
            # one forgets an earlier "chunked" (Debian's CVE-2020-8287 fix).
            te = 1
            flags &= ~F_CHUNKED
            if lname == b'transfer-encoding' and value:
                if value.lower() != b'chunked':
                    return None
                flags |= F_CHUNKED
        # (search, not finditer: GraalPy's finditer/findall are slow loops)
        m = _SPECIAL_AT.search(block, eol + 2)
    if te and (flags & F_CONTENTLENGTH or not flags & F_CHUNKED):
        return None
    return flags, clen, te, steps


class FastPath:
    """HttpParser's ``_fast_request``."""

    __slots__ = ()

    def _fast_request(self, data, p, n):
        """Parse one complete, well-formed request head starting at p.

        Returns -1 (nothing done, nothing called) if the head is incomplete
        or unusual; otherwise the offset reached, with state saved, and
        self._errno / self._upgrade set when parsing must stop there.
        """
        m = _HEAD.match(data, p)
        if m is None:
            return -1
        end = m.end()
        if self._nread + (end - p) > _MAX_HEADER_SIZE:
            return -1
        mname, url, ver, block = m.group(1, 2, 3, 4)
        meth = _FAST_METHODS.get(mname)
        if meth is None:
            return -1
        flags = 0
        clen = _ULLONG_MAX
        te = 0
        steps = None
        if block:
            sm = _SPECIAL_AT.search(block)
            if sm is not None:
                r = _fast_specials(block, sm)
                if r is None:
                    return -1
                flags, clen, te, steps = r
        upgrade = (flags & F_UPGRADE and flags & F_CONNECTION_UPGRADE) != 0

        # Committed: from here on behave like http-parser on these bytes,
        # updating the observable fields where it would.
        self._flags = 0
        self._uses_te = 0
        self._clen = _ULLONG_MAX
        self._method = _FIRST_METHOD[data[p]]
        stage = E_CB_MESSAGE_BEGIN
        try:
            cb = self._on_message_begin
            if cb is not None:
                cb()
            self._method = meth
            stage = E_CB_URL
            cb = self._on_url
            if cb is not None:
                cb(url)
            self._major = ver[0] - 48
            self._minor = ver[2] - 48
            on_header = self._on_header
            if block and on_header is not None:
                # The head is validated: every line is "name:[ \t]*value".
                lines = block.split(b'\r\n')
                lines.pop()  # after the last CRLF
                last = lines.pop()
                stage = E_CB_HEADER_FIELD
                if steps is None:
                    for line in lines:
                        i = line.find(b':')
                        on_header(line[:i], line[i + 1:].lstrip(b' \t'))
                else:
                    # http-parser reports header k when the name of header
                    # k+1 ends, by which time the Connection flags of
                    # headers 0..k are set: keep should_keep_alive() in step.
                    at = {block.count(b'\n', 0, pos): bits
                          for pos, bits in steps}
                    k = 0
                    for line in lines:
                        bits = at.get(k)
                        if bits is not None:
                            self._flags = bits
                        i = line.find(b':')
                        on_header(line[:i], line[i + 1:].lstrip(b' \t'))
                        k += 1
                stage = E_CB_HEADERS_COMPLETE
                self._flags = flags
                self._uses_te = te
                self._clen = clen
                self._upgrade = upgrade
                i = last.find(b':')
                on_header(last[:i], last[i + 1:].lstrip(b' \t'))
            else:
                stage = E_CB_HEADERS_COMPLETE
                self._flags = flags
                self._uses_te = te
                self._clen = clen
                self._upgrade = upgrade
            cb = self._on_headers_complete
            if cb is not None:
                cb()

            self._nread = 0
            if upgrade:
                # The rest of the data belongs to another protocol.
                self._flags = flags | F_SKIPBODY
                stage = E_CB_MESSAGE_COMPLETE
                cb = self._on_message_complete
                if cb is not None:
                    cb()
                return end
            if flags & F_CHUNKED:
                self._state = S_CHUNK_SIZE_START
                return end
            if clen == _ULLONG_MAX or clen == 0:
                stage = E_CB_MESSAGE_COMPLETE
                cb = self._on_message_complete
                if cb is not None:
                    cb()
                return end
            avail = n - end
            if avail >= clen:
                self._clen = 0
                stage = E_CB_BODY
                cb = self._on_body
                if cb is not None:
                    cb(data[end:end + clen])
                stage = E_CB_MESSAGE_COMPLETE
                cb = self._on_message_complete
                if cb is not None:
                    cb()
                return end + clen
            self._state = S_BODY_IDENTITY
            self._clen = clen - avail
            if avail:
                stage = E_CB_BODY
                cb = self._on_body
                if cb is not None:
                    cb(data[end:])
            return n
        except BaseException as exc:
            self._last_error = exc
            self._errno = stage
            return 0
