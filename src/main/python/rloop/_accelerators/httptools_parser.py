"""Pure-Python stand-in for httptools 0.1.1's compiled ``httptools.parser.parser``.

Debian 12 ships httptools 0.1.1 linked against the system http-parser 2.9.4
(non-strict build, with Debian's CVE-2020-8287 patch); its C extension cannot
be loaded by GraalPy.  rloop's import hook loads this module under that name
instead.  Behaviour (callback order and arguments, error classes and
messages, upgrade offsets, the quirks of the non-strict parser) follows the
real thing; it was checked differentially against it on CPython.

Structure:

* ``_fast_request``: a whole request head (request line + headers + blank
  line) that is "boring" is validated by one ``match`` of a precompiled
  regex; its header lines are then cut with ``bytes.split``/``find`` and the
  few semantic headers (Connection, Content-Length, ...) located with
  ``search`` (on GraalPy a single ``match``/``search`` is cheap, while
  ``findall``/``finditer`` are Python-level loops that build Match objects).
  Callbacks are then called in http-parser's order.  Anything unusual (odd
  spacing, folded lines, unknown method, bad characters, duplicate
  Content-Length, ...) makes it give up *before* calling anything, so the
  slow path can redo the message exactly.
* ``_execute``: a port of ``http_parser_execute``'s state machine used for
  partial input, responses and everything the fast path declines.  It takes
  whole request lines and ordinary header lines in one step when they are
  complete, is byte-at-a-time only where http-parser's behaviour depends on
  every byte (method, version, chunk sizes, special header values, split
  lines) and scans URLs, header names/values and bodies in bulk.
"""

import re
from operator import attrgetter

from httptools.parser.errors import (HttpParserError,
                                     HttpParserCallbackError,
                                     HttpParserInvalidStatusError,
                                     HttpParserInvalidMethodError,
                                     HttpParserInvalidURLError,
                                     HttpParserUpgrade)

__all__ = ('HttpRequestParser', 'HttpResponseParser', 'parse_url')


_MAX_HEADER_SIZE = 80 * 1024          # HTTP_MAX_HEADER_SIZE
_ULLONG_MAX = (1 << 64) - 1           # "no Content-Length" sentinel
_CL_LIMIT = (_ULLONG_MAX - 10) // 10  # http-parser's overflow guards
_CHUNK_LIMIT = (_ULLONG_MAX - 16) // 16

_CR = 13
_LF = 10
_SP = 32
_HT = 9

# --- errors (http_errno order) ------------------------------------------

_K_PLAIN, _K_CB, _K_STATUS, _K_METHOD, _K_URL = range(5)

(E_OK, E_CB_MESSAGE_BEGIN, E_CB_URL, E_CB_HEADER_FIELD, E_CB_HEADER_VALUE,
 E_CB_HEADERS_COMPLETE, E_CB_BODY, E_CB_MESSAGE_COMPLETE, E_CB_STATUS,
 E_CB_CHUNK_HEADER, E_CB_CHUNK_COMPLETE, E_INVALID_EOF_STATE,
 E_HEADER_OVERFLOW, E_CLOSED_CONNECTION, E_INVALID_VERSION,
 E_INVALID_STATUS, E_INVALID_METHOD, E_INVALID_URL, E_INVALID_HOST,
 E_INVALID_PORT, E_INVALID_PATH, E_INVALID_QUERY_STRING,
 E_INVALID_FRAGMENT, E_LF_EXPECTED, E_INVALID_HEADER_TOKEN,
 E_INVALID_CONTENT_LENGTH, E_UNEXPECTED_CONTENT_LENGTH,
 E_INVALID_CHUNK_SIZE, E_INVALID_CONSTANT, E_INVALID_INTERNAL_STATE,
 E_STRICT, E_PAUSED, E_UNKNOWN, E_INVALID_TRANSFER_ENCODING) = range(34)

_ERRORS = {
    E_CB_MESSAGE_BEGIN: ("the on_message_begin callback failed", _K_CB),
    E_CB_URL: ("the on_url callback failed", _K_CB),
    E_CB_HEADER_FIELD: ("the on_header_field callback failed", _K_CB),
    E_CB_HEADER_VALUE: ("the on_header_value callback failed", _K_CB),
    E_CB_HEADERS_COMPLETE: ("the on_headers_complete callback failed",
                            _K_CB),
    E_CB_BODY: ("the on_body callback failed", _K_CB),
    E_CB_MESSAGE_COMPLETE: ("the on_message_complete callback failed",
                            _K_CB),
    E_CB_STATUS: ("the on_status callback failed", _K_CB),
    E_CB_CHUNK_HEADER: ("the on_chunk_header callback failed", _K_CB),
    E_CB_CHUNK_COMPLETE: ("the on_chunk_complete callback failed", _K_CB),
    E_INVALID_EOF_STATE: ("stream ended at an unexpected time", _K_PLAIN),
    E_HEADER_OVERFLOW: ("too many header bytes seen; overflow detected",
                        _K_PLAIN),
    E_CLOSED_CONNECTION: (
        "data received after completed connection: close message",
        _K_PLAIN),
    E_INVALID_VERSION: ("invalid HTTP version", _K_PLAIN),
    E_INVALID_STATUS: ("invalid HTTP status code", _K_STATUS),
    E_INVALID_METHOD: ("invalid HTTP method", _K_METHOD),
    E_INVALID_URL: ("invalid URL", _K_URL),
    E_LF_EXPECTED: ("LF character expected", _K_PLAIN),
    E_INVALID_HEADER_TOKEN: ("invalid character in header", _K_PLAIN),
    E_INVALID_CONTENT_LENGTH: ("invalid character in content-length header",
                               _K_PLAIN),
    E_UNEXPECTED_CONTENT_LENGTH: ("unexpected content-length header",
                                  _K_PLAIN),
    E_INVALID_CHUNK_SIZE: ("invalid character in chunk size header",
                           _K_PLAIN),
    E_INVALID_CONSTANT: ("invalid constant string", _K_PLAIN),
    E_INVALID_TRANSFER_ENCODING: ("request has invalid transfer-encoding",
                                  _K_PLAIN),
}

_ERROR_CLASSES = {
    _K_PLAIN: HttpParserError,
    _K_CB: HttpParserCallbackError,
    _K_STATUS: HttpParserInvalidStatusError,
    _K_METHOD: HttpParserInvalidMethodError,
    _K_URL: HttpParserInvalidURLError,
}

# --- methods ------------------------------------------------------------

_METHOD_STRINGS = (
    b'DELETE', b'GET', b'HEAD', b'POST', b'PUT', b'CONNECT', b'OPTIONS',
    b'TRACE', b'COPY', b'LOCK', b'MKCOL', b'MOVE', b'PROPFIND', b'PROPPATCH',
    b'SEARCH', b'UNLOCK', b'BIND', b'REBIND', b'UNBIND', b'ACL', b'REPORT',
    b'MKACTIVITY', b'CHECKOUT', b'MERGE', b'M-SEARCH', b'NOTIFY',
    b'SUBSCRIBE', b'UNSUBSCRIBE', b'PATCH', b'PURGE', b'MKCALENDAR', b'LINK',
    b'UNLINK', b'SOURCE')
_M = {name: i for i, name in enumerate(_METHOD_STRINGS)}
_CONNECT = _M[b'CONNECT']
_SOURCE = _M[b'SOURCE']

# The method the first byte provisionally selects.
_FIRST_METHOD = {ord(k): _M[v] for k, v in (
    ('A', b'ACL'), ('B', b'BIND'), ('C', b'CONNECT'), ('D', b'DELETE'),
    ('G', b'GET'), ('H', b'HEAD'), ('L', b'LOCK'), ('M', b'MKCOL'),
    ('N', b'NOTIFY'), ('O', b'OPTIONS'), ('P', b'POST'), ('R', b'REPORT'),
    ('S', b'SUBSCRIBE'), ('T', b'TRACE'), ('U', b'UNLOCK'))}

