package dev.rloop.process;

import java.util.List;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ends this process the way a signal's default action ends one, so that its parent sees "killed
 * by signal N" ({@code returncode == -N} in Python's subprocess, {@code WIFSIGNALED} in C), as it
 * would for {@code python}: CPython dies by SIGTERM or SIGHUP when no handler is installed, and
 * re-raises SIGINT after an uncaught KeyboardInterrupt. A JVM instead exits with 128 + N from its
 * own handlers, which supervisors and shells read as an ordinary exit.
 *
 * <p>{@code Signal.raise} refuses a signal whose handler is the default one ("Unhandled signal"),
 * so the default disposition is put back and the signal is sent with {@code kill(2)}.
 */
public final class SignalDeath {
    /** Signals a program may be ended by that the JVM lets a handler be set for. */
    private static final List<String> CATCHABLE = List.of("HUP", "INT", "TERM", "USR1", "USR2", "ALRM", "PIPE");

    /** The signals whose default action ends a process and which the JVM turns into an exit. */
    private static final List<String> JVM_EXITS = List.of("TERM", "HUP");

    private SignalDeath() {
    }

    /**
     * Makes SIGTERM and SIGHUP end this JVM by the signal, not with exit status 128 + N, while the
     * program has installed nothing for them (GraalPy reports this handler as {@code SIG_DFL} and
     * puts it back for {@code signal.signal(n, SIG_DFL)}). A signal this process inherited as
     * ignored stays ignored, as CPython leaves it.
     */
    public static void installDefaultActions() {
        for (String name : JVM_EXITS) {
            Signal signal = new Signal(name);
            try {
                SignalHandler previous = Signal.handle(signal, s -> die(s.getNumber()));
                if (previous == SignalHandler.SIG_IGN) {
                    Signal.handle(signal, SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException reserved) {
                // the JVM keeps this one (started with -Xrs): its own exit stays
            }
        }
    }

    /**
     * Exits with {@code status}, where a negative status {@code -N} means "killed by signal N", as
     * in {@code subprocess}: standard output and error are flushed first in both cases.
     */
    public static void exit(int status) {
        if (status < 0) {
            die(-status);
        }
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /**
     * Ends this process by signal {@code number}'s default action. Only if that cannot be done (a
     * signal the JVM reserves, or one this process ignores) does it exit with 128 + N instead.
     */
    public static void die(int number) {
        System.out.flush();
        System.err.flush();
        try {
            for (String name : CATCHABLE) {
                Signal signal = new Signal(name);
                if (signal.getNumber() == number) {
                    Signal.handle(signal, SignalHandler.SIG_DFL);
                }
            }
            PosixKill.kill(ProcessHandle.current().pid(), number);
            // delivery is asynchronous: give the kernel a moment before the fallback below
            Thread.sleep(1000);
        } catch (IllegalArgumentException | InterruptedException notThisOne) {
            // reserved by the JVM, or no such signal here
        }
        Runtime.getRuntime().halt(128 + number);
    }
}
