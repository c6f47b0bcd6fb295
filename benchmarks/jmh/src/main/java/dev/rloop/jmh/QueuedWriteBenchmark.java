package dev.rloop.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A transport write larger than the socket takes: {@link dev.rloop.net.StreamChannel#write(byte[],
 * int)} sends what fits, copies the remainder into its Java write queue and reports it pending;
 * then {@link dev.rloop.net.StreamChannel#flush()} drains the queue as the peer reads, until
 * nothing is pending and the peer has every byte.
 *
 * <p>Why: this is the path of every write that meets back-pressure (bulk transfers, slow readers),
 * including the copy rloop makes because the Python object may change after write() returns. The
 * socket buffers are made small (32 KiB each way) so that the write is queued every time; the
 * benchmark fails if the socket ever takes the whole write at once. The loop would flush on a
 * writable event; here flush is called after each read of the peer, without the selector
 * round trip ({@link LoopWaitBenchmark} measures that).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueuedWriteBenchmark {
    private static final int SOCKET_BUFFER = 32 * 1024;

    @Param({"262144"})
    public int size;

    private LoopConnection connection;
    private byte[] data;
    private final ByteBuffer received = ByteBuffer.allocateDirect(256 * 1024);

    @Setup
    public void open() throws IOException {
        connection = new LoopConnection(1);
        if (connection.stream.setOption("SO_SNDBUF", SOCKET_BUFFER) != 0) {
            throw new IOException("SO_SNDBUF: errno " + connection.stream.errno());
        }
        connection.peer.setOption(java.net.StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
        data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) i;
        }
    }

    @TearDown
    public void close() throws IOException {
        connection.close();
    }

    @Benchmark
    public long writeQueuedThenDrained() throws IOException {
        long pending = connection.stream.write(data, size);
        if (pending <= 0) {
            throw new IllegalStateException(pending == 0
                ? "the socket took all " + size + " bytes: nothing was queued, so this measured no queue"
                : "write failed, errno " + connection.stream.errno());
        }
        long queued = pending;
        long got = 0;
        byte lastByte = 0;
        while (got < size) {
            received.clear();
            int n = connection.peer.read(received);
            if (n > 0) {
                got += n;
                lastByte = received.get(n - 1);
            }
            if (pending > 0) {
                pending = connection.stream.flush();
                if (pending < 0) {
                    throw new IllegalStateException("flush failed, errno " + connection.stream.errno());
                }
            }
        }
        if (got != size || pending != 0 || lastByte != (byte) (size - 1)) {
            throw new IllegalStateException("peer got " + got + " of " + size + " bytes, " + pending + " pending");
        }
        return queued;
    }
}
