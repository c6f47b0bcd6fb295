package dev.rloop.net;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.HostAccess;

/**
 * add_reader/add_writer for sockets Python code made, on the loop's own selector.
 *
 * <p>Without this the loop waits in {@code select.select} while such a socket is watched, which
 * costs a fresh selector per call in GraalPy's POSIX emulation. With the socket's channel found
 * ({@link EmulatedSockets}) the loop's wait registers that channel with the loop's selector under
 * an id and hands its readiness to Python through {@code LoopCore.nextEvent} like its own
 * channels'. GraalPy keeps using the channel for the socket's calls; a channel may be registered
 * with several selectors, so its own {@code select.select} still works.
 *
 * <p><b>A channel is registered only while the loop waits.</b> java.nio refuses to make a
 * channel blocking while it has a valid key, and GraalPy does not catch that refusal:
 * {@code setblocking(True)} or {@code settimeout(None)} on a registered socket would end the
 * program with an internal error where the stdlib allows it. So {@link #register} runs just
 * before each wait and {@link #release} just after it: the ready operations are taken, the keys
 * are cancelled, and a {@code selectNow} flushes them, because java.nio also defers closing a
 * registered channel's descriptor until then, and Python code may close the socket and bind its
 * port again in the next callback. While Python code runs on the loop thread no key exists.
 * That costs two system calls a socket per wait (the registration and its removal), which is
 * far less than {@code select.select}'s fresh selector. Loop thread only.
 */
public final class PythonSocketWatch {
    /** Python's reader and writer, as the SelectionKey bits the loop dispatches on. */
    private static final int READ = SelectionKey.OP_READ;
    private static final int WRITE = SelectionKey.OP_WRITE;
    /**
     * The event bit (unused by {@link SelectionKey}) that tells Python a watched socket can no
     * longer be registered (it was made blocking, or closed): Python then watches it through
     * {@code select.select} instead.
     */
    public static final int UNWATCHABLE = 2;

    private final Selector selector;
    /** id -> what that id watches, in the order it was first watched. */
    private final Map<Integer, Watch> watches = new LinkedHashMap<>();
    /** Events of the last wait for Python's sockets: {@code id << 5 | ops}. */
    private final ArrayDeque<Long> events = new ArrayDeque<>();
    private boolean registered;

    public PythonSocketWatch(Selector selector) {
        this.selector = selector;
    }

    /** Null when Python's sockets can be watched here; else why they cannot. */
    @HostAccess.Export
    public String unavailableReason() {
        return EmulatedSockets.unavailableReason();
    }

    /**
     * Watches descriptor {@code fd} for reading ({@code 1}) and/or writing ({@code 4}) under
     * {@code id}, replacing what {@code id} watched before. Returns false, and watches nothing
     * under {@code id}, when the descriptor's channel cannot be watched here (none found, a
     * blocking one, or one without those operations).
     */
    @HostAccess.Export
    public boolean watch(int id, int fd, int ops) {
        SelectableChannel channel = EmulatedSockets.channelOf(fd);
        int interest = channel == null ? -1 : interest(channel, ops);
        if (interest < 0 || !channel.isOpen() || channel.isBlocking()) {
            watches.remove(id);
            return false;
        }
        watches.put(id, new Watch(id, channel, interest));
        return true;
    }

    /** Stops watching what {@code id} watched (nothing if nothing). */
    @HostAccess.Export
    public void unwatch(int id) {
        watches.remove(id);
    }

    /** Whether any of Python's sockets is watched (then the loop waits through the selector alone). */
    public boolean watching() {
        return !watches.isEmpty();
    }

    /**
     * Before a wait: registers every watched channel with the selector. Returns false when one
     * could not be (made blocking or closed since it was watched): its {@link #UNWATCHABLE}
     * event is queued, and the caller must only poll, so that Python moves it at once.
     */
    public boolean register() {
        if (watches.isEmpty()) {
            return true;
        }
        boolean all = true;
        registered = true;
        for (Watch w : watches.values()) {
            if (!w.register(selector)) {
                events.add(((long) w.id << 5) | UNWATCHABLE);
                all = false;
            }
        }
        return all;
    }

    /**
     * After a wait: takes the ready operations of the registered channels out of the selector's
     * selected keys into this watch's events, cancels their keys and flushes the cancellation.
     */
    public void release() {
        if (!registered) {
            return;
        }
        registered = false;
        Set<SelectionKey> selected = selector.selectedKeys();
        boolean cancelled = false;
        for (Watch w : watches.values()) {
            SelectionKey key = w.key;
            if (key == null) {
                continue;
            }
            w.key = null;
            if (key.isValid() && selected.remove(key)) {
                int ready = key.readyOps();
                if (ready != 0) {
                    events.add(((long) w.id << 5) | ready);
                }
            }
            key.cancel();
            cancelled = true;
        }
        if (cancelled) {
            flush();
        }
    }

    /** Whether events of the last wait are left for {@link #nextEvent}. */
    public boolean hasEvents() {
        return !events.isEmpty();
    }

    /** The next event of the last wait for Python's sockets, or -1. */
    public long nextEvent() {
        Long e = events.poll();
        return e == null ? -1 : e;
    }

    /**
     * The selector operations for Python's reader/writer bits on this kind of channel, or -1 when
     * it has none for them: a listener's reader is {@code OP_ACCEPT}, and a connecting socket's
     * writer {@code OP_CONNECT} (java.nio reports a finished connect only so).
     */
    private static int interest(SelectableChannel channel, int ops) {
        int interest = 0;
        if ((ops & READ) != 0) {
            interest |= channel instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
        }
        if ((ops & WRITE) != 0) {
            if (channel instanceof SocketChannel s && s.isConnectionPending()) {
                interest |= SelectionKey.OP_CONNECT;
            } else {
                interest |= SelectionKey.OP_WRITE;
            }
        }
        return (channel.validOps() & interest) == interest ? interest : -1;
    }

    private void flush() {
        try {
            selector.selectNow();
        } catch (IOException | ClosedSelectorException ignored) {
            // a closed selector has let go of every channel already
        }
    }

    /** One watched socket; {@code key} is set only between {@link #register} and {@link #release}. */
    private static final class Watch implements Registered {
        final int id;
        final SelectableChannel channel;
        final int interest;
        SelectionKey key;

        Watch(int id, SelectableChannel channel, int interest) {
            this.id = id;
            this.channel = channel;
            this.interest = interest;
        }

        @Override
        public int id() {
            return id;
        }

        /** False when the channel cannot be registered: blocking, or closed. */
        boolean register(Selector selector) {
            try {
                key = channel.register(selector, interest, this);
                return true;
            } catch (CancelledKeyException | ClosedChannelException | IllegalBlockingModeException
                     | ClosedSelectorException | IllegalArgumentException e) {
                // made blocking or closed since it was watched; or a cancelled key of it on this
                // selector that no selection has flushed (release() flushes its own at once)
                return false;
            }
        }
    }
}
