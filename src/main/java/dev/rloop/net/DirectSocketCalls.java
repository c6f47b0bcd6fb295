package dev.rloop.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@code recv} and {@code send} on a stream socket's descriptor, called through the FFM API
 * straight from and into the Java array behind a Python object, for the loop's stream channels.
 *
 * <p>Why: java.nio's {@code SocketChannel.read} and {@code write} on a heap buffer take the
 * channel's read or write lock, check its state, copy through a temporary direct buffer and make
 * the system call through JNI. Under JMH ({@code ChannelReadBenchmark}) a read of an
 * empty socket, where the system call itself is cheapest, cost 478-518 ns through java.nio and
 * 420 ns directly, and a 64 KiB read 14.6 against 13.3 us (no copy through a direct buffer); an
 * echo round trip makes four such calls. In the loop, with connections alternating between the
 * two routes in one JVM, Protocol echo made about 3% more round trips directly.
 * The call is "critical" (the thread stays in Java, and a heap segment may be passed) because a
 * non-blocking socket call never waits; a critical call also holds off the collector for its
 * length, which for a 256 KiB loopback send is tens of microseconds.
 *
 * <p>The channel stays java.nio's: it was opened, connected and registered there, and it is
 * closed there. A caller uses these calls only while the channel is open; all else (buffers that
 * are not heap arrays, a closed channel) goes through java.nio. One instance per
 * loop, used on the loop thread only: the errno is captured into the instance's own memory.
 *
 * <p>It needs Linux and the descriptor of java.nio's channels
 * ({@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, in {@code launcher/jvm-flags});
 * {@code -Drloop.directSocketCalls=false} turns it off.
 */
public final class DirectSocketCalls {
    /** A call's result for "nothing now" ({@code EAGAIN}): no bytes read or sent. */
    public static final long AGAIN = Long.MIN_VALUE;

    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static volatile String unavailable;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle recv;
    private final MethodHandle send;
    private final MemorySegment callState;

    private DirectSocketCalls(MethodHandle recv, MethodHandle send) {
        this.recv = recv;
        this.send = send;
        // freed with this object (see DirectPoll: no shared arena to close)
        this.callState = Arena.ofAuto().allocate(CALL_STATE);
    }

    /** The calls, or null where they cannot be had ({@link #unavailableReason()} says why). */
    public static DirectSocketCalls open() {
        if (!Boolean.parseBoolean(System.getProperty("rloop.directSocketCalls", "true"))) {
            unavailable = "turned off (-Drloop.directSocketCalls=false)";
            return null;
        }
        if (!System.getProperty("os.name").equals("Linux")) {
            unavailable = "errno values and MSG_NOSIGNAL are Linux's";
            return null;
        }
        if (!Object.class.getModule().isExported("sun.nio.ch", DirectSocketCalls.class.getModule())) {
            unavailable = "cannot read java.nio's descriptors; it needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED";
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            // ssize_t recv(int, void *, size_t, int) and send with the same shape
            FunctionDescriptor shape = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
            Linker.Option[] options = {Linker.Option.captureCallState("errno"), Linker.Option.critical(true)};
            MethodHandle recv = linker.downcallHandle(linker.defaultLookup().find("recv").orElseThrow(), shape, options);
            MethodHandle send = linker.downcallHandle(linker.defaultLookup().find("send").orElseThrow(), shape, options);
            unavailable = null;
            return new DirectSocketCalls(recv, send);
        } catch (RuntimeException e) {
            unavailable = "cannot link recv and send (" + e + ")";
            return null;
        }
    }

    /** Why the last {@link #open} returned null, or null when it did not. */
    public static String unavailableReason() {
        return unavailable;
    }

    /**
     * Reads at most {@code length} bytes into {@code into} from {@code offset}: the byte count
     * (0 at end of stream), {@link #AGAIN} when nothing is there, or minus the errno.
     */
    public long recv(int fd, byte[] into, int offset, int length) {
        long n = call(recv, fd, into, offset, length, 0);
        return n == -EAGAIN ? AGAIN : n;
    }

    /**
     * Sends at most {@code length} bytes of {@code data} from {@code offset}: the byte count
     * taken (0 when the socket's buffer is full), or minus the errno. A peer that has gone away
     * gives {@code EPIPE}, never a {@code SIGPIPE}.
     */
    public long send(int fd, byte[] data, int offset, int length) {
        long n = call(send, fd, data, offset, length, MSG_NOSIGNAL);
        return n == -EAGAIN ? 0 : n;
    }

    /** {@code recv} or {@code send} on part of {@code array}, again after EINTR: the count or minus the errno. */
    private long call(MethodHandle function, int fd, byte[] array, int offset, int length, int flags) {
        MemorySegment segment = MemorySegment.ofArray(array).asSlice(offset, length);
        while (true) {
            long n;
            try {
                n = (long) function.invokeExact(callState, fd, segment, (long) length, flags);
            } catch (Throwable e) {
                throw new IllegalStateException("a direct socket call failed to run", e);
            }
            if (n >= 0) {
                return n;
            }
            int errno = (int) ERRNO.get(callState, 0L);
            if (errno != EINTR) {
                return -errno;
            }
        }
    }
}
