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
 * A stream transport's receive path on the Java side: the peer sends {@code size} bytes over a real
 * 127.0.0.1 connection and {@link dev.rloop.net.StreamChannel#read(byte[], int)} takes them into
 * the loop's receive buffer until all have arrived.
 *
 * <p>Why: every {@code data_received} of a transport starts with this call, so it bounds what a
 * stream can deliver per read; the rest of the read (Python's interop call into it and the
 * {@code bytes} copy handed to the protocol) is Python's and is measured by the Python benchmarks
 * and {@link PythonInteropBenchmark}. The buffer is a plain {@code byte[]} of the size of
 * {@code rloop._buffers.ReadBuffer}, the type {@code polyglot.storage} hands Java for a Python
 * {@code bytearray}. The peer's send is part of each operation (a read needs data), done with
 * plain NIO as a client on the other end would.
 *
 * <p>{@code directCalls} picks the channel's route to the socket: {@code recv} called directly
 * through the FFM API ({@link dev.rloop.net.DirectSocketCalls}, the default) or java.nio's
 * {@code SocketChannel.read}. {@link #readFindsNothing} isolates what the route costs: a read of
 * an empty socket, the cheapest system call a read makes, as a loop makes when it looks before
 * data has come.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 2, jvmArgsAppend = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChannelReadBenchmark {
    /** rloop._buffers.ReadBuffer.SIZE: the most one read hands to a protocol. */
    private static final int READ_BUFFER_SIZE = 256 * 1024;

    @Param({"1024", "65536"})
    public int size;

    @Param({"true", "false"})
    public String directCalls;

    private LoopConnection connection;
    private final byte[] into = new byte[READ_BUFFER_SIZE];
    private ByteBuffer outgoing;

    @Setup
    public void open() throws IOException {
        System.setProperty("rloop.directSocketCalls", directCalls);
        connection = new LoopConnection(1);
        outgoing = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            outgoing.put(i, (byte) i);
        }
    }

    @TearDown
    public void close() throws IOException {
        connection.close();
    }

    /** One message: the peer sends it (in parts if the socket takes less), the channel reads it all. */
    @Benchmark
    public int peerSendsChannelReads() throws IOException {
        outgoing.clear();
        int received = 0;
        int last = 0;
        while (received < size) {
            if (outgoing.hasRemaining()) {
                connection.peer.write(outgoing);
            }
            int n = connection.stream.read(into, into.length);
            if (n < 0) {
                throw new IllegalStateException("read returned " + n + " (errno " + connection.stream.errno() + ")");
            }
            if (n > 0) {
                received += n;
                last = n;
            }
        }
        // the last byte read must be the message's last byte: nothing lost, nothing extra
        if (received != size || into[last - 1] != (byte) (size - 1)) {
            throw new IllegalStateException("read " + received + " bytes of " + size + ", or the wrong ones");
        }
        return received;
    }

    /** A read of the connection with nothing sent: the route around the system call. */
    @Benchmark
    public int readFindsNothing() {
        int n = connection.stream.read(into, into.length);
        if (n != 0) {
            throw new IllegalStateException("read of an empty socket returned " + n);
        }
        return n;
    }
}
