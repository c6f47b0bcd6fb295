package dev.rloop.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;

/**
 * Polls the epoll instance inside the loop's own {@link Selector} with one direct
 * {@code epoll_wait} call, for the wait of an echo: a loop that has just written to a loopback
 * peer finds the answer there already, so its wait is a poll that returns at once.
 *
 * <p>Why: java.nio's selection operation wraps that one system call in locks, interrupt
 * bookkeeping, a file-descriptor-to-key map and the selected-key set; under JMH
 * ({@code SocketCallFloorBenchmark}) a hop of an echo (write, wait, read) cost 0.3-0.6 us more
 * through {@code LoopCore.waitFor} than with the same system calls made directly, several
 * percent of a loopback round trip; in the loop, polling directly raised the Protocol echo by
 * 5-10% (docs/ARCHITECTURE.md, "Waiting"). This class keeps every registration and interest
 * change in java.nio (the selector applies them in its next selection operation) and only
 * reads readiness straight from the kernel when nothing is pending in the selector.
 *
 * <p>What it leaves to the selector, by answering {@link #FALLBACK}: the selector's wake-up
 * descriptor (a cross-thread wake-up, which the selector must clear), a descriptor it does not
 * know, error or hang-up conditions, a connect finishing, and any wait while registrations or
 * interest changes are pending. It never blocks: when nothing is ready, the loop waits in the
 * selector as before, so a blocked loop still wakes for {@code Selector.wakeup()} and
 * {@code Thread.interrupt()}.
 *
 * <p>It needs Linux (x86-64 or AArch64), the JDK's epoll selector, and
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} to read the selector's descriptors
 * ({@code launcher/jvm-flags}); without them {@link #open} returns null with the reason in
 * {@link #unavailableReason()}, and the loop uses the selector alone. {@code -Drloop.directPoll=false}
 * turns it off. Loop thread only.
 */
public final class DirectPoll {
    /** {@link #poll()}: something is ready that the selector must see to (see the class comment). */
    public static final int FALLBACK = -1;
    /** {@link #poll()}: registrations or interest changes are pending; the selector must wait. */
    public static final int PENDING = -2;

    private static final int EPOLLIN = 0x001;
    private static final int EPOLLOUT = 0x004;
    private static final int MAX_EVENTS = 256;
    private static volatile String unavailable;

    private final int epfd;
    private final int wakeFd;
    private final MethodHandle epollWait;
    private final MemorySegment events;
    private final int eventSize;
    private final int dataOffset;
    /** The loop's channels by descriptor; java.nio's epoll data is the descriptor. */
    private LoopChannel[] byFd = new LoopChannel[64];
    /** Registrations or interest changes the selector has not applied to epoll yet. */
    private boolean pending = true;
    private long[] ready = new long[16];
    private int readyCount;

