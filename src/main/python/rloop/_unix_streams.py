"""``asyncio.open_unix_connection`` and ``asyncio.start_unix_server`` for GraalPy.

asyncio defines them only when ``socket.AF_UNIX`` exists, and GraalPy's emulated socket module
has none; rloop serves Unix sockets with Java channels, so it provides the two stream helpers
(installed into ``asyncio`` by ``rloop``'s import when they are missing). They do what the
TCP helpers do, over ``loop.create_unix_connection``/``create_unix_server``.
"""

import asyncio
from asyncio import streams

_LIMIT = 2 ** 16  # asyncio's default StreamReader limit


async def open_unix_connection(path=None, *, limit=_LIMIT, **kwds):
    """A (reader, writer) pair for a Unix-socket connection to ``path``."""
    loop = asyncio.get_running_loop()
    reader = streams.StreamReader(limit=limit, loop=loop)
    protocol = streams.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await loop.create_unix_connection(lambda: protocol, path, **kwds)
    return reader, streams.StreamWriter(transport, protocol, reader, loop)


async def start_unix_server(client_connected_cb, path=None, *, limit=_LIMIT, **kwds):
    """A Unix-socket server calling ``client_connected_cb(reader, writer)`` per client."""
    loop = asyncio.get_running_loop()

    def new_protocol():
        reader = streams.StreamReader(limit=limit, loop=loop)
        return streams.StreamReaderProtocol(reader, client_connected_cb, loop=loop)

    return await loop.create_unix_server(new_protocol, path, **kwds)


def install():
    for module in (asyncio, streams):
        for fn in (open_unix_connection, start_unix_server):
            if not hasattr(module, fn.__name__):
                setattr(module, fn.__name__, fn)
