package dev.rloop.jmh;

import java.util.concurrent.TimeUnit;

import dev.rloop.LoopCore;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of crossing between Python and Java in a real GraalPy context (the JIT on), per call:
 *
 * <ul>
 * <li>{@code javaToPython}: {@link Value#execute} of a one-line Python function from Java, as the
 *     first design ran every callback (about 1 us then: entering the context and taking the GIL
 *     each time). rloop's loop never does this per callback, which is why its iterations are Python.
 * <li>{@code pythonToJavaStatic}: Python calling a static Java method through {@code java.type},
 *     member lookup included, in a Python loop.
 * <li>{@code pythonToLoopCore}: Python calling an exported {@link LoopCore} method on a host object
 *     ({@code core.nextEvent()}, which returns -1 when nothing is ready): the kind of call the
 *     loop makes to wait and to fetch I/O events.
 * <li>{@code pythonToPython}: the same loop calling a Python function, the baseline the two above
 *     are to be read against.
 * </ul>
 *
 * The Python loops run {@value #CALLS} calls per invocation and JMH divides by that. GraalPy
 * compiles late on 2 cores (docs/ARCHITECTURE.md: seconds per compilation, behind the queue of
 * start-up code): on a busy 2-core machine {@code call_python} ran at 27 us a call for the first
 * 2 s, 3.5 us at 12 s, and 1 ns (its callee inlined) only from about 16 s on, hence the 40 s
 * warm-up. Check that the warm-up iterations have settled before trusting a score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 20, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class PythonInteropBenchmark {
    static final int CALLS = 1000;

    private static final String PROGRAM = String.join("\n",
        "import java",
        "HostTarget = java.type('dev.rloop.jmh.HostTarget')",
        "def inc(x):",
        "    return x + 1",
        "def add(a, b):",
        "    return a + b",
        "def call_java(n):",
        "    s = 0",
        "    for i in range(n):",
        "        s = HostTarget.add(s, i)",
        "    return s",
        "def call_python(n):",
        "    s = 0",
        "    for i in range(n):",
        "        s = add(s, i)",
        "    return s",
        "def call_core(core, n):",
        "    s = 0",
        "    for i in range(n):",
        "        s += core.nextEvent()",
        "    return s",
        "");

    /** 0 + 1 + ... + (CALLS - 1): what both summing loops must return. */
    private static final long SUM = (long) CALLS * (CALLS - 1) / 2;

    private Engine engine;
    private Context context;
    private Value inc;
    private Value callJava;
    private Value callPython;
    private Value callCore;
    private LoopCore core;
    private int counter;

    @Setup(Level.Trial)
    public void start() {
        engine = Engine.newBuilder("python").option("engine.WarnInterpreterOnly", "false").build();
        JitCheck.requireCompilingRuntime(engine);
        context = Context.newBuilder("python").engine(engine).allowAllAccess(true).build();
        context.eval(Source.create("python", PROGRAM));
        Value globals = context.getBindings("python");
        inc = globals.getMember("inc");
        callJava = globals.getMember("call_java");
        callPython = globals.getMember("call_python");
        callCore = globals.getMember("call_core");
        core = new LoopCore();
    }

    @TearDown(Level.Trial)
    public void stop() {
        core.close();
        context.close();
        engine.close();
    }

    @Benchmark
    public int javaToPython() {
        int x = counter++;
        int r = inc.execute(x).asInt();
        if (r != x + 1) {
            throw new IllegalStateException("inc(" + x + ") returned " + r);
        }
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long pythonToJavaStatic() {
        return checkSum(callJava.execute(CALLS).asLong());
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long pythonToPython() {
        return checkSum(callPython.execute(CALLS).asLong());
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long pythonToLoopCore() {
        long s = callCore.execute(core, CALLS).asLong();
        if (s != -CALLS) {
            throw new IllegalStateException("nextEvent() summed to " + s + ", not " + -CALLS);
        }
        return s;
    }

    private static long checkSum(long s) {
        if (s != SUM) {
            throw new IllegalStateException("the loop summed to " + s + ", not " + SUM);
        }
        return s;
    }
}
