"""Pure-Python stand-in for httptools 0.1.1's compiled ``httptools.parser.parser``.

Debian 12 ships httptools 0.1.1 linked against the system http-parser 2.9.4
(non-strict build, with Debian's CVE-2020-8287 patch); its C extension cannot
be loaded by GraalPy.  rloop's import hook loads this module under that name
instead.  Behaviour (callback order and arguments, error classes and
messages, upgrade offsets, the quirks of the non-strict parser) follows the
real thing; it was checked differentially against it on CPython.

This module holds what the library's users see (the parser classes, URL,
parse_url), so that they report the library's module name.  The work is done
in helper modules beside it:

* ``_httptools_tables``: http-parser's constants, error messages, states and
  the regexes;
* ``_httptools_fast``: the fast path, one regex match for a whole ordinary
  request head;
* ``_httptools_machine`` with ``_httptools_start_line``,
  ``_httptools_headers`` and ``_httptools_body``: the slow path, a port of
  ``http_parser_execute``'s state machine;
* ``_httptools_callbacks``: how the protocol's callbacks are called;
* ``_httptools_url``: the URL grammar and ``parse_url``'s parser.
"""

import importlib
import importlib.util
import os
import sys
from operator import attrgetter

from httptools.parser.errors import (HttpParserError,
                                     HttpParserCallbackError,
                                     HttpParserInvalidStatusError,
                                     HttpParserInvalidMethodError,
                                     HttpParserInvalidURLError,
                                     HttpParserUpgrade)


def _helper(name):
    """rloop._accelerators.<name>.  Where the rloop package cannot be imported
    (CPython, on which test_httptools_parser and differential checks run this
    file on its own) it is loaded from the file beside this one, under the
    same name, so that the helpers' relative imports of each other resolve."""
    full = 'rloop._accelerators.' + name
    try:
        return importlib.import_module(full)
    except ImportError:
        if sys.implementation.name == 'graalpy':
            raise
    spec = importlib.util.spec_from_file_location(
        full, os.path.join(os.path.dirname(__file__), name + '.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    spec.loader.exec_module(module)
    return module


# in dependency order (the fallback above loads them one by one); once
# loaded, they import as usual
for _name in ('_httptools_tables', '_httptools_url', '_httptools_callbacks',
              '_httptools_fast', '_httptools_start_line', '_httptools_headers',
              '_httptools_body', '_httptools_machine'):
    _helper(_name)
del _name

from rloop._accelerators._httptools_callbacks import Callbacks  # noqa: E402
from rloop._accelerators._httptools_fast import FastPath  # noqa: E402
from rloop._accelerators._httptools_machine import Machine  # noqa: E402
from rloop._accelerators._httptools_tables import (  # noqa: E402
    _CR, _ERRORS, _K_CB, _K_METHOD, _K_PLAIN, _K_STATUS, _K_URL, _LF,
    _METHOD_STRINGS, _ULLONG_MAX, E_OK, F_CHUNKED, F_CONNECTION_CLOSE,
    F_CONNECTION_KEEP_ALIVE, F_SKIPBODY, H_GENERAL, S_START_REQ, S_START_RES)
from rloop._accelerators._httptools_url import split_url  # noqa: E402

__all__ = ('HttpRequestParser', 'HttpResponseParser', 'parse_url')

_ERROR_CLASSES = {
    _K_PLAIN: HttpParserError,
    _K_CB: HttpParserCallbackError,
    _K_STATUS: HttpParserInvalidStatusError,
    _K_METHOD: HttpParserInvalidMethodError,
    _K_URL: HttpParserInvalidURLError,
}


def _to_bytes(data):
    try:
        return memoryview(data).tobytes()
    except TypeError:
        pass
    # raised outside the handler: no __context__, like the C buffer check
    raise TypeError("a bytes-like object is required, not '%s'"
                    % type(data).__name__)


class HttpParser(Callbacks, FastPath, Machine):
    """Shared machinery (httptools' internal ``HttpParser``)."""

    __slots__ = (
        '_on_header', '_on_headers_complete', '_on_body',
        '_on_message_begin', '_on_message_complete', '_on_chunk_header',
        '_on_chunk_complete', '_on_url', '_on_status',
        '_cur_name', '_cur_value', '_last_error',
        '_type_request', '_state', '_hstate', '_index', '_nread', '_flags',
        '_uses_te', '_clen', '_major', '_minor', '_status', '_method',
        '_errno', '_upgrade',
        # where the pending header name, value, URL, body or status piece
        # starts while the slow path runs (-1: none)
        '_hf_mark', '_hv_mark', '_url_mark', '_body_mark', '_st_mark')

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


def parse_url(url):
    buf = url if url.__class__ is bytes else _to_bytes(url)
    fields = split_url(buf)
    if fields is None:
        raise HttpParserInvalidURLError("invalid url {!r}".format(url))
    return URL(*fields)
