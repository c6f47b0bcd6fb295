"""rloop's pure-Python ``httptools.parser.parser`` (``rloop._accelerators.httptools_parser``).

Every expected value below (callback sequences, exception classes and messages, upgrade
offsets, parse_url fields) is what the real httptools 0.1.1 gives on CPython: Debian 12's
python3-httptools, whose C extension runs over libhttp-parser 2.9.4. The module imports its
exception classes from ``httptools.parser.errors``, so these tests need that package (taken from
Debian's dist-packages when it is there) and skip with the reason when it is absent.

On GraalPy the module is imported as ``rloop._accelerators.httptools_parser``. On CPython the
``rloop`` package itself does not import (it needs GraalPy's Java bridge), so there the module's
file is loaded on its own, which lets the same tests run on both.
"""

import importlib
import importlib.util
import os
import sys
import unittest

_DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"
_MODULE = "rloop._accelerators.httptools_parser"


_loaded = []


def _load():
    """Returns (parser module, httptools.parser.errors), or raises SkipTest."""
    if not _loaded:
        _loaded.append(_import())
    return _loaded[0]


def _import():
    if os.path.isdir(_DEBIAN_PACKAGES) and _DEBIAN_PACKAGES not in sys.path:
        sys.path.append(_DEBIAN_PACKAGES)
    if importlib.util.find_spec("httptools") is None:
        raise unittest.SkipTest("httptools is not installed; the parser needs its "
                                "httptools.parser.errors (apt-get install python3-httptools)")
    errors = importlib.import_module("httptools.parser.errors")
    try:
        return importlib.import_module(_MODULE), errors
    except ImportError:
        if sys.implementation.name == "graalpy":
            raise
    for entry in sys.path:
        path = os.path.join(entry or ".", *_MODULE.split(".")) + ".py"
        if os.path.isfile(path):
            spec = importlib.util.spec_from_file_location(_MODULE, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module, errors
    raise ImportError(f"{_MODULE} not found on sys.path")


class Recorder:
    """A protocol recording every callback, as (name, *arguments)."""

    def __init__(self, fail_in=None, exc=None):
        self.events = []
        self._fail_in = fail_in
        self._exc = exc

    def _record(self, name, *args):
        self.events.append((name,) + args)
        if name == self._fail_in:
            raise self._exc

    def on_message_begin(self):
        self._record("begin")

    def on_url(self, url):
        self._record("url", url)

    def on_status(self, status):
        self._record("status", status)

    def on_header(self, name, value):
        self._record("header", name, value)

    def on_headers_complete(self):
        self._record("headers_complete")

    def on_body(self, body):
        self._record("body", body)

    def on_message_complete(self):
        self._record("complete")

    def on_chunk_header(self):
        self._record("chunk_header")

    def on_chunk_complete(self):
        self._record("chunk_complete")


def merged(events):
    """Joins adjacent url/status/body fragments (how a feed was split changes only those)."""
    out = []
    for event in events:
        if out and event[0] in ("url", "status", "body") and out[-1][0] == event[0]:
            out[-1] = (event[0], out[-1][1] + event[1])
        else:
            out.append(event)
    return [e for e in out if not (e[0] in ("url", "status") and e[1] == b"")]


GET = b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
GET_EVENTS = [("begin",), ("url", b"/index.html?q=1"), ("header", b"Host", b"example.com"),
              ("header", b"Accept", b"*/*"), ("headers_complete",), ("complete",)]

CHUNKED = (b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n")
CHUNKED_EVENTS = [
    ("begin",), ("url", b"/c"), ("header", b"Transfer-Encoding", b"chunked"),
    ("headers_complete",),
    ("chunk_header",), ("body", b"Wiki"), ("chunk_complete",),
    ("chunk_header",), ("body", b"pedia"), ("chunk_complete",),
    # the last chunk: its trailers are reported before its chunk_complete
    ("chunk_header",), ("header", b"Expires", b"never"), ("chunk_complete",),
    ("complete",)]


class HttptoolsParserTests(unittest.TestCase):
    def setUp(self):
        # (per test: the project's harness runs test methods one by one, without class fixtures)
        self.hp, self.errors = _load()

    def parse(self, *parts, response=False, protocol=None):
        protocol = protocol or Recorder()
        cls = self.hp.HttpResponseParser if response else self.hp.HttpRequestParser
        parser = cls(protocol)
        for part in parts:
            parser.feed_data(part)
        return parser, protocol.events

    def assertParseError(self, data, exc_class, message, events, response=False):
        protocol = Recorder()
        cls = self.hp.HttpResponseParser if response else self.hp.HttpRequestParser
        parser = cls(protocol)
        with self.assertRaises(exc_class) as cm:
            parser.feed_data(data)
        self.assertIs(type(cm.exception), exc_class)
        self.assertEqual(cm.exception.args, (message,))
        self.assertEqual(protocol.events, events)
        # the parser stays failed: more data gives the same error
        with self.assertRaises(exc_class) as again:
            parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")
        self.assertEqual(again.exception.args, (message,))

    def test_module_interface(self):
        self.assertEqual(self.hp.__all__, ("HttpRequestParser", "HttpResponseParser", "parse_url"))
        parser = self.hp.HttpRequestParser(object())
        # a fresh parser reports http-parser's zeroed state (method 0 is DELETE)
        self.assertEqual((parser.get_method(), parser.get_http_version(),
                          parser.should_keep_alive(), parser.should_upgrade()),
                         (b"DELETE", "0.0", False, False))
        self.assertEqual(self.hp.HttpResponseParser(object()).get_status_code(), 0)

    def test_simple_get(self):
        parser, events = self.parse(GET)
        self.assertEqual(events, GET_EVENTS)
        self.assertEqual(parser.get_method(), b"GET")
        self.assertEqual(parser.get_http_version(), "1.1")
        self.assertTrue(parser.should_keep_alive())
        self.assertFalse(parser.should_upgrade())

    def test_bytearray_and_memoryview(self):
        self.assertEqual(self.parse(bytearray(GET))[1], GET_EVENTS)
        self.assertEqual(self.parse(memoryview(GET))[1], GET_EVENTS)
        with self.assertRaises(TypeError) as cm:
            self.parse("GET / HTTP/1.1\r\n\r\n")
        self.assertEqual(cm.exception.args, ("a bytes-like object is required, not 'str'",))

    def test_header_values(self):
        _, events = self.parse(b"GET / HTTP/1.1\r\nX-Empty:\r\nX-Spaces:  a b  \r\n"
                               b"X-Folded: one\r\n  two\r\n\tthree\r\nX-Tab:\tv\r\n\r\n")
        self.assertEqual(events[2:-2], [
            ("header", b"X-Empty", b""),
            ("header", b"X-Spaces", b"a b  "),            # leading blanks dropped, trailing kept
            ("header", b"X-Folded", b"one  two\tthree"),   # folded lines joined without CRLF
            ("header", b"X-Tab", b"v")])

    def test_pipelined_requests_in_one_feed(self):
        parser, events = self.parse(b"GET /a HTTP/1.1\r\n\r\n"
                                    b"POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
                                    b"HEAD /c HTTP/1.0\r\n\r\n")
        self.assertEqual(events, [
            ("begin",), ("url", b"/a"), ("headers_complete",), ("complete",),
            ("begin",), ("url", b"/b"), ("header", b"Content-Length", b"2"),
            ("headers_complete",), ("body", b"ok"), ("complete",),
            ("begin",), ("url", b"/c"), ("headers_complete",), ("complete",)])
        self.assertEqual((parser.get_method(), parser.get_http_version(),
                          parser.should_keep_alive()), (b"HEAD", "1.0", False))

    def test_content_length_body_in_pieces(self):
        parser, events = self.parse(b"POST /upload HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123",
                                    b"456", b"789GET")
        self.assertEqual(events, [
            ("begin",), ("url", b"/upload"), ("header", b"Content-Length", b"10"),
            ("headers_complete",), ("body", b"0123"), ("body", b"456"), ("body", b"789"),
            ("complete",), ("begin",)])
        self.assertEqual(parser.get_method(), b"GET")

    def test_every_split_gives_the_same_callbacks(self):
        for data, expected in ((GET, GET_EVENTS), (CHUNKED, CHUNKED_EVENTS)):
            for i in range(1, len(data)):
                with self.subTest(data=data[:20], split=i):
                    self.assertEqual(merged(self.parse(data[:i], data[i:])[1]), expected)
            byte_by_byte = [data[i:i + 1] for i in range(len(data))]
            self.assertEqual(merged(self.parse(*byte_by_byte)[1]), expected)

    def test_url_fragments_follow_the_feeds(self):
        # on_url is called per fragment (an empty one when a feed starts at the space)
        _, events = self.parse(b"GET /pa", b"th", b" HTTP/1.1\r\n\r\n")
        self.assertEqual(events[:4], [("begin",), ("url", b"/pa"), ("url", b"th"), ("url", b"")])

    def test_chunked_body(self):
        parser, events = self.parse(CHUNKED)
        self.assertEqual(events, CHUNKED_EVENTS)
        self.assertTrue(parser.should_keep_alive())

    def test_keep_alive_rules(self):
        cases = [
            (b"GET / HTTP/1.1\r\n\r\n", True),
            (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", False),
            (b"GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n", False),
            (b"GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n", False),
            (b"GET / HTTP/1.0\r\n\r\n", False),
            (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", True),
        ]
        for data, keep_alive in cases:
            with self.subTest(data=data):
                self.assertIs(self.parse(data)[0].should_keep_alive(), keep_alive)

    def test_upgrade_stops_after_the_headers(self):
        head = b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        protocol = Recorder()
        parser = self.hp.HttpRequestParser(protocol)
        with self.assertRaises(self.errors.HttpParserUpgrade) as cm:
            parser.feed_data(head + b"\x81\x00")
        self.assertEqual(cm.exception.args, (72,))
        self.assertEqual(len(head), 72)
        self.assertTrue(parser.should_upgrade())
        self.assertEqual(protocol.events[-3:], [
            ("header", b"Connection", b"Upgrade"), ("headers_complete",), ("complete",)])

    def test_connect_is_an_upgrade(self):
        protocol = Recorder()
        parser = self.hp.HttpRequestParser(protocol)
        with self.assertRaises(self.errors.HttpParserUpgrade) as cm:
            parser.feed_data(b"CONNECT example.com:443 HTTP/1.1\r\n"
                             b"Host: example.com:443\r\n\r\n\x16\x03")
        self.assertEqual(cm.exception.args, (59,))
        self.assertEqual(protocol.events[:2], [("begin",), ("url", b"example.com:443")])
        self.assertEqual(parser.get_method(), b"CONNECT")

    def test_callback_exception_becomes_callback_error(self):
        cases = [
            ("url", "the on_url callback failed"),
            ("begin", "the on_message_begin callback failed"),
            # httptools reports a header when the next name ends, or when the headers end
            ("header", "the on_header_field callback failed"),
            ("headers_complete", "the on_headers_complete callback failed"),
            ("complete", "the on_message_complete callback failed"),
        ]
        for fail_in, message in cases:
            with self.subTest(callback=fail_in):
                cause = ValueError("from " + fail_in)
                parser = self.hp.HttpRequestParser(Recorder(fail_in, cause))
                with self.assertRaises(self.errors.HttpParserCallbackError) as cm:
                    parser.feed_data(GET)
                self.assertEqual(cm.exception.args, (message,))
                self.assertIs(cm.exception.__context__, cause)
                with self.assertRaises(self.errors.HttpParserCallbackError) as again:
                    parser.feed_data(GET)
                self.assertEqual(again.exception.args, (message,))

    def test_last_header_fails_in_headers_complete(self):
        protocol = Recorder("header", KeyError("h"))
        parser = self.hp.HttpRequestParser(protocol)
        with self.assertRaises(self.errors.HttpParserCallbackError) as cm:
            parser.feed_data(b"GET / HTTP/1.1\r\nOnly: one\r\n\r\n")
        self.assertEqual(cm.exception.args, ("the on_headers_complete callback failed",))
        self.assertIsInstance(cm.exception.__context__, KeyError)

    def test_malformed_requests(self):
        e = self.errors
        began, with_url = [("begin",)], [("begin",), ("url", b"/")]
        cases = [
            (b"G3T / HTTP/1.1\r\n\r\n", e.HttpParserInvalidMethodError, "invalid HTTP method",
             began),
            (b"get / HTTP/1.1\r\n\r\n", e.HttpParserInvalidMethodError, "invalid HTTP method", []),
            (b"GET /\x01 HTTP/1.1\r\n\r\n", e.HttpParserInvalidURLError, "invalid URL", began),
            (b"GET /a b HTTP/1.1\r\n\r\n", e.HttpParserError, "invalid constant string",
             [("begin",), ("url", b"/a")]),
            (b"GET / FTP/1.1\r\n\r\n", e.HttpParserError, "invalid constant string", with_url),
            (b"GET / HTTP/1.x\r\n\r\n", e.HttpParserError, "invalid HTTP version", with_url),
            (b"GET / HTTP/1.1\r\nBad(Name): x\r\n\r\n", e.HttpParserError,
             "invalid character in header", with_url),
            (b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", e.HttpParserError,
             "invalid character in header", with_url),
            (b"GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n", e.HttpParserError, "LF character expected",
             with_url),
            (b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", e.HttpParserError,
             "invalid character in content-length header", with_url),
            (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
             e.HttpParserError, "unexpected content-length header",
             with_url + [("header", b"Content-Length", b"1")]),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
             e.HttpParserError, "unexpected content-length header",
             with_url + [("header", b"Transfer-Encoding", b"chunked")]),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", e.HttpParserError,
             "request has invalid transfer-encoding",
             with_url + [("header", b"Transfer-Encoding", b"gzip"), ("headers_complete",)]),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", e.HttpParserError,
             "invalid character in chunk size header",
             with_url + [("header", b"Transfer-Encoding", b"chunked"), ("headers_complete",)]),
            (b"GET / HTTP/1.1\r\nX: " + b"a" * (80 * 1024) + b"\r\n\r\n", e.HttpParserError,
             "too many header bytes seen; overflow detected", with_url),
        ]
        for data, exc_class, message, events in cases:
            with self.subTest(data=data[:50]):
                self.assertParseError(data, exc_class, message, events)

    def test_end_of_input_inside_a_message(self):
        parser = self.hp.HttpRequestParser(Recorder())
        parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
        with self.assertRaises(self.errors.HttpParserError) as cm:
            parser.feed_data(b"")
        self.assertEqual(cm.exception.args, ("stream ended at an unexpected time",))

    def test_responses(self):
        parser, events = self.parse(b"HTTP/1.1 200 OK\r\nServer: t\r\n\r\nhello ", b"world", b"",
                                    response=True)
        # no length: the body runs to the end of input (an empty feed)
        self.assertEqual(events, [
            ("begin",), ("status", b"OK"), ("header", b"Server", b"t"), ("headers_complete",),
            ("body", b"hello "), ("body", b"world"), ("complete",)])
        self.assertEqual((parser.get_status_code(), parser.should_keep_alive()), (200, False))
        parser, events = self.parse(b"HTTP/1.1 204 No Content\r\n\r\n", response=True)
        self.assertEqual(events, [("begin",), ("status", b"No Content"), ("headers_complete",),
                                  ("complete",)])
        self.assertEqual((parser.get_status_code(), parser.should_keep_alive()), (204, True))
        self.assertParseError(b"HTTP/1.1 2x0 OK\r\n\r\n", self.errors.HttpParserInvalidStatusError,
                              "invalid HTTP status code", [("begin",)], response=True)

    def test_parse_url(self):
        def fields(url):
            return (url.schema, url.host, url.port, url.path, url.query, url.fragment,
                    url.userinfo)
        cases = [
            (b"/path/to?x=1&y=2#top", (None, None, None, b"/path/to", b"x=1&y=2", b"top", None)),
            (b"/a?", (None, None, None, b"/a", None, None, None)),
            (b"*", (None, None, None, b"*", None, None, None)),
            (b"http://user:pw@example.com:8080/a/b?c=d#e",
             (b"http", b"example.com", 8080, b"/a/b", b"c=d", b"e", b"user:pw")),
            (b"https://[::1]:443/", (b"https", b"::1", 443, b"/", None, None, None)),
        ]
        for url, expected in cases:
            with self.subTest(url=url):
                self.assertEqual(fields(self.hp.parse_url(url)), expected)
        self.assertEqual(fields(self.hp.parse_url(bytearray(b"/x?y"))),
                         (None, None, None, b"/x", b"y", None, None))
        self.assertEqual(repr(self.hp.parse_url(b"/a?b")),
                         "<URL schema: None, host: None, port: None, path: b'/a', query: b'b', "
                         "fragment: None, userinfo: None>")
        for url in (b"", b"/a b", b"example.com:80", b"http:///x", b"http://h:65536/"):
            with self.subTest(url=url):
                with self.assertRaises(self.errors.HttpParserInvalidURLError) as cm:
                    self.hp.parse_url(url)
                self.assertEqual(cm.exception.args, ("invalid url {!r}".format(url),))


if __name__ == "__main__":
    unittest.main()
