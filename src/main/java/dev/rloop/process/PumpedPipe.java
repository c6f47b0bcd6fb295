package dev.rloop.process;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

import org.graalvm.polyglot.HostAccess;

import dev.rloop.LoopCore;

/**
 * What {@link ReadPipe} and {@link WritePipe} share: a blocking Java stream pumped by a virtual
 * thread, registered with the loop under an id, and the one event the pump posts
 * ({@link LoopCore#post}) until the loop has acted on it.
 */
public abstract class PumpedPipe {
    private final LoopCore core;
    private final int id;
    private final int op;
    /** Guards the subclass's queue and the fields here. */
    final ReentrantLock lock = new ReentrantLock();
    boolean closed;
    private boolean posted;
    private volatile int errno;

    PumpedPipe(LoopCore core, int id, int op) {
        this.core = core;
        this.id = id;
        this.op = op;
    }

    /** Starts {@code pump} on a virtual thread of its own: Java only, never Python. */
    final void startPump(String name, Runnable pump) {
        Thread.ofVirtual().name("rloop-pipe-" + name).start(pump);
    }

    @HostAccess.Export
    public final int id() {
        return id;
    }

    /** The errno of the failure that ended the pump, or 0. */
    @HostAccess.Export
    public final int errno() {
        return errno;
    }

    final void failed(int errnoValue) {
        errno = errnoValue;
    }

    /** Holding the lock: posts the pipe's event, once until {@link #acted()}. */
    final void post() {
        if (!posted) {
            posted = true;
            core.post(id, op);
        }
    }

    /** Holding the lock: the loop is handling the event, so the next change posts again. */
    final void acted() {
        posted = false;
    }

    /**
     * Closes {@code stream} on a virtual thread, not the loop's: closing a process's pipe may
     * block while the pump is inside a read or write of it.
     */
    static void closeLater(Closeable stream) {
        Thread.ofVirtual().name("rloop-pipe-close").start(() -> closeQuietly(stream));
    }

    static void closeQuietly(Closeable stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // the other end has gone: nothing left to tell the program
        }
    }
}
