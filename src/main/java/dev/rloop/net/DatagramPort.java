package dev.rloop.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * A UDP socket owned by the loop: what a datagram transport sends from and receives on.
 *
 * <p>Datagrams the socket does not take at once wait in a Java queue, drained on writable events
 * like a stream channel's. Receiving leaves the sender's address in {@link #sourceHost()} and
 * {@link #sourcePort()} until the next receive.
 */
public final class DatagramPort extends LoopChannel {
    private final DatagramChannel channel;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long pending;
    private InetSocketAddress source;

    private record Pending(ByteBuffer data, SocketAddress target) {
    }

    DatagramPort(int id, DatagramChannel channel) {
        super(id);
        this.channel = channel;
    }

    @Override
    SelectableChannel channel() {
        return channel;
    }

    /** Fixes the peer (remote_addr); 0 or ERROR. */
    @HostAccess.Export
    public int connect(String host, int port) {
        try {
            channel.connect(Addresses.inet(host, port));
            return 0;
        } catch (IOException e) {
            return fail(e);
        } catch (RuntimeException e) {
            return fail(e);
        }
    }

    @HostAccess.Export
    public boolean isConnected() {
        return channel.isConnected();
    }

    /**
     * Receives one datagram into {@code into} (the storage of a Python {@code bytearray}),
     * truncated to {@code max} bytes as recvfrom does: the byte count, -1 when none is waiting,
     * or ERROR (for a connected socket, an ICMP error such as port unreachable shows up here).
     */
    @HostAccess.Export
    public int receive(byte[] into, int max) {
        ByteBuffer buf = ByteBuffer.wrap(into, 0, Math.min(max, into.length));
        try {
            // receive() also serves a connected socket, and reports its ICMP errors
            SocketAddress from = channel.receive(buf);
            if (from == null) {
                return -1;
            }
            source = (InetSocketAddress) from;
        } catch (IOException e) {
            return fail(e);
        }
        return buf.position();
    }

    @HostAccess.Export
    public String sourceHost() {
        return source == null ? null : Addresses.format(source.getAddress());
    }

    @HostAccess.Export
    public int sourcePort() {
        return source == null ? -1 : source.getPort();
    }

    /**
     * Sends {@code data} to host/port (host null: the connected peer) or queues it when the
     * socket has no room; returns the bytes pending, or ERROR.
     */
    @HostAccess.Export
    public long send(Value data, String host, int port) {
        SocketAddress target;
        try {
            target = host == null ? null : Addresses.inet(host, port);
        } catch (IOException e) {
            return fail(e);
        }
        ByteBuffer buf = ByteBuffer.wrap(PythonBuffers.copyOf(data));
        if (pending == 0) {
            try {
                int sent = target == null ? channel.write(buf) : channel.send(buf, target);
                if (sent > 0 || buf.capacity() == 0) {
                    return 0;
                }
            } catch (IOException e) {
                return fail(e);
            } catch (RuntimeException e) {
                return fail(e);
            }
            interest(SelectionKey.OP_WRITE, true);
        }
        queue.add(new Pending(buf, target));
        pending += buf.remaining();
        return pending;
    }

    /** Sends what is queued, after a writable event; the bytes still pending, or ERROR (the
     * failed datagram is dropped, as the stdlib's transport does). */
    @HostAccess.Export
    public long flush() {
        while (!queue.isEmpty()) {
            Pending p = queue.peek();
            int size = p.data().remaining();
            int sent;
            try {
                sent = p.target() == null ? channel.write(p.data()) : channel.send(p.data(), p.target());
            } catch (IOException e) {
                queue.poll();
                pending -= size;
                return fail(e);
            }
            if (sent == 0 && size > 0) {
                return pending;
            }
            queue.poll();
            pending -= size;
        }
        interest(SelectionKey.OP_WRITE, false);
        return 0;
    }

    @HostAccess.Export
    public long pending() {
        return pending;
    }

    @HostAccess.Export
    public void setReading(boolean on) {
        interest(SelectionKey.OP_READ, on);
    }

    @Override
    SocketAddress localAddress() {
        return quietly(channel::getLocalAddress);
    }

    @HostAccess.Export
    public String remoteHost() {
        return hostOf(quietly(channel::getRemoteAddress));
    }

    @HostAccess.Export
    public int remotePort() {
        return portOf(quietly(channel::getRemoteAddress));
    }

    @HostAccess.Export
    public int setOption(String name, int value) {
        return SocketOptions.set(this, channel, name, value);
    }

    @HostAccess.Export
    public int getOption(String name) {
        return SocketOptions.get(this, channel, name);
    }
}
