"""rloop: an asyncio event loop whose core is written in Java, for GraalPy.

Use it like any asyncio loop::

    import asyncio, rloop
    rloop.run(main())                                   # or
    asyncio.run(main(), loop_factory=rloop.new_event_loop)  # or
    asyncio.set_event_loop_policy(rloop.EventLoopPolicy())
"""

import asyncio as _asyncio

from .loop import Loop
from ._policy import EventLoopPolicy, install
from . import _accelerators, _unix_streams

_unix_streams.install()
_accelerators.install()

__all__ = ("Loop", "EventLoopPolicy", "new_event_loop", "run", "install")
__version__ = "0.1.0"


def new_event_loop():
    """Return a new rloop event loop."""
    return Loop()


def run(main, *, debug=None):
    """Run coroutine ``main`` on a new rloop loop, like ``asyncio.run``."""
    with _asyncio.Runner(debug=debug, loop_factory=new_event_loop) as runner:
        return runner.run(main)
