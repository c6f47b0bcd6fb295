package dev.rloop.jmh;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

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
 * How much of a loopback hop is the JDK's and how much the kernel's: one 100-byte message (the
 * echo workloads' size) sent by the peer and read by the loop's side of the same connection,
 * once through rloop's path (the peer's NIO write, {@code StreamChannel.read} into the loop's
 * {@code byte[]}) and once with the same two system calls made directly, {@code send} and
 * {@code recv} through the FFM API on the two sockets' descriptors, reading straight into the
 * {@code byte[]} (a critical downcall may take a heap segment).
 *
 * <p>Why: an echo round trip is two such hops, and uvloop makes its system calls directly. The
 * difference between the two benchmarks is what a loop that bypassed java.nio's channel layers
 * (locks, blocking-mode checks, the copy through a temporary direct buffer) could save per hop;
 * the direct one is the kernel's floor. Reaching the descriptors needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, which the fork is given.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 2, jvmArgsAppend = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SocketCallFloorBenchmark {
    private static final int SIZE = 100;

    private LoopConnection connection;
    private final byte[] into = new byte[256 * 1024];
    private final byte[] message = new byte[SIZE];
    private ByteBuffer outgoing;
    private MethodHandle send;
    private MethodHandle recv;
    private int peerFd;
    private int streamFd;
    private MemorySegment intoSegment;
    private MemorySegment messageSegment;

    @Setup
    public void open() throws Exception {
        connection = new LoopConnection(1);
        for (int i = 0; i < SIZE; i++) {
            message[i] = (byte) i;
        }
        outgoing = ByteBuffer.allocateDirect(SIZE).put(message).flip();
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor io = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
        Linker.Option heap = Linker.Option.critical(true);
        send = linker.downcallHandle(linker.defaultLookup().find("send").orElseThrow(), io, heap);
        recv = linker.downcallHandle(linker.defaultLookup().find("recv").orElseThrow(), io, heap);
        peerFd = fd(connection.peer);
        // the loop's side: the SocketChannel inside rloop's StreamChannel
        streamFd = fd(streamSocket(connection));
        intoSegment = MemorySegment.ofArray(into);
        messageSegment = MemorySegment.ofArray(message);
    }

    private static int fd(SocketChannel channel) throws ReflectiveOperationException {
        Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        return (int) getFdVal.invoke(channel);
    }

    private static SocketChannel streamSocket(LoopConnection c) throws ReflectiveOperationException {
        for (Class<?> k = c.stream.getClass(); k != null; k = k.getSuperclass()) {
            for (var f : k.getDeclaredFields()) {
                if (SocketChannel.class.isAssignableFrom(f.getType())
                        || f.getType() == java.nio.channels.SelectableChannel.class) {
                    f.setAccessible(true);
                    if (f.get(c.stream) instanceof SocketChannel s) {
                        return s;
                    }
                }
            }
        }
        throw new IllegalStateException("no SocketChannel inside " + c.stream.getClass());
    }

    @TearDown
    public void close() throws IOException {
        connection.close();
    }

    /** The peer's NIO write, then rloop's {@code StreamChannel.read} until the message is in. */
    @Benchmark
    public int throughJavaNio() throws IOException {
        outgoing.rewind();
        while (outgoing.hasRemaining()) {
            connection.peer.write(outgoing);
        }
        int received = 0;
        while (received < SIZE) {
            int n = connection.stream.read(into, into.length);
            if (n < 0) {
                throw new IllegalStateException("read returned " + n);
            }
            received += n;
        }
        return check(received);
    }

    /** The same two system calls, {@code send} and {@code recv}, made directly. */
    @Benchmark
    public int directSystemCalls() throws Throwable {
        long sent = (long) send.invokeExact(peerFd, messageSegment, (long) SIZE, 0);
        if (sent != SIZE) {
            throw new IllegalStateException("send returned " + sent);
        }
        int received = 0;
        while (received < SIZE) {
            long n = (long) recv.invokeExact(streamFd, intoSegment, (long) into.length, 0);
            if (n < 0) {
                continue;  // EAGAIN: loopback delivery not visible yet
            }
            received += (int) n;
        }
        return check(received);
    }

    private int check(int received) {
        if (received != SIZE || into[SIZE - 1] != message[SIZE - 1]) {
            throw new IllegalStateException("read " + received + " bytes of " + SIZE + ", or the wrong ones");
        }
        return received;
    }
}
