"""The constants and tables of rloop's httptools parser (``httptools_parser``): http-parser's
limits, error numbers and messages, methods, byte classes, flags and states, in http-parser's
order, and the regexes the fast path and the line shortcuts match with.
"""

import re

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

# What a state step (the _s_* methods the slow path dispatches to) tells the loop to do next:
# go on with the next byte, run the new state on the same byte, or return the offset given.
_NEXT, _AGAIN, _STOP = range(3)