# (method, index, byte) -> method: where a later byte switches candidates.
_METHOD_SWITCH = {(_M[a], i, ord(c)): _M[b] for a, i, c, b in (
    (b'POST', 1, 'U', b'PUT'), (b'POST', 1, 'A', b'PATCH'),
    (b'POST', 1, 'R', b'PROPFIND'), (b'PUT', 2, 'R', b'PURGE'),
    (b'CONNECT', 1, 'H', b'CHECKOUT'), (b'CONNECT', 2, 'P', b'COPY'),
    (b'MKCOL', 1, 'O', b'MOVE'), (b'MKCOL', 1, 'E', b'MERGE'),
    (b'MKCOL', 1, '-', b'M-SEARCH'), (b'MKCOL', 2, 'A', b'MKACTIVITY'),
    (b'MKCOL', 3, 'A', b'MKCALENDAR'), (b'SUBSCRIBE', 1, 'E', b'SEARCH'),
    (b'SUBSCRIBE', 1, 'O', b'SOURCE'), (b'REPORT', 2, 'B', b'REBIND'),
    (b'PROPFIND', 4, 'P', b'PROPPATCH'), (b'LOCK', 1, 'I', b'LINK'),
    (b'UNLOCK', 2, 'S', b'UNSUBSCRIBE'), (b'UNLOCK', 2, 'B', b'UNBIND'),
    (b'UNLOCK', 3, 'I', b'UNLINK'))}

# Every method name is reachable through the matcher above, so a method
# token equal to a name is accepted as that method.  CONNECT takes a
# different URL grammar and is left to the slow path.
_FAST_METHODS = {k: v for k, v in _M.items() if v != _CONNECT}

# --- character classes ----------------------------------------------------

# http-parser's (non-strict) token table: lower-cased byte, or 0.  Space is
# a token byte in non-strict builds.
_TOKENS = [0] * 256
for _c in b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz ":
    _TOKENS[_c] = _c
for _c in range(ord('A'), ord('Z') + 1):
    _TOKENS[_c] = _c + 32
_TOKENS = tuple(_TOKENS)
_STRICT_TOKENS = tuple(0 if c == _SP else _TOKENS[c] for c in range(256))

# http-parser's unhex[256] only initialises the first 128 entries, so bytes
# >= 0x80 read as the hex digit 0.
_UNHEX = tuple(int(chr(c), 16) if chr(c) in '0123456789abcdefABCDEF'
               else (0 if c >= 128 else -1) for c in range(256))

# IS_HEADER_CHAR
_HEADER_CHAR = tuple(c in (_CR, _LF, _HT) or (c > 31 and c != 127)
                     for c in range(256))

_TOKEN_CLASS = rb"!#$%&'*+\-.^_`|~0-9A-Za-z"
# Bytes that keep the URL in the path/query/fragment states (IS_URL_CHAR
# in non-strict mode, which admits TAB, FF and bytes >= 0x80, plus '?'/'#').
_URL_CLASS = rb"\t\x0c\x21-\x7e\x80-\xff"

# Request head the fast path accepts: single spaces in the request line,
# origin-form or '*' URL, HTTP/d.d, CRLF line ends, token header names
# directly followed by ':', values of visible bytes/SP/HT not starting with
# a control byte, no folding.  Written so that every input has at most one
# way to match (no backtracking blow-up).
_HEAD = re.compile(
    rb"([A-Z][A-Z\-]*) ([/*][" + _URL_CLASS + rb"]*) HTTP/([0-9]\.[0-9])\r\n"
    rb"((?:[" + _TOKEN_CLASS + rb"]+:[ \t]*"
    rb"(?:[\x21-\x7e\x80-\xff][\t\x20-\x7e\x80-\xff]*)?\r\n)*)\r\n")
# Where a header http-parser gives meaning to starts, inside a validated
# head ('^' with re.M also matches at a search position after a newline).
# No capture groups: TRegex (GraalPy) runs those much faster.
_SPECIAL_AT = re.compile(
    rb"^(?:(?:connection|proxy-connection|content-length|upgrade):"
    rb"|transfer-encoding)", re.I | re.M)

# Slow-path scanners.
_TOKEN_RUN = re.compile(rb"[ " + _TOKEN_CLASS + rb"]*")
_URL_RUN = re.compile(rb"[" + _URL_CLASS + rb"]*")
_VALUE_STOP = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # CR, LF or invalid
_CRLF = re.compile(rb"[\r\n]")

# --- flags ----------------------------------------------------------------

F_CHUNKED = 1 << 0
F_CONNECTION_KEEP_ALIVE = 1 << 1
F_CONNECTION_CLOSE = 1 << 2
F_CONNECTION_UPGRADE = 1 << 3
F_TRAILING = 1 << 4
F_UPGRADE = 1 << 5
F_SKIPBODY = 1 << 6
F_CONTENTLENGTH = 1 << 7

_CONN_VALUES = {b'keep-alive': F_CONNECTION_KEEP_ALIVE,
                b'close': F_CONNECTION_CLOSE,
                b'upgrade': F_CONNECTION_UPGRADE}

# --- parser states (http_parser.c order; PARSING_HEADER is "<= S_HEADERS_DONE")

(S_DEAD, S_START_REQ_OR_RES, S_RES_OR_RESP_H, S_START_RES, S_RES_H,
 S_RES_HT, S_RES_HTT, S_RES_HTTP, S_RES_HTTP_MAJOR, S_RES_HTTP_DOT,
 S_RES_HTTP_MINOR, S_RES_HTTP_END, S_RES_FIRST_STATUS_CODE,
 S_RES_STATUS_CODE, S_RES_STATUS_START, S_RES_STATUS,
 S_RES_LINE_ALMOST_DONE, S_START_REQ, S_REQ_METHOD,
 S_REQ_SPACES_BEFORE_URL, S_REQ_SCHEMA, S_REQ_SCHEMA_SLASH,
 S_REQ_SCHEMA_SLASH_SLASH, S_REQ_SERVER_START, S_REQ_SERVER,
 S_REQ_SERVER_WITH_AT, S_REQ_PATH, S_REQ_QUERY_STRING_START,
 S_REQ_QUERY_STRING, S_REQ_FRAGMENT_START, S_REQ_FRAGMENT,
 S_REQ_HTTP_START, S_REQ_HTTP_H, S_REQ_HTTP_HT, S_REQ_HTTP_HTT,
 S_REQ_HTTP_HTTP, S_REQ_HTTP_I, S_REQ_HTTP_IC, S_REQ_HTTP_MAJOR,
 S_REQ_HTTP_DOT, S_REQ_HTTP_MINOR, S_REQ_HTTP_END, S_REQ_LINE_ALMOST_DONE,
 S_HEADER_FIELD_START, S_HEADER_FIELD, S_HEADER_VALUE_DISCARD_WS,
 S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE, S_HEADER_VALUE_DISCARD_LWS,
 S_HEADER_VALUE_START, S_HEADER_VALUE, S_HEADER_VALUE_LWS,
 S_HEADER_ALMOST_DONE, S_CHUNK_SIZE_START, S_CHUNK_SIZE,
 S_CHUNK_PARAMETERS, S_CHUNK_SIZE_ALMOST_DONE, S_HEADERS_ALMOST_DONE,
 S_HEADERS_DONE, S_CHUNK_DATA, S_CHUNK_DATA_ALMOST_DONE, S_CHUNK_DATA_DONE,
 S_BODY_IDENTITY, S_BODY_IDENTITY_EOF, S_MESSAGE_DONE) = range(1, 65)

# header_state values
(H_GENERAL, H_C, H_CO, H_CON, H_MATCHING_CONNECTION,
 H_MATCHING_PROXY_CONNECTION, H_MATCHING_CONTENT_LENGTH,
 H_MATCHING_TRANSFER_ENCODING, H_MATCHING_UPGRADE, H_CONNECTION,
 H_CONTENT_LENGTH, H_CONTENT_LENGTH_NUM, H_CONTENT_LENGTH_WS,
 H_TRANSFER_ENCODING, H_UPGRADE, H_MATCHING_TE_TOKEN_START,
 H_MATCHING_TE_CHUNKED, H_MATCHING_TE_TOKEN, H_MATCHING_CONN_TOKEN_START,
 H_MATCHING_CONN_KEEP_ALIVE, H_MATCHING_CONN_CLOSE, H_MATCHING_CONN_UPGRADE,
 H_MATCHING_CONN_TOKEN, H_TE_CHUNKED, H_CONN_KEEP_ALIVE, H_CONN_CLOSE,
 H_CONN_UPGRADE) = range(27)

