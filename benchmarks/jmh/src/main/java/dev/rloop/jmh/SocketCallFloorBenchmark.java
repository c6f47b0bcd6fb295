package dev.rloop.jmh;

import java.io.IOException;
import java.lang.foreign.Arena;
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

import dev.rloop.LoopCore;

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
 * the direct one is the kernel's floor.
 *
 * <p>The two {@code hop...} benchmarks add the wait in between, as the loop makes one per hop of
 * an echo: rloop's path ({@link LoopCore#waitFor} on the loop's {@code Selector}, which finds the
 * channel readable) against {@code epoll_wait} called directly on an epoll instance of its own
 * that watches the same descriptor, the way libuv, and so uvloop, waits. Their difference bounds
 * what a loop that made every system call itself, bypassing java.nio's channels and selector
 * alike, could save per hop. Reaching the descriptors needs
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
    private static final int ID = 1;
    private static final int EPOLLIN = 1;
    private static final int EPOLL_CTL_ADD = 1;
    /** {@code struct epoll_event} on x86-64 Linux: a 4-byte event mask, then 8 bytes of data, packed. */
    private static final int EPOLL_EVENT_SIZE = 12;
    private static final int MAX_EVENTS = 64;

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
    private ByteBuffer wrapped;
    private MethodHandle epollWait;
    private MethodHandle closeFd;
    private int epollFd = -1;
    private Arena arena;
    private MemorySegment events;

    @Setup
    public void open() throws Throwable {
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
        wrapped = ByteBuffer.wrap(message);
        // the loop's selector watches the channel for reads, as a transport's does
        connection.stream.setReading(true);
        if (dev.rloop.net.DirectPoll.unavailableReason() != null) {
            // the launcher's flags give the loop its direct poll; a fork without them would
            // measure the selector's path under the direct poll's name
            throw new IllegalStateException("no direct poll: " + dev.rloop.net.DirectPoll.unavailableReason());
        }
        openEpoll(linker);
    }

    /** An epoll instance of this benchmark's own that watches the loop's socket for reads. */
    private void openEpoll(Linker linker) throws Throwable {
        MethodHandle create = linker.downcallHandle(linker.defaultLookup().find("epoll_create1").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle ctl = linker.downcallHandle(linker.defaultLookup().find("epoll_ctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        // a wait that may block is not a critical call: the thread leaves Java as for any native call
        epollWait = linker.downcallHandle(linker.defaultLookup().find("epoll_wait").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        closeFd = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        arena = Arena.ofShared();
        events = arena.allocate((long) EPOLL_EVENT_SIZE * MAX_EVENTS, 8);
        epollFd = (int) create.invokeExact(0);
        if (epollFd < 0) {
            throw new IllegalStateException("epoll_create1 failed");
        }
        MemorySegment watch = arena.allocate(EPOLL_EVENT_SIZE, 8);
        watch.set(ValueLayout.JAVA_INT, 0, EPOLLIN);
        watch.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, ID);
        if ((int) ctl.invokeExact(epollFd, EPOLL_CTL_ADD, streamFd, watch) != 0) {
            throw new IllegalStateException("epoll_ctl failed");
        }
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
    public void close() throws Throwable {
        if (epollFd >= 0) {
            int ignored = (int) closeFd.invokeExact(epollFd);
        }
        if (arena != null) {
            arena.close();
        }
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

    /**
     * One hop as rloop makes it: the peer's write from a wrapped heap array (as
     * {@code StreamChannel.writeShared} sends), the loop's {@code waitFor}, which finds the
     * channel readable, and {@code StreamChannel.read}.
     */
    @Benchmark
    public int hopThroughLoopCore() throws IOException {
        wrapped.clear();
        while (wrapped.hasRemaining()) {
            connection.peer.write(wrapped);
        }
        long event = connection.core.waitFor(-1.0);
        if (event != ((long) ID << 5 | java.nio.channels.SelectionKey.OP_READ)) {
            throw new IllegalStateException("waitFor returned " + Long.toHexString(event));
        }
        return check(connection.stream.read(into, into.length));
    }

    /** The same hop with every call made directly: {@code send}, {@code epoll_wait}, {@code recv}. */
    @Benchmark
    public int hopThroughDirectCalls() throws Throwable {
        long sent = (long) send.invokeExact(peerFd, messageSegment, (long) SIZE, 0);
        if (sent != SIZE) {
            throw new IllegalStateException("send returned " + sent);
        }
        int ready = (int) epollWait.invokeExact(epollFd, events, MAX_EVENTS, -1);
        if (ready != 1 || events.get(ValueLayout.JAVA_LONG_UNALIGNED, 4) != ID) {
            throw new IllegalStateException("epoll_wait returned " + ready);
        }
        long n = (long) recv.invokeExact(streamFd, intoSegment, (long) into.length, 0);
        return check((int) n);
    }

    private int check(int received) {
        if (received != SIZE || into[SIZE - 1] != message[SIZE - 1]) {
            throw new IllegalStateException("read " + received + " bytes of " + SIZE + ", or the wrong ones");
        }
        return received;
    }
}
