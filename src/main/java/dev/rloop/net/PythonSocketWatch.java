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
import java.util.HashMap;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;

/**
 * add_reader/add_writer for sockets Python code made, on the loop's own selector.
 *
 * <p>Without this the loop waits in {@code select.select} while such a socket is watched, which
 * costs a fresh selector per call in GraalPy's POSIX emulation. With the socket's channel found
 * ({@link EmulatedSockets}) the loop registers that channel with its selector under an id and
 * gets its readiness through {@code LoopCore.nextEvent} like its own channels'. GraalPy keeps
 * using the channel for the socket's calls; a channel may be registered with several selectors,
 * so its own {@code select.select} still works. Only non-blocking channels can be registered;
 * for anything else {@link #watch} says no and the loop keeps the {@code select.select} path.
 *
 * <p>{@link #unwatch} flushes the cancelled key at once: java.nio refuses
 * {@code setblocking(True)} on a channel that is still registered, and defers closing its
 * descriptor, and Python code may do either right after {@code remove_reader}. Loop thread only.
 */
public final class PythonSocketWatch {
    /** Python's reader and writer, as the SelectionKey bits the loop dispatches on. */
    private static final int READ = SelectionKey.OP_READ;
    private static final int WRITE = SelectionKey.OP_WRITE;

    private final Selector selector;
    private final Map<Integer, SelectionKey> keys = new HashMap<>();

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
     * under {@code id}, when the descriptor's channel cannot be watched here.
     */
    @HostAccess.Export
    public boolean watch(int id, int fd, int ops) {
        SelectableChannel channel = EmulatedSockets.channelOf(fd);
        int interest = channel == null ? -1 : interest(channel, ops);
        SelectionKey key = keys.get(id);
        if (key != null && key.isValid() && key.channel() == channel && interest >= 0) {
            key.interestOps(interest);
            return true;
        }
        if (key != null) {
            unwatch(id);
        }
        if (interest < 0 || channel.isBlocking()) {
            return false;
        }
        try {
            keys.put(id, register(channel, interest, id));
            return true;
        } catch (ClosedChannelException | IllegalBlockingModeException | CancelledKeyException
                 | ClosedSelectorException | IllegalArgumentException e) {
            return false;
        }
    }

    private SelectionKey register(SelectableChannel channel, int interest, int id) throws ClosedChannelException {
        Watched attachment = new Watched(id);
        try {
            return channel.register(selector, interest, attachment);
        } catch (CancelledKeyException e) {
            // a key of this channel that GraalPy's close or an earlier watch cancelled and no
            // selection has flushed yet
            flush();
            return channel.register(selector, interest, attachment);
        }
    }

    /** Stops watching what {@code id} watched (nothing if nothing). */
    @HostAccess.Export
    public void unwatch(int id) {
        SelectionKey key = keys.remove(id);
        if (key != null) {
            key.cancel();
            flush();
        }
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

    /** The key's attachment: the id Python registered its handles under. */
    private record Watched(int id) implements Registered {
    }
}
