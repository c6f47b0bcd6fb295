package dev.rloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TimerQueueTest {

    private static List<TimerEntry> drain(TimerQueue q, double end) {
        List<TimerEntry> out = new ArrayList<>();
        TimerEntry e;
        while ((e = q.pollDue(end)) != null) {
            out.add(e);
        }
        return out;
    }

    @Test
    void pollsInTimeOrderThenInsertionOrder() {
        TimerQueue q = new TimerQueue();
        TimerEntry late = q.add(3.0, null);
        TimerEntry firstAtOne = q.add(1.0, null);
        TimerEntry early = q.add(0.5, null);
        TimerEntry secondAtOne = q.add(1.0, null);
        assertEquals(List.of(early, firstAtOne, secondAtOne, late), drain(q, 10));
        assertEquals(0, q.size());
    }

    @Test
    void onlyEntriesBeforeTheEndAreDue() {
        TimerQueue q = new TimerQueue();
        TimerEntry a = q.add(1.0, null);
        q.add(2.0, null);
        assertEquals(List.of(a), drain(q, 2.0));
        assertEquals(1, q.size());
    }

    @Test
    void cancelledEntriesAreSkippedAndNotCountedLive() {
        TimerQueue q = new TimerQueue();
        TimerEntry a = q.add(1.0, null);
        TimerEntry b = q.add(2.0, null);
        a.cancel();
        a.cancel(); // idempotent
        assertEquals(1, q.liveCount());
        assertSame(b, q.peekLive());
        assertEquals(List.of(b), drain(q, 10));
        assertNull(q.peekLive());
    }

    @Test
    void cancellingAfterPollDoesNotDisturbCounts() {
        TimerQueue q = new TimerQueue();
        TimerEntry a = q.add(1.0, null);
        assertSame(a, q.pollDue(5));
        a.cancel();
        assertEquals(0, q.liveCount());
        assertEquals(0, q.size());
    }

    @Test
    void heavyCancellationCompactsAndKeepsOrder() {
        TimerQueue q = new TimerQueue();
        Random rnd = new Random(42);
        List<TimerEntry> live = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            TimerEntry e = q.add(rnd.nextDouble() * 10, null);
            if (rnd.nextInt(10) < 7) {
                live.add(e);
            } else {
                e.cancel();
            }
        }
        // more than half cancelled triggers a rebuild; here 30% stay in until they surface
        for (TimerEntry e : new ArrayList<>(live.subList(0, 20_000))) {
            e.cancel();
        }
        live = live.subList(20_000, live.size());
        assertTrue(q.size() < 50_000, "the heap was compacted");
        assertEquals(live.size(), q.liveCount());
        List<TimerEntry> out = drain(q, 100);
        assertEquals(live.size(), out.size());
        for (int i = 1; i < out.size(); i++) {
            TimerEntry p = out.get(i - 1);
            TimerEntry c = out.get(i);
            assertTrue(p.when < c.when || (p.when == c.when && p.seq < c.seq));
        }
        assertTrue(out.containsAll(live));
    }

    @Test
    void clearEmptiesTheQueue() {
        TimerQueue q = new TimerQueue();
        TimerEntry a = q.add(1, null);
        q.clear();
        assertEquals(0, q.size());
        a.cancel();
        assertEquals(0, q.liveCount());
    }
}