# Header-name matchers: state -> (name, state once the whole name is seen).
_NAME_MATCH = {
    H_MATCHING_CONNECTION: (b'connection', H_CONNECTION),
    H_MATCHING_PROXY_CONNECTION: (b'proxy-connection', H_CONNECTION),
    H_MATCHING_CONTENT_LENGTH: (b'content-length', H_CONTENT_LENGTH),
    H_MATCHING_TRANSFER_ENCODING: (b'transfer-encoding',
                                   H_TRANSFER_ENCODING),
    H_MATCHING_UPGRADE: (b'upgrade', H_UPGRADE),
}
_NAME_DONE = (H_CONNECTION, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_UPGRADE)
# Value matchers: state -> (token, state once the whole token is seen).
_VALUE_MATCH = {
    H_MATCHING_TE_CHUNKED: (b'chunked', H_TE_CHUNKED),
    H_MATCHING_CONN_KEEP_ALIVE: (b'keep-alive', H_CONN_KEEP_ALIVE),
    H_MATCHING_CONN_CLOSE: (b'close', H_CONN_CLOSE),
    H_MATCHING_CONN_UPGRADE: (b'upgrade', H_CONN_UPGRADE),
}
# Flags a finished header value contributes.
_END_FLAGS = {H_CONN_KEEP_ALIVE: F_CONNECTION_KEEP_ALIVE,
              H_CONN_CLOSE: F_CONNECTION_CLOSE,
              H_TE_CHUNKED: F_CHUNKED,
              H_CONN_UPGRADE: F_CONNECTION_UPGRADE}
_CONN_FIRST = {ord('k'): H_MATCHING_CONN_KEEP_ALIVE,
               ord('c'): H_MATCHING_CONN_CLOSE,
               ord('u'): H_MATCHING_CONN_UPGRADE}

# Line-level shortcuts of the slow path (a head that arrives in pieces).
_REQUEST_LINE = re.compile(
    rb"([A-Z][A-Z\-]*) ([/*][" + _URL_CLASS + rb"]*) HTTP/([0-9]\.[0-9])\r\n")
_PLAIN_HEADER_LINE = re.compile(
    rb"([" + _TOKEN_CLASS + rb"]+):[ \t]*"
    rb"([\x21-\x7e\x80-\xff][\t\x20-\x7e\x80-\xff]*)\r\n")
# Header names http-parser gives meaning to (lower case) -> kind.
_K_CONN, _K_CL, _K_TE, _K_UPGRADE = range(4)
_SPECIAL_NAMES = {b'connection': _K_CONN, b'proxy-connection': _K_CONN,
                  b'content-length': _K_CL, b'transfer-encoding': _K_TE,
                  b'upgrade': _K_UPGRADE}
# Connection values the line shortcut takes -> header state at the value's end.
_CONN_END = {b'keep-alive': H_CONN_KEEP_ALIVE, b'close': H_CONN_CLOSE,
             b'upgrade': H_CONN_UPGRADE}

_URL_STATES_WITH_MARK = frozenset(range(S_REQ_SCHEMA, S_REQ_FRAGMENT + 1))
_PATH_LIKE = frozenset(range(S_REQ_PATH, S_REQ_FRAGMENT + 1))


def _is_alpha(c):
    return 97 <= (c | 0x20) <= 122


def _is_alnum(c):
    return 97 <= (c | 0x20) <= 122 or 48 <= c <= 57


_MARK_CHARS = frozenset(b"-_.!~*'()")
_USERINFO_EXTRA = frozenset(b"%;:&=+$,")


def _is_userinfo(c):
    return _is_alnum(c) or c in _MARK_CHARS or c in _USERINFO_EXTRA


def _is_url_char(c):
    # normal_url_char (non-strict: TAB and FF allowed) or c >= 0x80
    return (32 < c < 127 and c != 35 and c != 63) or c == 9 or c == 12 \
        or c >= 128


def _url_char(s, ch):
    """parse_url_char(): next URL state, or S_DEAD."""
    if ch == _SP or ch == _CR or ch == _LF:
        return S_DEAD
    if s == S_REQ_SPACES_BEFORE_URL:
        if ch == 47 or ch == 42:  # '/' '*'
            return S_REQ_PATH
        if _is_alpha(ch):
            return S_REQ_SCHEMA
    elif s == S_REQ_SCHEMA:
        if _is_alpha(ch):
            return s
        if ch == 58:  # ':'
            return S_REQ_SCHEMA_SLASH
    elif s == S_REQ_SCHEMA_SLASH:
        if ch == 47:
            return S_REQ_SCHEMA_SLASH_SLASH
    elif s == S_REQ_SCHEMA_SLASH_SLASH:
        if ch == 47:
            return S_REQ_SERVER_START
    elif s in (S_REQ_SERVER_WITH_AT, S_REQ_SERVER_START, S_REQ_SERVER):
        if s == S_REQ_SERVER_WITH_AT and ch == 64:
            return S_DEAD
        if ch == 47:
            return S_REQ_PATH
        if ch == 63:
            return S_REQ_QUERY_STRING_START
        if ch == 64:
            return S_REQ_SERVER_WITH_AT
        if _is_userinfo(ch) or ch == 91 or ch == 93:
            return S_REQ_SERVER
    elif s == S_REQ_PATH:
        if _is_url_char(ch):
            return s
        if ch == 63:
            return S_REQ_QUERY_STRING_START
        if ch == 35:
            return S_REQ_FRAGMENT_START
    elif s == S_REQ_QUERY_STRING_START or s == S_REQ_QUERY_STRING:
        if _is_url_char(ch) or ch == 63:
            return S_REQ_QUERY_STRING
        if ch == 35:
            return S_REQ_FRAGMENT_START
    elif s == S_REQ_FRAGMENT_START:
        if _is_url_char(ch) or ch == 63:
            return S_REQ_FRAGMENT
        if ch == 35:
            return s
    elif s == S_REQ_FRAGMENT:
        if _is_url_char(ch) or ch == 63 or ch == 35:
            return s
    return S_DEAD


def _to_bytes(data):
    try:
        return memoryview(data).tobytes()
    except TypeError:
        pass
    # raised outside the handler: no __context__, like the C buffer check
    raise TypeError("a bytes-like object is required, not '%s'"
                    % type(data).__name__)


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


