package dev.rloop.jmh;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cross-thread wake-up behind {@code call_soon_threadsafe} ({@code LoopCore.wakeup}), by the
 * two routes the loop waits on: its Java selector, and the wake channel used while it waits in
 * Python's {@code select.select}.
 *
 * <ul>
 * <li>{@code roundTrip*}: latency, as a ping-pong of two wake-ups between blocked threads (halve it
 *     for one wake, give or take the asymmetry); this is what a thread handing work to the loop
 *     waits before the loop runs it.
 * <li>{@code wakeWhilePending*}: a wake-up when one is already pending and the loop is not
 *     sleeping (it is busy, or the wake has not been consumed): what every further
 *     {@code call_soon_threadsafe} in a burst pays, which must stay a few volatile accesses.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class WakeupBenchmark {

    @State(Scope.Thread)
    public static class SelectorPingPong {
        WakeEcho echo;

        @Setup
        public void start() {
            echo = new WakeEcho(WakeRoute.selector(), WakeRoute.selector());
        }

        @TearDown
        public void stop() throws IOException {
            echo.close();
        }
    }

    @State(Scope.Thread)
    public static class PythonChannelPingPong {
        WakeEcho echo;

        @Setup
        public void start() throws IOException {
            echo = new WakeEcho(WakeRoute.pythonChannel(), WakeRoute.pythonChannel());
        }

        @TearDown
        public void stop() throws IOException {
            echo.close();
        }
    }

    /** A loop nobody waits on; each iteration checks that the wake-ups it took are still pending. */
    public abstract static class Pending {
        WakeRoute route;

        @TearDown(Level.Iteration)
        public void checkStillPending() {
            long start = System.nanoTime();
            route.await(2.0);
            if (System.nanoTime() - start > 1_000_000_000L) {
                throw new IllegalStateException("the loop slept through its pending wake-up");
            }
        }

        @TearDown
        public void close() throws IOException {
            route.close();
        }
    }

    @State(Scope.Thread)
    public static class SelectorPending extends Pending {
        @Setup
        public void open() {
            route = WakeRoute.selector();
        }
    }

    @State(Scope.Thread)
    public static class PythonChannelPending extends Pending {
        @Setup
        public void open() throws IOException {
            route = WakeRoute.pythonChannel();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long roundTripSelector(SelectorPingPong s) {
        return s.echo.roundTrip();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long roundTripPythonChannel(PythonChannelPingPong s) {
        return s.echo.roundTrip();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void wakeWhilePendingSelector(SelectorPending s) {
        s.route.wake();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void wakeWhilePendingPythonChannel(PythonChannelPending s) {
        s.route.wake();
    }
}
