package dev.rloop.jmh;

/** The Java side of {@link PythonInteropBenchmark}'s Python-to-Java calls. */
public final class HostTarget {
    private HostTarget() {
    }

    /** Trivial, so that the call is what costs. */
    public static long add(long a, long b) {
        return a + b;
    }
}