class HttpParser:
    """Shared machinery (httptools' internal ``HttpParser``)."""

    __slots__ = (
        '_on_header', '_on_headers_complete', '_on_body',
        '_on_message_begin', '_on_message_complete', '_on_chunk_header',
        '_on_chunk_complete', '_on_url', '_on_status',
        '_cur_name', '_cur_value', '_last_error',
        '_type_request', '_state', '_hstate', '_index', '_nread', '_flags',
        '_uses_te', '_clen', '_major', '_minor', '_status', '_method',
        '_errno', '_upgrade')

    def _init(self, protocol, request):
        self._type_request = request
        self._state = S_START_REQ if request else S_START_RES
        self._hstate = H_GENERAL
        self._index = 0
        self._nread = 0
        self._flags = 0
        self._uses_te = 0
        self._clen = 0
        self._major = 0
        self._minor = 0
        self._status = 0
        self._method = 0
        self._errno = E_OK
        self._upgrade = False
        self._cur_name = None
        self._cur_value = None
        self._on_url = None
        self._on_status = None
        # Same lookups, same order, as httptools.
        self._on_header = getattr(protocol, 'on_header', None)
        self._on_headers_complete = getattr(protocol, 'on_headers_complete',
                                            None)
        self._on_body = getattr(protocol, 'on_body', None)
        self._on_message_begin = getattr(protocol, 'on_message_begin', None)
        self._on_message_complete = getattr(protocol, 'on_message_complete',
                                            None)
        self._on_chunk_header = getattr(protocol, 'on_chunk_header', None)
        self._on_chunk_complete = getattr(protocol, 'on_chunk_complete', None)
        self._last_error = None

    # --- public API ---------------------------------------------------------

    def get_http_version(self):
        return '{}.{}'.format(self._major, self._minor)

    def should_keep_alive(self):
        if self._major > 0 and self._minor > 0:
            if self._flags & F_CONNECTION_CLOSE:
                return False
        elif not self._flags & F_CONNECTION_KEEP_ALIVE:
            return False
        return not self._needs_eof()

    def should_upgrade(self):
        return bool(self._upgrade)

    def feed_data(self, data):
        if data.__class__ is not bytes:
            data = _to_bytes(data)
        if self._errno:
            raise self._make_error()
        n = len(data)
        if n:
            nb = 0
            # Common case: whole request(s) at a message boundary; pipelined
            # ones stay here rather than in the large _execute loop.
            while self._state == S_START_REQ and data[nb] != _CR \
                    and data[nb] != _LF:
                r = self._fast_request(data, nb, n)
                if r < 0:
                    nb = self._execute(data, nb, n, nb)
                    break
                nb = r
                if nb == n or self._errno or self._upgrade:
                    break
            else:
                nb = self._execute(data, nb, n, -1)
        else:
            nb = self._eof()
        if self._errno:
            raise self._make_error()
        if self._upgrade:
            raise HttpParserUpgrade(nb)
        if nb != n:
            raise HttpParserError('not all of the data was parsed')

    # --- helpers ------------------------------------------------------------

    def _make_error(self):
        msg, kind = _ERRORS.get(self._errno,
                                ("an unknown error occurred", _K_PLAIN))
        ex = _ERROR_CLASSES[kind](msg)
        if kind == _K_CB and self._last_error is not None:
            ex.__context__ = self._last_error
            self._last_error = None
        return ex

    def _needs_eof(self):
        # http_message_needs_eof()
        if self._type_request:
            return False
        status = self._status
        if status // 100 == 1 or status == 204 or status == 304 \
                or self._flags & F_SKIPBODY:
            return False
        if self._uses_te and not self._flags & F_CHUNKED:
            return True
        if self._flags & F_CHUNKED or self._clen != _ULLONG_MAX:
            return False
        return True

    def _fail(self, errno, exc):
        self._last_error = exc
        self._errno = errno
        return True

    def _notify(self, cb, errno):
        """Call a no-argument callback; True if it raised."""
        try:
            cb()
        except BaseException as exc:
            return self._fail(errno, exc)
        return False

    def _data(self, cb, chunk, errno):
        try:
            cb(chunk)
        except BaseException as exc:
            return self._fail(errno, exc)
        return False

    # httptools joins header name/value fragments and reports a header once
    # the next name (or the end of the headers / trailers) starts.
    def _w_header_field(self, chunk):
        try:
            self._flush_header()
            if self._cur_name is None:
                self._cur_name = chunk
            else:
                self._cur_name += chunk
        except BaseException as exc:
            return self._fail(E_CB_HEADER_FIELD, exc)
        return False

    def _w_header_value(self, chunk):
        if self._cur_value is None:
            self._cur_value = chunk
        else:
            self._cur_value += chunk
        return False

    def _flush_header(self):
        """Hands on the header whose value was being collected, if any."""
        if self._cur_value is not None:
            name, value = self._cur_name, self._cur_value
            self._cur_name = self._cur_value = None
            if self._on_header is not None:
                self._on_header(name, value)

    def _w_headers_complete(self):
        try:
            self._flush_header()
            if self._on_headers_complete is not None:
                self._on_headers_complete()
        except BaseException as exc:
            return self._fail(E_CB_HEADERS_COMPLETE, exc)
        return False

    def _w_chunk_header(self):
        try:
            if self._cur_value is not None or self._cur_name is not None:
                raise HttpParserError('invalid headers state')
            if self._on_chunk_header is not None:
                self._on_chunk_header()
        except BaseException as exc:
            return self._fail(E_CB_CHUNK_HEADER, exc)
        return False

    def _w_chunk_complete(self):
        try:
            self._flush_header()
            if self._on_chunk_complete is not None:
                self._on_chunk_complete()
        except BaseException as exc:
            return self._fail(E_CB_CHUNK_COMPLETE, exc)
        return False

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

    # --- fast path ------------------------------------------------------------

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

    # --- slow path: port of http_parser_execute() ------------------------------

    def _execute(self, data, p, n, tried):
        # tried: offset where the fast path has already declined, or -1
        state = self._state
        nread = self._nread
        hs = self._hstate
        idx = self._index
        want_header = self._on_header is not None

        hf_mark = hv_mark = url_mark = body_mark = st_mark = -1
        if state == S_HEADER_FIELD:
            hf_mark = p
        elif state == S_HEADER_VALUE:
            hv_mark = p
        elif state in _URL_STATES_WITH_MARK:
            url_mark = p
        elif state == S_RES_STATUS:
            st_mark = p

        while p < n:
            ch = data[p]
            if state == S_START_REQ and ch != _CR and ch != _LF \
                    and p != tried:
                self._state = state
                self._nread = nread
                r = self._fast_request(data, p, n)
                if r >= 0:
                    if self._errno or self._upgrade:
                        return r
                    p = r
                    state = self._state
                    nread = self._nread
                    continue
            if state <= S_HEADERS_DONE:
                nread += 1
                if nread > _MAX_HEADER_SIZE:
                    self._errno = E_HEADER_OVERFLOW
                    return p

            while True:  # 'continue' re-executes the current byte
                if state == S_HEADER_VALUE:
                    start = p
                    h = hs
                    while True:
                        if ch == _CR:
                            state = S_HEADER_ALMOST_DONE
                            hs = h
                            if hv_mark >= 0:
                                if want_header:
                                    self._w_header_value(data[hv_mark:p])
                                hv_mark = -1
                            nread += p - start
                            break
                        if ch == _LF:
                            nread += p - start
                            if nread <= _MAX_HEADER_SIZE:
                                hs = h
                                if hv_mark >= 0:
                                    if want_header:
                                        self._w_header_value(
                                            data[hv_mark:p])
                                    hv_mark = -1
                                # what s_header_almost_done does with LF
                                state = S_HEADER_VALUE_LWS
                            break
                        if not _HEADER_CHAR[ch]:
                            self._errno = E_INVALID_HEADER_TOKEN
                            return p
                        if h == H_GENERAL:
                            mm = _VALUE_STOP.search(data, p)
                            if mm is None:
                                p = n - 1
                                hs = h
                                nread += p - start
                                break
                            p = mm.start()
                            ch = data[p]
                            if ch != _CR and ch != _LF:
                                self._errno = E_INVALID_HEADER_TOKEN
                                return p
                            continue
                        c = ch | 0x20
                        if h == H_CONTENT_LENGTH and ch == _SP:
                            pass
                        elif h == H_CONTENT_LENGTH \
                                or h == H_CONTENT_LENGTH_NUM:
                            if ch == _SP:
                                h = H_CONTENT_LENGTH_WS
                            else:
                                h = H_CONTENT_LENGTH_NUM
                                if not 48 <= ch <= 57:
                                    self._errno = E_INVALID_CONTENT_LENGTH
                                    return p
                                if self._clen > _CL_LIMIT:
                                    self._errno = E_INVALID_CONTENT_LENGTH
                                    return p
                                self._clen = self._clen * 10 + ch - 48
                        elif h == H_CONTENT_LENGTH_WS:
                            if ch != _SP:
                                self._errno = E_INVALID_CONTENT_LENGTH
                                return p
                        elif h == H_MATCHING_TE_TOKEN_START:
                            if c == 99:  # 'c'
                                h = H_MATCHING_TE_CHUNKED
                            elif _STRICT_TOKENS[c]:
                                h = H_MATCHING_TE_TOKEN
                            elif c == _SP or c == _HT:
                                pass
                            else:
                                h = H_GENERAL
                        elif h == H_MATCHING_CONN_TOKEN_START:
                            h2 = _CONN_FIRST.get(c)
                            if h2 is not None:
                                h = h2
                            elif _STRICT_TOKENS[c]:
                                h = H_MATCHING_CONN_TOKEN
                            elif c == _SP or c == _HT:
                                pass
                            else:
                                h = H_GENERAL
                        elif h in _VALUE_MATCH:
                            word, done = _VALUE_MATCH[h]
                            idx += 1
                            if idx >= len(word) or c != word[idx]:
                                h = (H_MATCHING_TE_TOKEN
                                     if h == H_MATCHING_TE_CHUNKED
                                     else H_MATCHING_CONN_TOKEN)
                            elif idx == len(word) - 1:
                                h = done
                        elif h == H_MATCHING_TE_TOKEN:
                            if ch == 44:  # ','
                                h = H_MATCHING_TE_TOKEN_START
                                idx = 0
                        elif h == H_MATCHING_CONN_TOKEN:
                            if ch == 44:
                                h = H_MATCHING_CONN_TOKEN_START
                                idx = 0
                        elif h == H_TE_CHUNKED:
                            if ch != _SP:
                                h = H_MATCHING_TE_TOKEN
                        elif h == H_CONN_KEEP_ALIVE or h == H_CONN_CLOSE \
                                or h == H_CONN_UPGRADE:
                            if ch == 44:
                                self._flags |= _END_FLAGS[h]
                                h = H_MATCHING_CONN_TOKEN_START
                                idx = 0
                            elif ch != _SP:
                                h = H_MATCHING_CONN_TOKEN
                        elif h == H_CONNECTION or h == H_TRANSFER_ENCODING:
                            pass  # unreachable in http-parser
                        else:
                            h = H_GENERAL
                        p += 1
                        if p == n:
                            p = n - 1
                            hs = h
                            nread += p - start
                            break
                        ch = data[p]
                    if nread > _MAX_HEADER_SIZE:
                        self._errno = E_HEADER_OVERFLOW
                        return p
                    if self._errno:
                        return p

                elif state == S_HEADER_FIELD_START:
                    if ch == _CR:
                        state = S_HEADERS_ALMOST_DONE
                        break
                    if ch == _LF:
                        state = S_HEADERS_ALMOST_DONE
                        continue
                    lm = _PLAIN_HEADER_LINE.match(data, p)
                    if lm is not None and \
                            nread + (lm.end() - 1 - p) <= _MAX_HEADER_SIZE:
                        # A whole "Name: value" line: do what the byte-level
                        # states would do up to its LF, where they would.
                        name, value = lm.group(1, 2)
                        lname = name.lower()
                        kind = _SPECIAL_NAMES.get(lname)
                        if kind is None:
                            end_hs = (H_GENERAL
                                      if lname[:17] != b'transfer-encoding'
                                      else -1)
                        elif kind == _K_CONN:
                            end_hs = _CONN_END.get(value.lower(), -1)
                        elif kind == _K_CL:
                            end_hs = (H_CONTENT_LENGTH_NUM
                                      if value.isdigit() and len(value) < 19
                                      and not self._flags & F_CONTENTLENGTH
                                      else -1)
                        elif kind == _K_TE:
                            end_hs = (H_TE_CHUNKED
                                      if value.lower() == b'chunked' else -1)
                        else:
                            end_hs = H_GENERAL
                        if end_hs >= 0:
                            q = lm.end()
                            nread += q - 1 - p
                            p = q - 1
                            hs = end_hs
                            state = S_HEADER_VALUE_LWS
                            self._state = state
                            if kind == _K_TE:  # done when the name matched
                                self._uses_te = 1
                                self._flags &= ~F_CHUNKED
                            if want_header and self._w_header_field(name):
                                return p
                            if kind == _K_CL:  # done at the value's start
                                self._flags |= F_CONTENTLENGTH
                                self._clen = int(value)
                            elif kind == _K_UPGRADE:
                                self._flags |= F_UPGRADE
                            if want_header:
                                self._w_header_value(value)
                            break
                    c = _TOKENS[ch]
                    if not c:
                        self._errno = E_INVALID_HEADER_TOKEN
                        return p
                    if hf_mark < 0:
                        hf_mark = p
                    idx = 0
                    state = S_HEADER_FIELD
                    if c == 99:  # 'c'
                        hs = H_C
                    elif c == 112:  # 'p'
                        hs = H_MATCHING_PROXY_CONNECTION
                    elif c == 116:  # 't'
                        hs = H_MATCHING_TRANSFER_ENCODING
                    elif c == 117:  # 'u'
                        hs = H_MATCHING_UPGRADE
                    else:
                        hs = H_GENERAL

                elif state == S_HEADER_FIELD:
                    q = _TOKEN_RUN.match(data, p).end()
                    if hs != H_GENERAL:
                        hs, idx = self._match_name(hs, idx, data, p, q)
                    if q == n:
                        nread += n - 1 - p
                        p = n - 1
                        if nread > _MAX_HEADER_SIZE:
                            self._errno = E_HEADER_OVERFLOW
                            return p
                        break
                    nread += q - p
                    p = q
                    if nread > _MAX_HEADER_SIZE:
                        self._errno = E_HEADER_OVERFLOW
                        return p
                    if data[q] == 58:  # ':'
                        state = S_HEADER_VALUE_DISCARD_WS
                        if hf_mark >= 0:
                            if want_header and \
                                    self._w_header_field(data[hf_mark:p]):
                                return p + 1
                            hf_mark = -1
                        break
                    self._errno = E_INVALID_HEADER_TOKEN
                    return p

                elif state == S_HEADER_VALUE_DISCARD_WS \
                        or state == S_HEADER_VALUE_START:
                    if state == S_HEADER_VALUE_DISCARD_WS:
                        if ch == _SP or ch == _HT:
                            break
                        if ch == _CR:
                            state = S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE
                            break
                        if ch == _LF:
                            state = S_HEADER_VALUE_DISCARD_LWS
                            break
                    # s_header_value_start (the first byte is not checked
                    # against IS_HEADER_CHAR, like in http-parser)
                    if hv_mark < 0:
                        hv_mark = p
                    state = S_HEADER_VALUE
                    idx = 0
                    c = ch | 0x20
                    if hs == H_UPGRADE:
                        self._flags |= F_UPGRADE
                        hs = H_GENERAL
                    elif hs == H_TRANSFER_ENCODING:
                        hs = (H_MATCHING_TE_CHUNKED if c == 99
                              else H_MATCHING_TE_TOKEN)
                    elif hs == H_MATCHING_TE_TOKEN_START:
                        pass
                    elif hs == H_CONTENT_LENGTH:
                        if not 48 <= ch <= 57:
                            self._errno = E_INVALID_CONTENT_LENGTH
                            return p
                        if self._flags & F_CONTENTLENGTH:
                            self._errno = E_UNEXPECTED_CONTENT_LENGTH
                            return p
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

                elif state == S_HEADER_ALMOST_DONE:
                    if ch != _LF:
                        self._errno = E_LF_EXPECTED
                        return p
                    state = S_HEADER_VALUE_LWS

                elif state == S_HEADER_VALUE_LWS:
                    if ch == _SP or ch == _HT:
                        if hs == H_CONTENT_LENGTH_NUM:
                            # obsolete line folding counts as a space
                            hs = H_CONTENT_LENGTH_WS
                        state = S_HEADER_VALUE_START
                        continue
                    f = _END_FLAGS.get(hs)
                    if f is not None:
                        self._flags |= f
                    state = S_HEADER_FIELD_START
                    continue

                elif state == S_HEADER_VALUE_DISCARD_WS_ALMOST_DONE:
                    state = S_HEADER_VALUE_DISCARD_LWS

                elif state == S_HEADER_VALUE_DISCARD_LWS:
                    if ch == _SP or ch == _HT:
                        state = S_HEADER_VALUE_DISCARD_WS
                        break
                    if hs == H_CONTENT_LENGTH:
                        # empty Content-Length
                        self._errno = E_INVALID_CONTENT_LENGTH
                        return p
                    f = _END_FLAGS.get(hs)
                    if f is not None:
                        self._flags |= f
                    if hv_mark < 0:
                        hv_mark = p
                    state = S_HEADER_FIELD_START
                    if want_header:
                        self._w_header_value(data[hv_mark:p])
                    hv_mark = -1
                    continue

                elif state == S_HEADERS_ALMOST_DONE:
                    if self._flags & F_TRAILING:
                        # end of a chunked message
                        state = S_MESSAGE_DONE
                        self._state = state
                        if self._w_chunk_complete():
                            return p
                        continue
                    if self._uses_te and self._flags & F_CONTENTLENGTH:
                        self._errno = E_UNEXPECTED_CONTENT_LENGTH
                        return p
                    state = S_HEADERS_DONE
                    if self._flags & F_UPGRADE and \
                            self._flags & F_CONNECTION_UPGRADE:
                        self._upgrade = (self._type_request
                                         or self._status == 101)
                    else:
                        self._upgrade = self._method == _CONNECT
                    self._state = state
                    if self._w_headers_complete():
                        return p
                    if self._upgrade:
                        # httptools' callback returns 1: skip the body
                        self._flags |= F_SKIPBODY
                    continue

                elif state == S_HEADERS_DONE:
                    nread = 0
                    flags = self._flags
                    clen = self._clen
                    has_body = (flags & F_CHUNKED or
                                (0 < clen != _ULLONG_MAX))
                    start_state = (S_START_REQ if self._type_request
                                   else S_START_RES)
                    if self._upgrade and (self._method == _CONNECT or
                                          flags & F_SKIPBODY or
                                          not has_body):
                        state = start_state
                        self._save(state, nread, hs, idx)
                        cb = self._on_message_complete
                        if cb is not None and \
                                self._notify(cb, E_CB_MESSAGE_COMPLETE):
                            return p + 1
                        return p + 1
                    if flags & F_SKIPBODY:
                        state = start_state
                        if self._message_complete(state, nread, hs, idx):
                            return p + 1
                    elif flags & F_CHUNKED:
                        state = S_CHUNK_SIZE_START
                    elif self._uses_te:
                        if self._type_request:
                            self._errno = E_INVALID_TRANSFER_ENCODING
                            return p
                        state = S_BODY_IDENTITY_EOF
                    elif clen == 0:
                        state = start_state
                        if self._message_complete(state, nread, hs, idx):
                            return p + 1
                    elif clen != _ULLONG_MAX:
                        state = S_BODY_IDENTITY
                    elif not self._needs_eof():
                        state = start_state
                        if self._message_complete(state, nread, hs, idx):
                            return p + 1
                    else:
                        state = S_BODY_IDENTITY_EOF

                elif state == S_BODY_IDENTITY:
                    clen = self._clen
                    to_read = n - p
                    if clen < to_read:
                        to_read = clen
                    if body_mark < 0:
                        body_mark = p
                    clen -= to_read
                    self._clen = clen
                    p += to_read - 1
                    if clen == 0:
                        state = S_MESSAGE_DONE
                        self._state = state
                        cb = self._on_body
                        if cb is not None and \
                                self._data(cb, data[body_mark:p + 1],
                                           E_CB_BODY):
                            return p
                        body_mark = -1
                        continue

                elif state == S_MESSAGE_DONE:
                    state = (S_START_REQ if self._type_request
                             else S_START_RES)
                    if self._message_complete(state, nread, hs, idx):
                        return p + 1
                    if self._upgrade:
                        self._save(state, nread, hs, idx)
                        return p + 1

                elif state == S_START_REQ:
                    if ch == _CR or ch == _LF:
                        break
                    self._flags = 0
                    self._uses_te = 0
                    self._clen = _ULLONG_MAX
                    lm = _REQUEST_LINE.match(data, p)
                    if lm is not None:
                        mname, url, ver = lm.group(1, 2, 3)
                        meth = _FAST_METHODS.get(mname)
                        q = lm.end()
                        if meth is not None and \
                                nread + (q - 1 - p) <= _MAX_HEADER_SIZE:
                            # A whole plain request line: same callbacks
                            # and state as the byte-level states.
                            self._method = _FIRST_METHOD[ch]
                            state = S_HEADER_FIELD_START
                            self._state = state
                            cb = self._on_message_begin
                            if cb is not None and \
                                    self._notify(cb, E_CB_MESSAGE_BEGIN):
                                return p + 1
                            self._method = meth
                            cb = self._on_url
                            if cb is not None and \
                                    self._data(cb, url, E_CB_URL):
                                return p + 1
                            self._major = ver[0] - 48
                            self._minor = ver[2] - 48
                            nread += q - 1 - p
                            p = q - 1
                            break
                    if not _is_alpha(ch):
                        self._errno = E_INVALID_METHOD
                        return p
                    self._method = 0
                    idx = 1
                    meth = _FIRST_METHOD.get(ch)
                    if meth is None:
                        self._errno = E_INVALID_METHOD
                        return p
                    self._method = meth
                    state = S_REQ_METHOD
                    cb = self._on_message_begin
                    if cb is not None:
                        self._state = state
                        if self._notify(cb, E_CB_MESSAGE_BEGIN):
                            return p + 1

                elif state == S_REQ_METHOD:
                    if ch == 0:
                        self._errno = E_INVALID_METHOD
                        return p
                    matcher = _METHOD_STRINGS[self._method]
                    if ch == _SP and idx == len(matcher):
                        state = S_REQ_SPACES_BEFORE_URL
                    elif idx < len(matcher) and ch == matcher[idx]:
                        pass
                    elif 65 <= ch <= 90 or ch == 45:
                        meth = _METHOD_SWITCH.get((self._method, idx, ch))
                        if meth is None:
                            self._errno = E_INVALID_METHOD
                            return p
                        self._method = meth
                    else:
                        self._errno = E_INVALID_METHOD
                        return p
                    idx += 1

                elif state == S_REQ_SPACES_BEFORE_URL:
                    if ch == _SP:
                        break
                    if url_mark < 0:
                        url_mark = p
                    if self._method == _CONNECT:
                        state = S_REQ_SERVER_START
                    state = _url_char(state, ch)
                    if state == S_DEAD:
                        self._errno = E_INVALID_URL
                        return p

                elif S_REQ_SCHEMA <= state <= S_REQ_SERVER_START:
                    if ch == _SP or ch == _CR or ch == _LF:
                        self._errno = E_INVALID_URL
                        return p
                    state = _url_char(state, ch)
                    if state == S_DEAD:
                        self._errno = E_INVALID_URL
                        return p

                elif S_REQ_SERVER <= state <= S_REQ_FRAGMENT:
                    if ch == _SP or ch == _CR or ch == _LF:
                        if ch == _SP:
                            state = S_REQ_HTTP_START
                        else:
                            self._major = 0
                            self._minor = 9
                            state = (S_REQ_LINE_ALMOST_DONE if ch == _CR
                                     else S_HEADER_FIELD_START)
                        if url_mark >= 0:
                            cb = self._on_url
                            if cb is not None:
                                self._state = state
                                if self._data(cb, data[url_mark:p],
                                              E_CB_URL):
                                    return p + 1
                            url_mark = -1
                    elif state in _PATH_LIKE:
                        # path, query and fragment states accept the same
                        # bytes and end the same way: scan them in bulk
                        q = _URL_RUN.match(data, p).end()
                        if q == p:
                            self._errno = E_INVALID_URL
                            return p
                        nread += q - 1 - p
                        p = q - 1
                        state = S_REQ_PATH
                        if nread > _MAX_HEADER_SIZE:
                            self._errno = E_HEADER_OVERFLOW
                            return p
                    else:
                        state = _url_char(state, ch)
                        if state == S_DEAD:
                            self._errno = E_INVALID_URL
                            return p

                elif state == S_REQ_HTTP_START:
                    if ch == _SP:
                        pass
                    elif ch == 72:  # 'H'
                        state = S_REQ_HTTP_H
                    elif ch == 73 and self._method == _SOURCE:  # 'I'
                        state = S_REQ_HTTP_I
                    else:
                        self._errno = E_INVALID_CONSTANT
                        return p

                elif S_REQ_HTTP_H <= state <= S_REQ_HTTP_IC:
                    # not checked in non-strict builds
                    state = (S_REQ_HTTP_MAJOR if state == S_REQ_HTTP_HTTP
                             else S_REQ_HTTP_HTTP if state == S_REQ_HTTP_IC
                             else state + 1)

                elif state == S_REQ_HTTP_MAJOR \
                        or state == S_RES_HTTP_MAJOR:
                    if not 48 <= ch <= 57:
                        self._errno = E_INVALID_VERSION
                        return p
                    self._major = ch - 48
                    state += 1

                elif state == S_REQ_HTTP_DOT or state == S_RES_HTTP_DOT:
                    if ch != 46:
                        self._errno = E_INVALID_VERSION
                        return p
                    state += 1

                elif state == S_REQ_HTTP_MINOR \
                        or state == S_RES_HTTP_MINOR:
                    if not 48 <= ch <= 57:
                        self._errno = E_INVALID_VERSION
                        return p
                    self._minor = ch - 48
                    state += 1

                elif state == S_REQ_HTTP_END:
                    if ch == _CR:
                        state = S_REQ_LINE_ALMOST_DONE
                    elif ch == _LF:
                        state = S_HEADER_FIELD_START
                    else:
                        self._errno = E_INVALID_VERSION
                        return p

                elif state == S_REQ_LINE_ALMOST_DONE:
                    if ch != _LF:
                        self._errno = E_LF_EXPECTED
                        return p
                    state = S_HEADER_FIELD_START

                elif state == S_CHUNK_SIZE_START:
                    v = _UNHEX[ch]
                    if v < 0:
                        self._errno = E_INVALID_CHUNK_SIZE
                        return p
                    self._clen = v
                    state = S_CHUNK_SIZE

                elif state == S_CHUNK_SIZE:
                    if ch == _CR:
                        state = S_CHUNK_SIZE_ALMOST_DONE
                        break
                    v = _UNHEX[ch]
                    if v < 0:
                        if ch == 59 or ch == _SP:  # ';'
                            state = S_CHUNK_PARAMETERS
                            break
                        self._errno = E_INVALID_CHUNK_SIZE
                        return p
                    if self._clen > _CHUNK_LIMIT:
                        self._errno = E_INVALID_CONTENT_LENGTH
                        return p
                    self._clen = self._clen * 16 + v

                elif state == S_CHUNK_PARAMETERS:
                    if ch == _CR:
                        state = S_CHUNK_SIZE_ALMOST_DONE

                elif state == S_CHUNK_SIZE_ALMOST_DONE:
                    nread = 0
                    if self._clen == 0:
                        self._flags |= F_TRAILING
                        state = S_HEADER_FIELD_START
                    else:
                        state = S_CHUNK_DATA
                    self._state = state
                    if self._w_chunk_header():
                        return p + 1

                elif state == S_CHUNK_DATA:
                    clen = self._clen
                    to_read = n - p
                    if clen < to_read:
                        to_read = clen
                    if body_mark < 0:
                        body_mark = p
                    clen -= to_read
                    self._clen = clen
                    p += to_read - 1
                    if clen == 0:
                        state = S_CHUNK_DATA_ALMOST_DONE

                elif state == S_CHUNK_DATA_ALMOST_DONE:
                    state = S_CHUNK_DATA_DONE
                    if body_mark >= 0:
                        cb = self._on_body
                        if cb is not None:
                            self._state = state
                            if self._data(cb, data[body_mark:p], E_CB_BODY):
                                return p + 1
                        body_mark = -1

                elif state == S_CHUNK_DATA_DONE:
                    nread = 0
                    state = S_CHUNK_SIZE_START
                    self._state = state
                    if self._w_chunk_complete():
                        return p + 1

                elif state == S_BODY_IDENTITY_EOF:
                    if body_mark < 0:
                        body_mark = p
                    p = n - 1

                # --- response line ---
                elif state == S_START_RES:
                    if ch == _CR or ch == _LF:
                        break
                    self._flags = 0
                    self._uses_te = 0
                    self._clen = _ULLONG_MAX
                    if ch != 72:  # 'H'
                        self._errno = E_INVALID_CONSTANT
                        return p
                    state = S_RES_H
                    cb = self._on_message_begin
                    if cb is not None:
                        self._state = state
                        if self._notify(cb, E_CB_MESSAGE_BEGIN):
                            return p + 1

                elif S_RES_H <= state <= S_RES_HTTP:
                    state += 1  # not checked in non-strict builds

                elif state == S_RES_HTTP_END:
                    if ch != _SP:
                        self._errno = E_INVALID_VERSION
                        return p
                    state = S_RES_FIRST_STATUS_CODE

                elif state == S_RES_FIRST_STATUS_CODE:
                    if not 48 <= ch <= 57:
                        if ch == _SP:
                            break
                        self._errno = E_INVALID_STATUS
                        return p
                    self._status = ch - 48
                    state = S_RES_STATUS_CODE

                elif state == S_RES_STATUS_CODE:
                    if not 48 <= ch <= 57:
                        if ch == _SP:
                            state = S_RES_STATUS_START
                            break
                        if ch == _CR or ch == _LF:
                            state = S_RES_STATUS_START
                            continue
                        self._errno = E_INVALID_STATUS
                        return p
                    self._status = self._status * 10 + ch - 48
                    if self._status > 999:
                        self._errno = E_INVALID_STATUS
                        return p

                elif state == S_RES_STATUS_START:
                    if st_mark < 0:
                        st_mark = p
                    state = S_RES_STATUS
                    idx = 0
                    if ch == _CR or ch == _LF:
                        continue

                elif state == S_RES_STATUS:
                    if ch == _CR or ch == _LF:
                        state = (S_RES_LINE_ALMOST_DONE if ch == _CR
                                 else S_HEADER_FIELD_START)
                        if st_mark >= 0:
                            cb = self._on_status
                            if cb is not None:
                                self._state = state
                                if self._data(cb, data[st_mark:p],
                                              E_CB_STATUS):
                                    return p + 1
                            st_mark = -1
                        break
                    mm = _CRLF.search(data, p)
                    q = n if mm is None else mm.start()
                    nread += q - 1 - p
                    p = q - 1
                    if nread > _MAX_HEADER_SIZE:
                        self._errno = E_HEADER_OVERFLOW
                        return p

                elif state == S_RES_LINE_ALMOST_DONE:
                    state = S_HEADER_FIELD_START

                elif state == S_DEAD:
                    if ch != _CR and ch != _LF:
                        self._errno = E_CLOSED_CONNECTION
                        return p

                else:
                    self._errno = E_INVALID_INTERNAL_STATE
                    return p
                break
            p += 1

        # Out of data: report what is pending (at most one mark is set).
        self._save(state, nread, hs, idx)
        if hf_mark >= 0:
            if want_header and self._w_header_field(data[hf_mark:n]):
                return n
        if hv_mark >= 0:
            if want_header:
                self._w_header_value(data[hv_mark:n])
        if url_mark >= 0:
            cb = self._on_url
            if cb is not None and self._data(cb, data[url_mark:n], E_CB_URL):
                return n
        if body_mark >= 0:
            cb = self._on_body
            if cb is not None and self._data(cb, data[body_mark:n],
                                             E_CB_BODY):
                return n
        if st_mark >= 0:
            cb = self._on_status
            if cb is not None and self._data(cb, data[st_mark:n],
                                             E_CB_STATUS):
                return n
        return n

    def _save(self, state, nread, hs, idx):
        self._state = state
        self._nread = nread
        self._hstate = hs
        self._index = idx

    def _message_complete(self, state, nread, hs, idx):
        cb = self._on_message_complete
        if cb is None:
            return False
        self._save(state, nread, hs, idx)
        return self._notify(cb, E_CB_MESSAGE_COMPLETE)

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


