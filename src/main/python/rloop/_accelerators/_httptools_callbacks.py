"""How rloop's httptools parser calls the protocol: each callback wrapped so that an exception
it raises stops the parser with http-parser's callback error number (and becomes the
``__context__`` of the HttpParserCallbackError that feed_data raises), and header fragments
joined into one on_header call as httptools does.
"""

from httptools.parser.errors import HttpParserError

from ._httptools_tables import (
    E_CB_CHUNK_COMPLETE, E_CB_CHUNK_HEADER, E_CB_HEADERS_COMPLETE, E_CB_HEADER_FIELD,
    E_CB_MESSAGE_COMPLETE)


class Callbacks:
    """HttpParser's callback wrappers; each returns True when the callback failed."""

    __slots__ = ()

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

    def _message_complete(self):
        cb = self._on_message_complete
        if cb is None:
            return False
        return self._notify(cb, E_CB_MESSAGE_COMPLETE)
