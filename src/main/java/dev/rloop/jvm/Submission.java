package dev.rloop.jvm;

import java.util.concurrent.CompletableFuture;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * A coroutine (or coroutine function and arguments) Java handed to a running loop, and the Java
 * future its task completes. Java threads queue it; the loop thread starts the task, and the
 * task's end completes the future ({@code rloop.java}).
 */
public final class Submission {
    private final int id;
    private final Value target;
    private final Object[] args;
    private final CompletableFuture<Value> result = new CompletableFuture<>();

    Submission(int id, Value target, Object[] args) {
        this.id = id;
        this.target = target;
        this.args = args;
    }

    CompletableFuture<Value> result() {
        return result;
    }

    @HostAccess.Export
    public int id() {
        return id;
    }

    @HostAccess.Export
    public Value target() {
        return target;
    }

    @HostAccess.Export
    public Object[] args() {
        return args;
    }

    /** The task returned {@code value}. */
    @HostAccess.Export
    public void succeed(Value value) {
        result.complete(value);
    }

    /** The task raised: the future fails with the Python traceback as its message. */
    @HostAccess.Export
    public void fail(String traceback) {
        result.completeExceptionally(new PythonTaskException(traceback));
    }

    /** The task was cancelled in Python. */
    @HostAccess.Export
    public void cancelled() {
        result.cancel(false);
    }

    /** Whether Java cancelled the future (then the loop cancels the task). */
    @HostAccess.Export
    public boolean cancelRequested() {
        return result.isCancelled();
    }

    /** What a task's Python exception becomes in Java: its traceback is the message. */
    public static final class PythonTaskException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PythonTaskException(String traceback) {
            super(traceback);
        }
    }
}