class HttpRequestParser(HttpParser):
    __slots__ = ()

    def __init__(self, protocol):
        self._init(protocol, True)
        self._on_url = getattr(protocol, 'on_url', None)

    def get_method(self):
        return _METHOD_STRINGS[self._method]


class HttpResponseParser(HttpParser):
    __slots__ = ()

    def __init__(self, protocol):
        self._init(protocol, False)
        self._on_status = getattr(protocol, 'on_status', None)

    def get_status_code(self):
        return self._status


# --- parse_url ------------------------------------------------------------------

class URL:
    """Result of parse_url(); read-only attributes like httptools' URL."""

    __slots__ = ('_schema', '_host', '_port', '_path', '_query', '_fragment',
                 '_userinfo')

    def __init__(self, schema, host, port, path, query, fragment, userinfo):
        self._schema = schema
        self._host = host
        self._port = port
        self._path = path
        self._query = query
        self._fragment = fragment
        self._userinfo = userinfo

    schema = property(attrgetter('_schema'))
    host = property(attrgetter('_host'))
    port = property(attrgetter('_port'))
    path = property(attrgetter('_path'))
    query = property(attrgetter('_query'))
    fragment = property(attrgetter('_fragment'))
    userinfo = property(attrgetter('_userinfo'))

    def __repr__(self):
        return ('<URL schema: {!r}, host: {!r}, port: {!r}, path: {!r}, '
                'query: {!r}, fragment: {!r}, userinfo: {!r}>'
                .format(self._schema, self._host, self._port, self._path,
                        self._query, self._fragment, self._userinfo))


