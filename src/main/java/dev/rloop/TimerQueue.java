package dev.rloop;

import java.util.Arrays;

import org.graalvm.polyglot.Value;

/**
 * A binary min-heap of {@link TimerEntry}, ordered by due time and then by insertion order.
 *
 * <p>Insertion order breaks ties so that two timers due at the same instant run in the order they
 * were scheduled (the stdlib heap leaves that undefined; FIFO is the least surprising choice).
 * Cancelled entries stay in the heap until they reach the top or until more than half of the heap
 * is cancelled, when it is rebuilt: cancelling is then O(1) and the heap never holds mostly garbage.
 * Only the loop thread touches a queue.
 */
final class TimerQueue {
    private static final int COMPACT_MIN_SIZE = 64;

    private TimerEntry[] heap = new TimerEntry[64];
    private int size;
    private int cancelled;
    private long nextSeq;

    int size() {
        return size;
    }

    int liveCount() {
        return size - cancelled;
    }

    TimerEntry add(double when, Value handle) {
        TimerEntry e = new TimerEntry(this, when, nextSeq++, handle);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, e);
        return e;
    }

    /** Called by {@link TimerEntry#cancel()} while the entry is still queued. */
    void onCancelled() {
        cancelled++;
        if (size > COMPACT_MIN_SIZE && cancelled * 2 > size) {
            compact();
        }
    }

    /** Drops cancelled entries from the top; returns the earliest live entry or null. */
    TimerEntry peekLive() {
        while (size > 0 && heap[0].cancelled) {
            removeTop().queued = false;
            cancelled--;
        }
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest live entry if it is due before {@code end}, else null. */
    TimerEntry pollDue(double end) {
        TimerEntry top = peekLive();
        if (top == null || top.when >= end) {
            return null;
        }
        removeTop();
        top.queued = false;
        return top;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].queued = false;
            heap[i] = null;
        }
        size = 0;
        cancelled = 0;
    }

    private TimerEntry removeTop() {
        TimerEntry top = heap[0];
        TimerEntry last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
        return top;
    }

    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            TimerEntry e = heap[i];
            if (e.cancelled) {
                e.queued = false;
            } else {
                heap[n++] = e;
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        cancelled = 0;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
    }

    private static boolean before(TimerEntry a, TimerEntry b) {
        return a.when < b.when || (a.when == b.when && a.seq < b.seq);
    }

    private void siftUp(int k, TimerEntry e) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            TimerEntry p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[k] = p;
            k = parent;
        }
        heap[k] = e;
    }

    private void siftDown(int k, TimerEntry e) {
        int half = size >>> 1;
        while (k < half) {
            int child = 2 * k + 1;
            TimerEntry c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                c = heap[child = right];
            }
            if (!before(c, e)) {
                break;
            }
            heap[k] = c;
            k = child;
        }
        heap[k] = e;
    }
}
