package dev.rloop.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;

import dev.rloop.LoopCore;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loop's poll: {@link LoopCore#waitFor waitFor(0)} (a {@code selectNow} when channels are
 * registered), which returns the first event, as an iteration with callbacks ready does; with one
 * readable channel, with one idle channel, and with no channel. One event comes without
 * {@link LoopCore#MORE}, so the loop makes no {@link LoopCore#nextEvent} call after it.
 *
 * <p>Why: a busy loop polls once per iteration, so this is a fixed cost of every iteration that
 * has networking; the no-channel case is the loop that never opened a socket, which must not
 * make a syscall. The ready channel stays readable: the byte its peer sent is never read.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LoopWaitBenchmark {
    private static final int ID = 7;

    /** A loop with one channel that reads (OP_READ set); {@code readable}: its peer has sent a byte. */
    static LoopConnection oneChannel(boolean readable) throws IOException {
        LoopConnection connection = new LoopConnection(ID);
        connection.stream.setReading(true);
        if (readable) {
            connection.peer.write(ByteBuffer.wrap(new byte[] {42}));
            // the byte is in the channel's socket once a wait sees it
            long deadline = System.nanoTime() + 5_000_000_000L;
            long event;
            while ((event = connection.core.waitFor(0.01)) == -1) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the peer's byte never made the channel readable");
                }
            }
            while ((event & LoopCore.MORE) != 0) {
                event = connection.core.nextEvent(); // drained: each benchmark call polls afresh
            }
        }
        return connection;
    }

    @State(Scope.Thread)
    public static class ReadableChannel {
        LoopConnection connection;

        @Setup
        public void open() throws IOException {
            connection = oneChannel(true);
        }

        @TearDown
        public void close() throws IOException {
            connection.close();
        }
    }

    @State(Scope.Thread)
    public static class IdleChannel {
        LoopConnection connection;

        @Setup
        public void open() throws IOException {
            connection = oneChannel(false);
        }

        @TearDown
        public void close() throws IOException {
            connection.close();
        }
    }

    @State(Scope.Thread)
    public static class NoChannel {
        LoopCore core;

        @Setup
        public void open() {
            core = new LoopCore();
        }

        @TearDown
        public void close() {
            core.close();
        }
    }

    @Benchmark
    public long readableChannel(ReadableChannel s) {
        LoopCore core = s.connection.core;
        long event = core.waitFor(0);
        if (event != ((long) ID << 5 | SelectionKey.OP_READ)) {
            throw new IllegalStateException("expected one read event and no more, got " + event);
        }
        return event;
    }

    @Benchmark
    public long idleChannel(IdleChannel s) {
        return pollNothing(s.connection.core);
    }

    @Benchmark
    public long noChannel(NoChannel s) {
        return pollNothing(s.core);
    }

    private static long pollNothing(LoopCore core) {
        long event = core.waitFor(0);
        if (event != -1) {
            throw new IllegalStateException("expected nothing ready, got event " + event);
        }
        return event;
    }
}