# An origin-form URL ('/' or '*' then URL bytes, '?' and '#' included):
# http-parser gives path up to the first '?' or '#', query up to the next
# '#' (None if empty), fragment after the '#'s that follow (None if empty).
_ORIGIN_URL = re.compile(rb"[/*][" + _URL_CLASS + rb"]*")

UF_SCHEMA, UF_HOST, UF_PORT, UF_PATH, UF_QUERY, UF_FRAGMENT, UF_USERINFO = \
    range(7)
_UF_MAX = 7

(HS_DEAD, HS_USERINFO_START, HS_USERINFO, HS_HOST_START, HS_HOST_V6_START,
 HS_HOST, HS_HOST_V6, HS_HOST_V6_END, HS_HOST_V6_ZONE_START,
 HS_HOST_V6_ZONE, HS_HOST_PORT_START, HS_HOST_PORT) = range(1, 13)


def _is_host_char(c):
    return _is_alnum(c) or c == 46 or c == 45 or c == 95  # . - _


def _is_hex(c):
    return 48 <= c <= 57 or 97 <= (c | 0x20) <= 102


def _host_char(s, ch):
    """http_parse_host_char()"""
    if s == HS_USERINFO or s == HS_USERINFO_START:
        if ch == 64:
            return HS_HOST_START
        if _is_userinfo(ch):
            return HS_USERINFO
        return HS_DEAD
    if s == HS_HOST_START:
        if ch == 91:
            return HS_HOST_V6_START
        if _is_host_char(ch):
            return HS_HOST
        return HS_DEAD
    if s == HS_HOST or s == HS_HOST_V6_END:
        if s == HS_HOST and _is_host_char(ch):
            return HS_HOST
        if ch == 58:
            return HS_HOST_PORT_START
        return HS_DEAD
    if s == HS_HOST_V6 or s == HS_HOST_V6_START:
        if s == HS_HOST_V6 and ch == 93:
            return HS_HOST_V6_END
        if _is_hex(ch) or ch == 58 or ch == 46:
            return HS_HOST_V6
        if s == HS_HOST_V6 and ch == 37:
            return HS_HOST_V6_ZONE_START
        return HS_DEAD
    if s == HS_HOST_V6_ZONE or s == HS_HOST_V6_ZONE_START:
        if s == HS_HOST_V6_ZONE and ch == 93:
            return HS_HOST_V6_END
        if _is_alnum(ch) or ch in b'%.-_~':
            return HS_HOST_V6_ZONE
        return HS_DEAD
    if s == HS_HOST_PORT or s == HS_HOST_PORT_START:
        if 48 <= ch <= 57:
            return HS_HOST_PORT
    return HS_DEAD


