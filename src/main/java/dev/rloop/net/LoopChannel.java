package dev.rloop.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
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
 * throw into Python: a method that can fail returns {@link #ERROR} and leaves the errno and
 * message in {@link #errno()} and {@link #error()} (see {@link NetErrors}).
 */
public abstract class LoopChannel {
    /** Returned by methods that failed; {@link #errno()} says why. */
    public static final int ERROR = -2;

    private final int id;
    private SelectionKey key;
    private int errno;
    private String error;

    LoopChannel(int id) {
        this.id = id;
    }

    abstract SelectableChannel channel();

    final void register(Selector selector, int ops) throws IOException {
        SelectableChannel ch = channel();
        ch.configureBlocking(false);
        key = ch.register(selector, ops, this);
    }

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
        }
    }

    final boolean isInterested(int op) {
        SelectionKey k = key;
        return k != null && k.isValid() && (k.interestOps() & op) != 0;
    }

    final int fail(IOException e) {
        errno = NetErrors.errno(e);
        error = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return ERROR;
    }

    final int fail(RuntimeException e) {
        errno = NetErrors.errno(e);
        error = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return ERROR;
    }

    final int fail(int errnoValue, String message) {
        errno = errnoValue;
        error = message;
        return ERROR;
    }

    /** The errno of the last failure (0 if none). */
    @HostAccess.Export
    public final int errno() {
        return errno;
    }

    /** The message of the last failure. */
    @HostAccess.Export
    public final String error() {
        return error;
    }

    @HostAccess.Export
    public final boolean isOpen() {
        return channel().isOpen();
    }

    /** Deregisters and closes the channel; safe to call twice. */
    @HostAccess.Export
    public void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel().close();
        } catch (IOException ignored) {
            // closing a socket reports errors only for data that can no longer be sent
        }
    }

    /** The socket as java.nio's option and address interface. */
    abstract NetworkChannel networkChannel();

    /** The peer's address; null when the socket has none (a listener, an unconnected UDP port). */
    SocketAddress remoteAddress() throws IOException {
        return null;
    }

    /** The local address's host (numeric), or the path of a Unix socket. */
    @HostAccess.Export
    public final String localHost() {
        return hostOf(quietly(networkChannel()::getLocalAddress));
    }

    @HostAccess.Export
    public final int localPort() {
        return portOf(quietly(networkChannel()::getLocalAddress));
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
        return SocketOptions.set(this, networkChannel(), name, value);
    }

    /** Reads a socket option by its Java name (booleans as 0/1); ERROR if unsupported. */
    @HostAccess.Export
    public final int getOption(String name) {
        return SocketOptions.get(this, networkChannel(), name);
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

    static SocketAddress quietly(AddressSupplier s) {
        try {
            return s.get();
        } catch (ClosedChannelException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @FunctionalInterface
    interface AddressSupplier {
        SocketAddress get() throws IOException;
    }
}
