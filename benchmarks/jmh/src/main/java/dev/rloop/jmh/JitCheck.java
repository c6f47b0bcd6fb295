package dev.rloop.jmh;

import org.graalvm.polyglot.Engine;

/**
 * Refuses to measure GraalPy interpreted. Without the Graal compiler on the upgrade module path
 * and JVMCI on (benchmarks/jmh/run passes the launcher's flags, and JMH hands them on to its
 * forks), Truffle falls back to its interpreted runtime and Python code runs 10-100x slower: a
 * number from such a run would say nothing about rloop.
 */
final class JitCheck {
    private JitCheck() {
    }

    /** Prints Truffle's runtime name and fails when it is the interpreted fallback. */
    static void requireCompilingRuntime(Engine engine) {
        // Engine.getImplementationName() is Truffle.getRuntime().getName(): "GraalVM CE" with the
        // optimizing runtime, "Interpreted" without
        String runtime = engine.getImplementationName();
        System.out.println("GraalPy runtime: " + runtime);
        if (runtime.contains("Interpreted")) {
            throw new IllegalStateException("GraalPy runs interpreted (Truffle runtime \"" + runtime
                + "\"): the JIT flags did not reach this JVM; run through benchmarks/jmh/run");
        }
    }
}
