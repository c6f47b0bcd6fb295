package dev.rloop.jvm;

import org.graalvm.polyglot.HostAccess;

/**
 * A Java outcome the loop thread turns into a Python one: the result or failure of a Java future
 * (or of a blocking call on a virtual thread) that a Python future with {@code token} awaits.
 */
public record Completion(int token, Object value, Throwable error, boolean cancelled) {
    @HostAccess.Export
    public int token() {
        return token;
    }

    @HostAccess.Export
    public Object value() {
        return value;
    }

    /** The failure, with a {@code CompletionException}/{@code ExecutionException} wrapper removed. */
    @HostAccess.Export
    public Throwable error() {
        return error;
    }

    @HostAccess.Export
    public boolean cancelled() {
        return cancelled;
    }

    /** "java.lang.IllegalStateException: boom", for the Python exception's message. */
    @HostAccess.Export
    public String describeError() {
        return error == null ? null : error.toString();
    }
}
