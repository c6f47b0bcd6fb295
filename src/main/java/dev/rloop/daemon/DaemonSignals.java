package dev.rloop.daemon;

import java.util.List;

import dev.rloop.SignalBridge;

import sun.misc.Signal;

/**
 * Signals in the daemon. The command receives the signals meant for the program (a terminal's
 * Ctrl-C, a supervisor's SIGTERM) and forwards them; the daemon raises each in its own JVM, so
 * that whatever the program installed handles it exactly as in a JVM of its own: GraalPy's SIGINT
 * handler (KeyboardInterrupt), {@code signal.signal}, {@code loop.add_signal_handler}. A signal
 * the program installed nothing for reaches the daemon's handler, which does what the signal's
 * default action would: end the program, and the command by that signal. Between programs
 * the daemon's handlers are put back, so nothing one program installed reaches the next.
 */
final class DaemonSignals {
    /** What the command forwards: the signals the JVM lets a program catch whose default is to end it. */
    static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1");

    private static volatile ProgramRun current;
    private static volatile Runnable whenIdle = () -> { };

    private DaemonSignals() {
    }

    /** What a signal does while no program runs (one sent to the daemon itself): stop it. */
    static void whenIdle(Runnable action) {
        whenIdle = action;
    }

    /** Installs the daemon's handlers (again, after a program), forgetting what programs installed. */
    static void reset() {
        current = null;
        for (String name : FORWARDED) {
            Signal.handle(new Signal(name), DaemonSignals::defaultAction);
        }
        SignalBridge.forgetPrevious();
    }

    static void running(ProgramRun run) {
        current = run;
    }

    /** A signal forwarded by the command, raised here for the program's handlers. */
    static void deliver(String name) {
        if (FORWARDED.contains(name)) {
            Signal.raise(new Signal(name));
        }
    }

    private static void defaultAction(Signal signal) {
        ProgramRun run = current;
        if (run != null) {
            run.terminate(-signal.getNumber());
        } else {
            whenIdle.run();
        }
    }
}