def _parse_host(buf, off, ln, found_at):
    """http_parse_host(); returns the extra field bits, or -1 on error."""
    extra = 0
    # offsets and lengths are uint16_t in http-parser
    end = off[UF_HOST] + ln[UF_HOST]
    ln[UF_HOST] = 0
    s = HS_USERINFO_START if found_at else HS_HOST_START
    for p in range(off[UF_HOST], end):
        new_s = _host_char(s, buf[p])
        if new_s == HS_DEAD:
            return -1
        if new_s == HS_HOST or new_s == HS_HOST_V6:
            if s != new_s:
                off[UF_HOST] = p & 0xFFFF
            ln[UF_HOST] = (ln[UF_HOST] + 1) & 0xFFFF
        elif new_s == HS_HOST_V6_ZONE_START or new_s == HS_HOST_V6_ZONE:
            ln[UF_HOST] = (ln[UF_HOST] + 1) & 0xFFFF
        elif new_s == HS_HOST_PORT:
            if s != HS_HOST_PORT:
                off[UF_PORT] = p & 0xFFFF
                ln[UF_PORT] = 0
                extra |= 1 << UF_PORT
            ln[UF_PORT] = (ln[UF_PORT] + 1) & 0xFFFF
        elif new_s == HS_USERINFO:
            if s != HS_USERINFO:
                off[UF_USERINFO] = p & 0xFFFF
                ln[UF_USERINFO] = 0
                extra |= 1 << UF_USERINFO
            ln[UF_USERINFO] = (ln[UF_USERINFO] + 1) & 0xFFFF
        s = new_s
    if s in (HS_HOST_START, HS_HOST_V6_START, HS_HOST_V6,
             HS_HOST_V6_ZONE_START, HS_HOST_V6_ZONE, HS_HOST_PORT_START,
             HS_USERINFO, HS_USERINFO_START):
        return -1
    return extra


