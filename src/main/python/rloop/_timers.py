"""The loop's timers: TimerHandles in one-millisecond buckets, each sorted only when it comes due.

asyncio's contract is that timers run in ``when`` order (ties in the order they were scheduled),
once their time has come, and that cancelled ones never run. A binary heap gives that with
``log n`` comparisons on every push and pop; on GraalPy each comparison of ``TimerHandle`` or
tuple objects is a Python-level call. Here a push is a dict lookup and a list append: timers go
into the bucket of their millisecond (any non-decreasing map from ``when`` to a bucket key keeps
the buckets in order), a small heap holds the bucket keys, and a bucket is sorted by ``when``
(a stable sort, so ties keep their scheduling order) once, when the loop first looks into it.
Timers scheduled into a bucket that is already sorted make it sort again. docs/ARCHITECTURE.md
has the measurements against the Java heap this replaced.

Cancelled timers stay where they are (``TimerHandle.cancel`` only marks them) and are dropped
when they reach the front, as in the stdlib; when more than half of the queue is cancelled it is
rebuilt without them, so a program that keeps cancelling long timeouts does not grow the queue.
"""

from heapq import heapify, heappop, heappush
from operator import attrgetter

_when_of = attrgetter("_when")
# bucket keys for whens too large (or not a number) for int(): after every finite bucket
_FAR_KEY = 1 << 62
# rebuild once more than this many (and more than half) of the queued timers are cancelled
_MIN_CANCELLED_TO_PURGE = 100


def _key(when):
    try:
        return int(when * 1000.0)
    except (OverflowError, ValueError):  # +-inf, nan
        return -_FAR_KEY if when < 0 else _FAR_KEY


class TimerQueue:
    """Loop-thread only. Holds TimerHandles; ``pop_due`` hands back the ones due, in order."""

    __slots__ = ("_buckets", "_keys", "_sorted_key", "_size", "_cancelled")

    def __init__(self):
        self._buckets = {}  # bucket key -> list of TimerHandles
        self._keys = []  # heap of the keys in _buckets
        self._sorted_key = None  # the key of the bucket known to be sorted, if any
        self._size = 0  # handles queued, cancelled ones included
        self._cancelled = 0  # queued handles that are cancelled

    def __len__(self):
        return self._size

    def push(self, timer):
        key = _key(timer._when)
        bucket = self._buckets.get(key)
        if bucket is None:
            self._buckets[key] = [timer]
            heappush(self._keys, key)
        else:
            bucket.append(timer)
            if key == self._sorted_key:
                self._sorted_key = None
        timer._scheduled = True
        self._size += 1

    def cancelled(self, timer):
        """``timer`` (queued) was cancelled: count it, and drop the dead ones when they dominate."""
        self._cancelled += 1
        if self._cancelled > _MIN_CANCELLED_TO_PURGE and self._cancelled * 2 > self._size:
            self._purge()

    def next_due(self):
        """The ``when`` of the earliest live timer, or None when there is none."""
        keys = self._keys
        while keys:
            bucket = self._front_bucket()
            for i, timer in enumerate(bucket):
                if not timer._cancelled:
                    if i:
                        self._drop(bucket, i)
                    return timer._when
            self._drop(bucket, len(bucket))
        return None

    def pop_due(self, end):
        """Removes and returns the live timers due before ``end``, in order."""
        due = []
        keys = self._keys
        end_key = _key(end)
        while keys and keys[0] <= end_key:
            bucket = self._front_bucket()
            n = len(bucket)
            i = 0
            while i < n and bucket[i]._when < end:
                timer = bucket[i]
                timer._scheduled = False
                if timer._cancelled:
                    self._cancelled -= 1
                else:
                    due.append(timer)
                i += 1
            self._size -= i
            if i < n:
                del bucket[:i]
                break
            self._remove_front()
        return due

    def clear(self):
        for bucket in self._buckets.values():
            for timer in bucket:
                timer._scheduled = False
        self._buckets.clear()
        self._keys.clear()
        self._sorted_key = None
        self._size = self._cancelled = 0

    def _front_bucket(self):
        key = self._keys[0]
        bucket = self._buckets[key]
        if key != self._sorted_key:
            bucket.sort(key=_when_of)
            self._sorted_key = key
        return bucket

    def _drop(self, bucket, count):
        """Drops the first ``count`` handles of the front bucket, all of them cancelled."""
        for timer in bucket[:count]:
            timer._scheduled = False
        self._size -= count
        self._cancelled -= count
        if count == len(bucket):
            self._remove_front()
        else:
            del bucket[:count]

    def _remove_front(self):
        del self._buckets[heappop(self._keys)]
        self._sorted_key = None

    def _purge(self):
        buckets = {}
        for key, bucket in self._buckets.items():
            live = []
            for timer in bucket:
                if timer._cancelled:
                    timer._scheduled = False
                else:
                    live.append(timer)
            if live:
                buckets[key] = live
        self._buckets = buckets
        self._keys = list(buckets)
        heapify(self._keys)
        self._sorted_key = None
        self._size -= self._cancelled
        self._cancelled = 0
