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
 * to write to here. The dispatcher thread only queues the Python handle on the loop (a thread-safe
 * call) and never runs Python code itself. The previous JVM handler is kept and put back when the
 * loop removes its handler, so GraalPy's own SIGINT handling (KeyboardInterrupt) returns.
 */
public final class SignalBridge {
    private static final Map<Integer, SignalHandler> PREVIOUS = new HashMap<>();
    private static final Map<Integer, LoopCore> OWNER = new HashMap<>();

    private SignalBridge() {
    }

    /**
     * Routes signal {@code name} (for example "INT") to {@code core}, which will run
     * {@code handle} on its own thread each time the signal arrives.
     *
     * @throws IllegalArgumentException when the JVM or the OS does not let the signal be caught
     */
    public static synchronized void install(int number, String name, LoopCore core, Value handle) {
        SignalHandler ours = sig -> core.callSoonThreadsafe(handle);
        SignalHandler previous = Signal.handle(new Signal(name), ours);
        if (!OWNER.containsKey(number)) {
            PREVIOUS.put(number, previous);
        }
        OWNER.put(number, core);
    }

    /** Puts back the handler that was in place before the first {@link #install}. */
    public static synchronized void uninstall(int number, String name) {
        SignalHandler previous = PREVIOUS.remove(number);
        OWNER.remove(number);
        if (previous != null) {
            Signal.handle(new Signal(name), previous);
        }
    }
}