_UF_OF_STATE = {
    S_REQ_SCHEMA: UF_SCHEMA,
    S_REQ_SERVER_WITH_AT: UF_HOST,
    S_REQ_SERVER: UF_HOST,
    S_REQ_PATH: UF_PATH,
    S_REQ_QUERY_STRING: UF_QUERY,
    S_REQ_FRAGMENT: UF_FRAGMENT,
}


def _parse_url_full(buf):
    """http_parser_parse_url(is_connect=0) -> URL, or None if invalid."""
    n = len(buf)
    if n == 0:
        return None
    off = [0] * _UF_MAX
    ln = [0] * _UF_MAX
    field_set = 0
    found_at = 0
    old_uf = _UF_MAX
    s = S_REQ_SPACES_BEFORE_URL
    for p in range(n):
        s = _url_char(s, buf[p])
        if s == S_DEAD:
            return None
        uf = _UF_OF_STATE.get(s)
        if uf is None:
            continue  # delimiters
        if s == S_REQ_SERVER_WITH_AT:
            found_at = 1
        if uf == old_uf:
            ln[uf] = (ln[uf] + 1) & 0xFFFF
            continue
        off[uf] = p & 0xFFFF
        ln[uf] = 1
        field_set |= 1 << uf
        old_uf = uf
    if field_set & (1 << UF_SCHEMA) and not field_set & (1 << UF_HOST):
        return None
    if field_set & (1 << UF_HOST):
        extra = _parse_host(buf, off, ln, found_at)
        if extra < 0:
            return None
        field_set |= extra
    port = None
    if field_set & (1 << UF_PORT):
        v = 0
        for c in buf[off[UF_PORT]:off[UF_PORT] + ln[UF_PORT]]:
            v = v * 10 + c - 48
            if v > 0xFFFF:
                return None
        port = v
    fields = []
    for uf in (UF_SCHEMA, UF_HOST, UF_PATH, UF_QUERY, UF_FRAGMENT,
               UF_USERINFO):
        if field_set & (1 << uf):
            fields.append(buf[off[uf]:off[uf] + ln[uf]])
        else:
            fields.append(None)
    schema, host, path, query, fragment, userinfo = fields
    return URL(schema, host, port, path, query, fragment, userinfo)


def parse_url(url):
    buf = url if url.__class__ is bytes else _to_bytes(url)
    if len(buf) < 0x10000 and _ORIGIN_URL.fullmatch(buf) is not None:
        # The usual "/path?query" request target: cut it with find().
        h = buf.find(b'#')
        if h < 0:
            fragment = None
        else:
            fragment = buf[h + 1:].lstrip(b'#') or None
            buf = buf[:h]
        q = buf.find(b'?')
        if q < 0:
            return URL(None, None, None, buf, None, fragment, None)
        return URL(None, None, None, buf[:q], buf[q + 1:] or None, fragment,
                   None)
    result = _parse_url_full(buf)
    if result is None:
        raise HttpParserInvalidURLError("invalid url {!r}".format(url))
    return result
