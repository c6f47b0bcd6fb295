package dev.rloop.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.HashMap;

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
    /** Senders seen lately, by the id {@link #receive} reports for them. */
    private final HashMap<InetSocketAddress, Integer> sourceIds = new HashMap<>();
    private int lastSourceId;
    /** The last sendto target: an echo answers one peer over and over, and building the address
     * from its text again costs about as much as the send itself. */
    private String lastHost;
    private int lastPort;
    private InetSocketAddress lastTarget;
    private static final int MAX_SOURCES = 1024;
    /** What fits in the length bits of {@link #receive}'s result (UDP's own limit is 65,507). */
    private static final int MAX_DATAGRAM = (1 << 20) - 1;

    private record Pending(ByteBuffer data, SocketAddress target) {
    }

    DatagramPort(int id, DatagramChannel channel) {
        super(id, channel);
        this.channel = channel;
    }

    /** Fixes the peer (remote_addr); 0 or ERROR. */
    @HostAccess.Export
    public int connect(String host, int port) {
        try {
            channel.connect(Addresses.inet(host, port));
            return 0;
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Receives one datagram into {@code into} (the storage of a Python {@code bytearray}),
     * truncated to {@code max} bytes as recvfrom does. Returns -1 when none is waiting, ERROR
     * on failure (for a connected socket, an ICMP error such as port unreachable shows up here),
     * else {@code sourceId << 20 | length}: {@code sourceId} names the sender's address and never
     * names another one, so Python can keep the address tuple it built for it and needs one call
     * per datagram; {@link #sourceHost()}/{@link #sourcePort()} give the address of the last one.
     */
    @HostAccess.Export
    public long receive(byte[] into, int max) {
        ByteBuffer buf = ByteBuffer.wrap(into, 0, Math.min(Math.min(max, into.length), MAX_DATAGRAM));
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
        return ((long) sourceId(source) << 20) | buf.position();
    }

    private int sourceId(InetSocketAddress address) {
        Integer id = sourceIds.get(address);
        if (id == null) {
            if (sourceIds.size() >= MAX_SOURCES) {
                sourceIds.clear(); // ids keep growing, so an old id is never reused
            }
            id = ++lastSourceId;
            sourceIds.put(address, id);
        }
        return id;
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
     * Sends the first {@code length} bytes of {@code data} (the Java array behind a Python
     * {@code bytes}/{@code bytearray}) to host/port (host null: the connected peer), or queues a
     * copy when the socket has no room; returns the bytes pending, or ERROR.
     */
    @HostAccess.Export
    public long send(byte[] data, int length, String host, int port) {
        SocketAddress target;
        try {
            target = host == null ? null : target(host, port);
        } catch (IOException e) {
            return fail(e);
        }
        ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
        if (pending == 0) {
            try {
                int sent = target == null ? channel.write(buf) : channel.send(buf, target);
                if (sent > 0 || length == 0) {
                    return 0;
                }
            } catch (IOException | RuntimeException e) {
                return fail(e);
            }
            interest(SelectionKey.OP_WRITE, true);
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(data, 0, length).flip();
        queue.add(new Pending(copy, target));
        pending += length;
        return pending;
    }

    private InetSocketAddress target(String host, int port) throws IOException {
        if (port != lastPort || !host.equals(lastHost)) {
            lastTarget = Addresses.inet(host, port);
            lastHost = host;
            lastPort = port;
        }
        return lastTarget;
    }

    /** {@link #send(byte[], int, String, int)} for a Python buffer with no Java array. */
    @HostAccess.Export
    public long sendBuffer(Value data, String host, int port) {
        byte[] bytes = PythonBuffers.copyOf(data);
        return send(bytes, bytes.length, host, port);
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
    SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }
}
