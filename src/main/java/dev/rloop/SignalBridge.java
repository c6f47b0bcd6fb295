package dev.rloop;

import java.util.HashMap;
import java.util.Map;

import org.graalvm.polyglot.Value;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Delivers OS signals to loops through the JVM's signal dispatcher ({@code sun.misc.Signal}).
 *
 * <p>The JVM owns the process's signal handlers; Python's {@code signal.set_wakeup_fd} has nothing
 * to write to here. The dispatcher (a platform thread) calls the loop's Python
 * {@code _add_callback_signalsafe(handle)}, which queues the handle and wakes the loop; the
 * callback itself runs on the loop thread. The previous JVM handler is kept and put back when the
 * loop removes its handler, so GraalPy's own SIGINT handling (KeyboardInterrupt) returns.
 */
public final class SignalBridge {
    private static final Map<Integer, SignalHandler> PREVIOUS = new HashMap<>();

    private SignalBridge() {
    }

    /**
     * Routes signal {@code name} (for example "INT") to {@code deliver}, called with no arguments
     * on the JVM's signal dispatcher thread each time the signal arrives.
     *
     * @throws IllegalArgumentException when the JVM or the OS does not let the signal be caught
     */
    public static synchronized void install(int number, String name, Value deliver) {
        SignalHandler previous = Signal.handle(new Signal(name), sig -> deliver.executeVoid());
        PREVIOUS.putIfAbsent(number, previous);
    }

    /** Puts back the handler that was in place before the first {@link #install}. */
    public static synchronized void uninstall(int number, String name) {
        SignalHandler previous = PREVIOUS.remove(number);
        if (previous != null) {
            Signal.handle(new Signal(name), previous);
        }
    }

    /**
     * Forgets the handlers recorded by {@link #install}: the launcher's daemon puts its own
     * handlers back after each program, and those are what the next program's loop must restore.
     */
    public static synchronized void forgetPrevious() {
        PREVIOUS.clear();
    }
}
