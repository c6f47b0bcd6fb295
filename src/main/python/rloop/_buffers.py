"""The Java array behind a Python ``bytearray``, for channels to read into.

GraalPy keeps a ``bytearray``'s bytes in a Java ``byte[]``, and ``polyglot.storage`` hands that
array to Java as itself, so a channel can read from the socket straight into the Python object.
The polyglot API offers nothing else as fast in this direction on GraalPy 25.0.3: writing
through interop costs one call per 8 bytes, and ``bytes(java_array)`` one per byte
(docs/ARCHITECTURE.md has the numbers). The array changes when the ``bytearray`` is resized,
so callers ask for it again for every buffer they did not allocate themselves.
"""

import polyglot


def storage(buf):
    """The Java byte[] holding `buf` (a bytearray or bytes) right now; it may be longer than
    `buf`, so pass len(buf) along."""
    return polyglot.storage(buf)


def _with_array(data):
    """`data` (bytes, bytearray or memoryview; a memoryview becomes a fresh bytes) and the Java
    array behind it, or None when it has none."""
    if type(data) is memoryview:
        # bytes(view), not view.tobytes(): the same bytes, but GraalPy 25.0.3 copies 1 KiB in
        # about 100 ns through bytes() and about 5 us through tobytes()
        data = bytes(data)
    try:
        return data, polyglot.storage(data)
    except TypeError:
        return data, None


def send(channel_write, channel_write_buffer, data, *args):
    """Hands `data` (bytes, bytearray or memoryview) to a channel's write: the Java array behind
    it when it has one (no copy on the way in), else the buffer through interop."""
    data, array = _with_array(data)
    if array is None:
        return channel_write_buffer(data, *args)
    return channel_write(array, len(data), *args)


class ChannelWriter:
    """The write calls of a Java stream channel or pipe, read off it once.

    Each time Python reads a method off a Java object, GraalPy looks the member up by name and
    releases and takes the GIL around that lookup, and again around the call; a transport that
    writes through these bound methods pays only for the call (about 40-100 ns less per write,
    measured on a warmed loop).

    Called with `data` (bytes, bytearray or memoryview), it returns the bytes still pending, as
    the channel's write does. A `bytes` object never changes, so what the channel cannot send at
    once is queued as the object's own Java array (`writeShared`); a `bytearray` may change once
    write() returns, as asyncio allows, so the channel queues a copy of it (`write`). A
    memoryview becomes a fresh `bytes` first. Only a buffer with no Java array behind it goes
    through interop (`writeBuffer`)."""

    __slots__ = ("_copying", "_shared", "_interop")

    def __init__(self, channel):
        self._copying = channel.write
        self._shared = channel.writeShared
        self._interop = channel.writeBuffer

    def __call__(self, data):
        data, array = _with_array(data)
        if array is None:
            return self._interop(data)
        if type(data) is bytes:
            return self._shared(array, len(data))
        return self._copying(array, len(data))


class ReadBuffer:
    """The loop's own receive buffer: a bytearray that is never resized, and its Java array."""

    SIZE = 256 * 1024  # the most one read hands to a protocol, as the stdlib transports read

    def __init__(self):
        self.bytes = bytearray(self.SIZE)
        self.java = polyglot.storage(self.bytes)

    def take(self, n):
        """A bytes copy of the first n bytes read."""
        return bytes(memoryview(self.bytes)[:n])
