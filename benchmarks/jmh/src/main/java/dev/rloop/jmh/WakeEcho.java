package dev.rloop.jmh;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A wake-up ping-pong between the benchmark thread and a loop thread: the benchmark thread asks
 * and wakes the loop ({@code toLoop}), the loop thread, woken, answers and wakes the benchmark
 * thread back ({@code toBench}). A round trip is two cross-thread wake-ups, each of a thread that
 * is blocked waiting (on 2 cores the loop thread is nearly always back in its wait before the
 * next request). Requests and answers are counted, so a spurious or stale wake-up makes the
 * waiter wait again instead of being counted, and a lost one fails after 5 s instead of hanging.
 */
final class WakeEcho implements AutoCloseable {
    private final WakeRoute toLoop;
    private final WakeRoute toBench;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private volatile boolean running = true;
    private final Thread loop;

    WakeEcho(WakeRoute toLoop, WakeRoute toBench) {
        this.toLoop = toLoop;
        this.toBench = toBench;
        this.loop = Thread.ofPlatform().daemon().name("rloop-jmh-loop").start(this::answer);
    }

    private void answer() {
        long served = 0;
        while (running) {
            toLoop.await(1.0);
            long asked = requested.get();
            if (asked > served) {
                served = asked;
                answered.set(asked);
                toBench.wake();
            }
        }
    }

    /** One request and its answer; returns the request's number. */
    long roundTrip() {
        long want = requested.incrementAndGet();
        toLoop.wake();
        long deadline = 0;
        while (answered.get() < want) {
            toBench.await(1.0);
            if (answered.get() >= want) {
                break;
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + 5_000_000_000L;
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("wake-up " + want + " was not answered in 5 s");
            }
        }
        return want;
    }

    @Override
    public void close() throws IOException {
        running = false;
        toLoop.wake();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        toLoop.close();
        toBench.close();
    }
}
