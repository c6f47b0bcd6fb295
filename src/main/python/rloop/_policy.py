"""The asyncio policy that makes rloop the loop asyncio creates."""

import asyncio

from .loop import Loop


class EventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """An asyncio policy whose loops are rloop loops."""

    _loop_factory = Loop


def install():
    """Make rloop the loop asyncio creates from now on (sets the event loop policy)."""
    asyncio.set_event_loop_policy(EventLoopPolicy())
