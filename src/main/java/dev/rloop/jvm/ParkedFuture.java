package dev.rloop.jvm;

/**
 * The Python future a loop-side reader parks on until another thread has something for it
 * ({@link PublisherItems}, {@link GeneratorPublisher}): parking records its token, and the first
 * {@link #wake()} after that completes it through {@link JavaCompletions}, once.
 *
 * <p>Callers check their condition and park while holding this object's lock, and the other
 * side changes the condition before it calls {@code wake()}, so a wake-up is never lost between
 * the check and the park.
 */
final class ParkedFuture {
    private final JavaCompletions completions;
    private int token; // guarded by this

    ParkedFuture(JavaCompletions completions) {
        this.completions = completions;
    }

    synchronized void park(int token) {
        this.token = token;
    }

    /** Completes the parked future, if any (any thread). */
    void wake() {
        int t;
        synchronized (this) {
            t = token;
            token = 0;
        }
        if (t != 0) {
            completions.signal(t);
        }
    }
}