    private DirectPoll(int epfd, int wakeFd, MethodHandle epollWait, int eventSize, int dataOffset) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.epollWait = epollWait;
        this.eventSize = eventSize;
        this.dataOffset = dataOffset;
        // freed with this object: a shared arena's close would stop every thread for a handshake,
        // and a confined one would tie the poll to the thread that made the loop
        this.events = Arena.ofAuto().allocate((long) eventSize * MAX_EVENTS, 8);
    }

    /** A direct poll of {@code selector}'s epoll instance, or null when it cannot be had here. */
    public static DirectPoll open(Selector selector) {
        if (!Boolean.parseBoolean(System.getProperty("rloop.directPoll", "true"))) {
            unavailable = "turned off (-Drloop.directPoll=false)";
            return null;
        }
        String arch = System.getProperty("os.arch");
        // struct epoll_event: packed (12 bytes, data at 4) on x86-64 only
        int eventSize;
        int dataOffset;
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            eventSize = 12;
            dataOffset = 4;
        } else if (arch.equals("aarch64")) {
            eventSize = 16;
            dataOffset = 8;
        } else {
            unavailable = "no epoll layout known for " + arch;
            return null;
        }
        if (!System.getProperty("os.name").equals("Linux")
                || !selector.getClass().getName().equals("sun.nio.ch.EPollSelectorImpl")) {
            unavailable = "the selector is " + selector.getClass().getName() + ", not Linux's epoll selector";
            return null;
        }
        try {
            int epfd = intField(selector, "epfd");
            Object eventFd = field(selector, "eventfd");
            int wakeFd = intField(eventFd, "efd");
            Linker linker = Linker.nativeLinker();
            // critical: a call with a zero timeout never blocks, so the thread need not leave Java
            MethodHandle wait = linker.downcallHandle(
                    linker.defaultLookup().find("epoll_wait").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.critical(false));
            unavailable = null;
            return new DirectPoll(epfd, wakeFd, wait, eventSize, dataOffset);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = "cannot reach the selector's epoll descriptor (" + e
                    + "); it needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED";
            return null;
        }
    }

    /** Why the last {@link #open} returned null, or null when it did not. */
    public static String unavailableReason() {
        return unavailable;
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }

    private static int intField(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.getInt(owner);
    }

    /** The descriptor of one of java.nio's channels. */
    static int descriptor(SelectableChannel channel) throws ReflectiveOperationException {
        Method getFdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        return (int) getFdVal.invoke(channel);
    }

    // ---- what the channels report ------------------------------------------------------------

    /** A channel was registered with the selector under descriptor {@code fd}. */
    void track(LoopChannel channel, int fd) {
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = channel;
        pending = true;
    }

    /** A channel's key was cancelled (it is closing). */
    void untrack(LoopChannel channel, int fd) {
        if (fd >= 0 && fd < byFd.length && byFd[fd] == channel) {
            byFd[fd] = null;
        }
        pending = true;
    }

    /** A channel's interest set changed: the selector applies it in its next selection. */
    void interestChanged() {
        pending = true;
    }

    /** The selector made a selection operation on the loop thread: it applied what was pending. */
    public void selected() {
        pending = false;
    }

    // ---- polling -----------------------------------------------------------------------------

    /**
     * Polls without waiting: the number of events found (0 when nothing is ready), each as
     * {@code id << 5 | readyOps} in {@link #event}, {@link #FALLBACK} when something is ready
     * that the selector must see to, or {@link #PENDING} when the selector has changes to apply.
     */
    public int poll() {
        if (pending) {
            return PENDING;
        }
        int n;
        try {
            n = (int) epollWait.invokeExact(epfd, events, MAX_EVENTS, 0);
        } catch (Throwable e) {
            return FALLBACK;
        }
        if (n < 0) {
            return FALLBACK;  // EINTR: let the selector poll
        }
        if (n > ready.length) {
            ready = new long[Math.max(n, ready.length * 2)];
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            long base = (long) i * eventSize;
            int flags = events.get(ValueLayout.JAVA_INT_UNALIGNED, base);
            int fd = events.get(ValueLayout.JAVA_INT_UNALIGNED, base + dataOffset);
            LoopChannel channel = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
            if (fd == wakeFd || channel == null || (flags & ~(EPOLLIN | EPOLLOUT)) != 0) {
                return FALLBACK;
            }
            int interest = channel.interestOps();
            if (interest < 0 || (interest & SelectionKey.OP_CONNECT) != 0) {
                return FALLBACK;
            }
            int ops = 0;
            if ((flags & EPOLLIN) != 0) {
                ops |= interest & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
            }
            if ((flags & EPOLLOUT) != 0) {
                ops |= interest & SelectionKey.OP_WRITE;
            }
            if (ops != 0) {
                ready[count++] = ((long) channel.id() << 5) | ops;
            }
        }
        readyCount = count;
        return count;
    }

    /** The {@code i}th event of the last {@link #poll()}. */
    public long event(int i) {
        return ready[i];
    }

    /** The events of the last {@link #poll()}. */
    public int eventCount() {
        return readyCount;
    }
}
