package dev.rloop;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * Watches the loop's Java channels while the loop thread waits in Python's {@code select.select}
 * (as it must while Python code watches its own sockets with add_reader or the sock_* methods),
 * and wakes that wait when a channel becomes ready.
 *
 * <p>One platform thread per loop, started on first use, that blocks in {@link Selector#select()}
 * only between {@link #arm()} and {@link #disarm()}: the loop thread arms it before its
 * {@code select.select} and disarms it after, and {@code disarm} returns only once the watcher
 * has left the selector, so the two threads never use it at once. Selected keys stay in the
 * selector's selected-key set for the loop thread to collect.
 */
final class ChannelWatcher implements AutoCloseable {
    private final Selector selector;
    private final Runnable wakeLoop;
    private Thread thread;
    private boolean armed;
    private boolean selecting;
    private boolean closed;

    ChannelWatcher(Selector selector, Runnable wakeLoop) {
        this.selector = selector;
        this.wakeLoop = wakeLoop;
    }

    /** Starts watching (loop thread, before it blocks in Python). */
    synchronized void arm() {
        if (closed) {
            return;
        }
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("rloop-channel-watcher").start(this::run);
        }
        armed = true;
        notifyAll();
    }

    /** Stops watching and waits until the watcher is out of the selector (loop thread). */
    void disarm() {
        synchronized (this) {
            if (!armed && !selecting) {
                return;
            }
        }
        selector.wakeup();
        synchronized (this) {
            while (armed || selecting) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!armed && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                selecting = true;
            }
            try {
                selector.select();
                if (!selector.selectedKeys().isEmpty()) {
                    wakeLoop.run();
                }
            } catch (IOException | RuntimeException e) {
                // a closed selector ends the loop below; anything else: let the loop poll
                wakeLoop.run();
            } finally {
                synchronized (this) {
                    selecting = false;
                    armed = false;
                    notifyAll();
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        selector.wakeup();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
