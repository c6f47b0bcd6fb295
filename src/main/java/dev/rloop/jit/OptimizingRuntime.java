package dev.rloop.jit;

import java.util.function.Consumer;
import java.util.function.Supplier;

import com.oracle.truffle.api.Truffle;
import com.oracle.truffle.api.TruffleRuntime;
import com.oracle.truffle.compiler.TruffleCompilable;
import com.oracle.truffle.runtime.AbstractCompilationTask;
import com.oracle.truffle.runtime.OptimizedCallTarget;
import com.oracle.truffle.runtime.OptimizedTruffleRuntime;

/**
 * What the repairs in this package share: the check before a listener is installed, and the walk
 * over a compilation's inlined targets.
 */
final class OptimizingRuntime {
    private OptimizingRuntime() {
    }

    /** A repair's installation, tried once per JVM: its answer is null when installed, else why not. */
    static final class Once {
        private final Supplier<String> attempt;
        private String status;

        /** {@code attempt} installs the repair and returns "" or why it could not. */
        Once(Supplier<String> attempt) {
            this.attempt = attempt;
        }

        synchronized String answer() {
            if (status == null) {
                status = attempt.get();
            }
            return status.isEmpty() ? null : status;
        }
    }

    /** Why a repair is not installed: it was switched off, or there is nothing compiled to repair. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Hands {@code note} each target a finished compilation inlined: such a target runs in its
     * caller's code and may never be compiled on its own, so a repair sees it only here.
     */
    static void forEachInlined(AbstractCompilationTask task, Consumer<OptimizedCallTarget> note) {
        for (TruffleCompilable inlined : task.inlinedTargets()) {
            if (inlined instanceof OptimizedCallTarget target) {
                note.accept(target);
            }
        }
    }

    /**
     * The JVM's optimizing Truffle runtime, unless the repair is switched off by the environment
     * variable {@code env} set to 0 or the system property {@code property} set to false.
     */
    static OptimizedTruffleRuntime forRepair(String env, String property) throws Unavailable {
        if ("0".equals(System.getenv(env)) || "false".equals(System.getProperty(property))) {
            throw new Unavailable("turned off");
        }
        TruffleRuntime runtime;
        try {
            runtime = Truffle.getRuntime();
        } catch (RuntimeException | LinkageError e) {
            throw new Unavailable("no Truffle runtime: " + e);
        }
        try {
            if (runtime instanceof OptimizedTruffleRuntime optimized) {
                return optimized;
            }
        } catch (LinkageError e) {
            // IllegalAccessError when Truffle's runtime package is not even exported to rloop
            throw new Unavailable("Truffle's runtime is out of rloop's reach: " + e);
        }
        throw new Unavailable("Truffle runs interpreted (" + runtime.getName() + "): nothing is compiled");
    }
}
