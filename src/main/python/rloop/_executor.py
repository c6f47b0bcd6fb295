"""The loop's default executor: asyncio's ThreadPoolExecutor, with idle workers GraalPy can reach.

GraalPy loads its C API (the first time any program imports a C-extension module, such as
``_cpython_unicodedata`` for the ``idna`` codec or ``_sha3`` for ``hashlib``) under a Truffle
thread-local handshake that every thread of the context must take part in. A thread that waits
inside Java code that does not poll for handshakes never does, and the import hangs for ever.
``queue.SimpleQueue.get``, where the stdlib's ``ThreadPoolExecutor`` parks its idle workers, is
such a wait on GraalPy (a Java ``LinkedBlockingQueue.take``), so any program that resolved a name
through the executor and later imported a C extension deadlocked. ``queue.Queue`` waits on
``threading`` locks, which GraalPy acquires in a way that serves handshakes, so the workers of
this executor idle there instead. docs/ARCHITECTURE.md has the diagnosis and a reproducer.
"""

import concurrent.futures
import queue


class DefaultExecutor(concurrent.futures.ThreadPoolExecutor):
    """A ThreadPoolExecutor whose idle workers wait where GraalPy's handshakes reach them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Nothing has been queued yet and no worker started, so the queue can be swapped; Queue
        # has every method the executor calls on SimpleQueue (put, get, get_nowait).
        self._work_queue = queue.Queue()
