package dev.rloop.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.graalvm.polyglot.HostAccess;

/**
 * Opens the loop's channels and registers them with its selector under ids the Python side
 * chooses. Factory methods return null on failure and leave the errno in {@link #errno()}.
 * Loop thread only.
 */
public final class NetChannels {
    private final Selector selector;
    private final DirectPoll directPoll;
    /** recv and send for the stream channels, made directly (null where they cannot be). */
    private final DirectSocketCalls directCalls = DirectSocketCalls.open();
    private int errno;
    private boolean bindFailed;

    /** {@code directPoll}: the loop's direct poll of {@code selector}, told of each channel; may be null. */
    public NetChannels(Selector selector, DirectPoll directPoll) {
        this.selector = selector;
        this.directPoll = directPoll;
    }

    @HostAccess.Export
    public int errno() {
        return errno;
    }

    /** Whether the last failed connect failed binding its local address, not connecting. */
    @HostAccess.Export
    public boolean bindFailed() {
        return bindFailed;
    }

    private <T> T failed(Exception e) {
        errno = NetErrors.errno(e);
        return null;
    }

    private static ProtocolFamily family(boolean v6) {
        return v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    // ---- streams ----------------------------------------------------------------------------

    /**
     * Starts a TCP connect; the channel reports {@code OP_CONNECT} when it completes unless
     * {@link StreamChannel#isConnected()} is already true.
     */
    @HostAccess.Export
    public StreamChannel connectTcp(int id, boolean v6, String host, int port, String localHost, int localPort) {
        SocketChannel ch = null;
        bindFailed = false;
        try {
            ch = SocketChannel.open(family(v6));
            if (localHost != null) {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                bindFailed = true;
                ch.bind(Addresses.inet(localHost, localPort));
                bindFailed = false;
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return startConnect(id, ch, Addresses.inet(host, port));
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return failed(e);
        }
    }

    /** Starts a Unix-socket connect to {@code path}, as {@link #connectTcp}. */
    @HostAccess.Export
    public StreamChannel connectUnix(int id, String path) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            return startConnect(id, ch, Addresses.unix(path));
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return failed(e);
        }
    }

    private StreamChannel startConnect(int id, SocketChannel ch, java.net.SocketAddress target) throws IOException {
        ch.configureBlocking(false);
        boolean done = ch.connect(target);
        StreamChannel stream = new StreamChannel(id, ch);
        stream.register(selector, directPoll, done ? 0 : SelectionKey.OP_CONNECT);
        callDirectly(stream);
        return stream;
    }

    /** Wraps an accepted connection: registered, not yet reading. */
    StreamChannel adopt(int id, SocketChannel accepted) {
        try {
            if (accepted.getLocalAddress() instanceof InetSocketAddress) {
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            StreamChannel stream = new StreamChannel(id, accepted);
            stream.register(selector, directPoll, 0);
            callDirectly(stream);
            return stream;
        } catch (IOException e) {
            closeQuietly(accepted);
            return failed(e);
        }
    }

    private void callDirectly(StreamChannel stream) {
        if (directCalls != null) {
            stream.callDirectly(directCalls);
        }
    }

    // ---- listeners --------------------------------------------------------------------------

    @HostAccess.Export
    public ListenerChannel listenTcp(int id, boolean v6, String host, int port, int backlog,
                                     boolean reuseAddress, boolean reusePort) {
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open(family(v6));
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            return listen(id, ch, Addresses.inet(host, port), backlog);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return failed(e);
        }
    }

    @HostAccess.Export
    public ListenerChannel listenUnix(int id, String path, int backlog) {
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            return listen(id, ch, Addresses.unix(path), backlog);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return failed(e);
        }
    }

    private ListenerChannel listen(int id, ServerSocketChannel ch, java.net.SocketAddress address,
                                   int backlog) throws IOException {
        ch.bind(address, backlog);
        ListenerChannel listener = new ListenerChannel(id, ch, this);
        listener.register(selector, directPoll, 0);
        return listener;
    }

    // ---- datagrams --------------------------------------------------------------------------

    @HostAccess.Export
    public DatagramPort openDatagram(int id, boolean v6, String localHost, int localPort,
                                     boolean reuseAddress, boolean reusePort, boolean broadcast) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(family(v6));
            if (reuseAddress) {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (broadcast) {
                ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            }
            if (localHost != null) {
                ch.bind(Addresses.inet(localHost, localPort));
            }
            DatagramPort port = new DatagramPort(id, ch);
            port.register(selector, directPoll, 0);
            return port;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            return failed(e);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the channel never carried data
            }
        }
    }
}
