"""URL grammar of rloop's httptools parser: http-parser's URL byte states (which the request
line's slow path follows too) and its host parser, for ``parse_url``.
"""

import re

from ._httptools_tables import (
    _CR, _LF, _SP, _URL_CLASS, S_DEAD, S_REQ_FRAGMENT, S_REQ_FRAGMENT_START, S_REQ_PATH,
    S_REQ_QUERY_STRING, S_REQ_QUERY_STRING_START, S_REQ_SCHEMA, S_REQ_SCHEMA_SLASH,
    S_REQ_SCHEMA_SLASH_SLASH, S_REQ_SERVER, S_REQ_SERVER_START, S_REQ_SERVER_WITH_AT,
    S_REQ_SPACES_BEFORE_URL)


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
    """http_parser_parse_url(is_connect=0) -> URL fields, or None if invalid."""
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
    return schema, host, port, path, query, fragment, userinfo


def split_url(buf):
    """parse_url's fields (schema, host, port, path, query, fragment, userinfo) of the bytes
    buf, or None if http-parser finds the URL invalid."""
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
            return None, None, None, buf, None, fragment, None
        return None, None, None, buf[:q], buf[q + 1:] or None, fragment, None
    return _parse_url_full(buf)
