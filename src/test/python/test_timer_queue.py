"""rloop's timer queue on its own: order, ties, cancellation, purging and odd `when` values."""

import math
import random
import unittest

import rloop
from rloop._tasks import TimerHandle
from rloop._timers import TimerQueue


class TimerQueueTests(unittest.TestCase):
    def setUp(self):
        self.loop = rloop.new_event_loop()
        self.queue = TimerQueue()

    def tearDown(self):
        self.loop.close()

    def timer(self, when, tag=None):
        handle = TimerHandle(when, lambda: None, (tag,), self.loop, None)
        self.queue.push(handle)
        return handle

    def cancel(self, handle):
        # what TimerHandle.cancel does, with this queue standing in for the loop's own
        handle._cancelled = True
        self.queue.cancelled(handle)

    def tags(self, handles):
        return [h._args[0] for h in handles]

    def test_empty(self):
        self.assertIsNone(self.queue.next_due())
        self.assertEqual([], self.queue.pop_due(1e9))
        self.assertEqual(0, len(self.queue))

    def test_pops_in_when_order_across_and_within_buckets(self):
        rng = random.Random(7)
        whens = [rng.uniform(0.0, 0.05) for _ in range(2000)]
        for i, when in enumerate(whens):
            self.timer(when, i)
        popped = self.queue.pop_due(1.0)
        self.assertEqual(sorted(range(2000), key=lambda i: whens[i]), self.tags(popped))
        self.assertTrue(all(not h._scheduled for h in popped))
        self.assertEqual(0, len(self.queue))

    def test_ties_keep_scheduling_order(self):
        for i in range(10):
            self.timer(1.0005, i)
        self.timer(1.0001, "earlier")
        self.assertEqual(["earlier"] + list(range(10)), self.tags(self.queue.pop_due(2.0)))

    def test_pop_due_takes_only_what_is_due(self):
        for i, when in enumerate([1.0, 1.0004, 1.0006, 1.002, 3.0]):
            self.timer(when, i)
        self.assertEqual([0, 1], self.tags(self.queue.pop_due(1.0005)))
        self.assertEqual(1.0006, self.queue.next_due())
        self.assertEqual([], self.queue.pop_due(1.0006), "due means strictly before the end")
        self.assertEqual([2, 3], self.tags(self.queue.pop_due(2.0)))
        self.assertEqual(3.0, self.queue.next_due())
        self.assertEqual(1, len(self.queue))

    def test_push_into_a_bucket_already_sorted(self):
        self.timer(1.0008, "late")
        self.assertEqual(1.0008, self.queue.next_due())  # sorts the bucket
        self.timer(1.0002, "early")
        self.assertEqual(1.0002, self.queue.next_due())
        self.assertEqual(["early", "late"], self.tags(self.queue.pop_due(2.0)))

    def test_cancelled_timers_never_come_back(self):
        handles = [self.timer(1.0 + i * 1e-4, i) for i in range(20)]
        for h in handles[::2]:
            self.cancel(h)
        self.assertEqual(1.0001, self.queue.next_due(), "cancelled front timers are skipped")
        self.assertEqual(list(range(1, 20, 2)), self.tags(self.queue.pop_due(2.0)))
        self.assertTrue(all(not h._scheduled for h in handles))
        self.assertEqual(0, len(self.queue))

    def test_mostly_cancelled_queue_is_purged(self):
        handles = [self.timer(1000.0 + i, i) for i in range(1000)]
        for h in handles[:700]:
            self.cancel(h)
        self.assertLess(len(self.queue), 1000, "dropped the cancelled timers")
        self.assertGreaterEqual(len(self.queue), 300)
        self.assertFalse(handles[0]._scheduled)
        self.assertEqual(list(range(700, 1000)), self.tags(self.queue.pop_due(1e9)))

    def test_infinite_and_negative_whens(self):
        self.timer(math.inf, "never")
        self.timer(-5.0, "past")
        self.timer(0.5, "soon")
        self.assertEqual(-5.0, self.queue.next_due())
        self.assertEqual(["past", "soon"], self.tags(self.queue.pop_due(1e300)))
        self.assertEqual(math.inf, self.queue.next_due())

    def test_clear_unschedules(self):
        handles = [self.timer(float(i), i) for i in range(5)]
        self.queue.clear()
        self.assertEqual(0, len(self.queue))
        self.assertIsNone(self.queue.next_due())
        self.assertTrue(all(not h._scheduled for h in handles))
