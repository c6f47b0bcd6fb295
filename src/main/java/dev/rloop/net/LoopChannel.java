package dev.rloop.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

import org.graalvm.polyglot.HostAccess;

/**
 * A channel owned by one loop and registered with its selector under the id the Python side
 * chose; the base of the stream, listener and datagram channels.
 *
 * <p>All methods run on the loop thread (the selector is only touched there). Failures never
 * throw into Python: a method that can fail returns {@link #ERROR} and leaves the errno in
 * {@link #errno()} (see {@link NetErrors}).
 */
public abstract class LoopChannel implements Registered {
    /** Returned by methods that failed; {@link #errno()} says why. */
    public static final int ERROR = -2;

    private final int id;
    private final SelectableChannel channel;
    private final NetworkChannel network;
    private SelectionKey key;
    private int errno;
    /** The loop's direct poll of its selector (null without one) and this channel's descriptor there. */
    private DirectPoll poll;
    /** This channel's descriptor once looked up ({@link #descriptor()}), else -1. */
    int fd = -1;

    /** {@code channel} is one of java.nio's socket channels: selectable and a network channel. */
    <C extends SelectableChannel & NetworkChannel> LoopChannel(int id, C channel) {
        this.id = id;
        this.channel = channel;
        this.network = channel;
    }

    final void register(Selector selector, DirectPoll directPoll, int ops) throws IOException {
        channel.configureBlocking(false);
        key = channel.register(selector, ops, this);
        if (directPoll != null) {
            try {
                descriptor();
                poll = directPoll;
                poll.track(this, fd);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the direct poll was opened but cannot read a descriptor", e);
            }
        }
    }

    /** Looks up this channel's descriptor (once) into {@link #fd}, through java.nio's internals. */
    final void descriptor() throws ReflectiveOperationException {
        if (fd < 0) {
            fd = DirectPoll.descriptor(channel);
        }
    }

    /** The selector's interest set for this channel, or -1 once its key is cancelled. */
    final int interestOps() {
        SelectionKey k = key;
        return k == null || !k.isValid() ? -1 : k.interestOps();
    }

    @Override
    public final int id() {
        return id;
    }

    final void interest(int op, boolean on) {
        SelectionKey k = key;
        if (k == null || !k.isValid()) {
            return;
        }
        int ops = k.interestOps();
        int next = on ? ops | op : ops & ~op;
        if (next != ops) {
            k.interestOps(next);
            if (poll != null) {
                poll.interestChanged();
            }
        }
    }

    final int fail(Exception e) {
        return fail(NetErrors.errno(e));
    }

    final int fail(int errnoValue) {
        errno = errnoValue;
        return ERROR;
    }

    /** The errno of the last failure (0 if none); Python words the message (os.strerror). */
    @HostAccess.Export
    public final int errno() {
        return errno;
    }

    @HostAccess.Export
    public final boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Deregisters and closes the channel, releasing its descriptor (and a listener's port) before
     * returning; safe to call twice.
     *
     * <p>java.nio defers closing the descriptor of a channel that is registered with a selector
     * until the selector next flushes its cancelled keys, which happens only in a selection
     * operation. The loop makes none while callbacks are ready and no other channel is open, so
     * without the {@code selectNow} here a server's port could stay bound after
     * {@code Server.close()} ({@code EADDRINUSE} for the next bind), as the stdlib's never does.
     * Channels are closed only from callbacks, never while the selected keys are being iterated,
     * and keys it finds ready stay in the selected set for the loop's next look.
     */
    @HostAccess.Export
    public void close() {
        SelectionKey k = key;
        key = null;
        if (k != null) {
            k.cancel();
            if (poll != null) {
                poll.untrack(this, fd);
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket reports errors only for data that can no longer be sent
        }
        if (k != null) {
            flushCancelled(k.selector());
        }
    }

    private static void flushCancelled(Selector selector) {
        try {
            selector.selectNow();
        } catch (IOException | java.nio.channels.ClosedSelectorException ignored) {
            // a closed selector has released every channel already
        }
    }

    /** The peer's address; null when the socket has none (a listener, an unconnected UDP port). */
    SocketAddress remoteAddress() throws IOException {
        return null;
    }

    /** The local address's host (numeric), or the path of a Unix socket. */
    @HostAccess.Export
    public final String localHost() {
        return hostOf(quietly(network::getLocalAddress));
    }

    @HostAccess.Export
    public final int localPort() {
        return portOf(quietly(network::getLocalAddress));
    }

    /** The peer's host (numeric) or Unix path; null when there is no peer. */
    @HostAccess.Export
    public final String remoteHost() {
        return hostOf(quietly(this::remoteAddress));
    }

    @HostAccess.Export
    public final int remotePort() {
        return portOf(quietly(this::remoteAddress));
    }

    /** Sets a boolean or integer socket option by its Java name; 0 or ERROR. */
    @HostAccess.Export
    public final int setOption(String name, int value) {
        return SocketOptions.set(this, network, name, value);
    }

    /** Reads a socket option by its Java name (booleans as 0/1); ERROR if unsupported. */
    @HostAccess.Export
    public final int getOption(String name) {
        return SocketOptions.get(this, network, name);
    }

    static String hostOf(SocketAddress a) {
        if (a instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? Addresses.format(inet.getAddress()) : inet.getHostString();
        }
        if (a instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return null;
    }

    static int portOf(SocketAddress a) {
        return a instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** The address, or null when the channel has none to give (closed, not connected). */
    static SocketAddress quietly(AddressSupplier s) {
        try {
            return s.get();
        } catch (IOException e) {
            return null;
        }
    }

    @FunctionalInterface
    interface AddressSupplier {
        SocketAddress get() throws IOException;
    }
}
