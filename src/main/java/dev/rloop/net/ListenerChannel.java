package dev.rloop.net;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.graalvm.polyglot.HostAccess;

/** A listening TCP or Unix socket owned by the loop: what a {@code Server} accepts from. */
public final class ListenerChannel extends LoopChannel {
    private final ServerSocketChannel channel;
    private final NetChannels net;

    ListenerChannel(int id, ServerSocketChannel channel, NetChannels net) {
        super(id, channel);
        this.channel = channel;
        this.net = net;
    }

    /**
     * Accepts one pending connection as a stream channel with id {@code newId}, registered but
     * not yet reading; null when none is pending or on failure ({@link #errno()} tells which:
     * 0 means none was pending).
     */
    @HostAccess.Export
    public StreamChannel accept(int newId) {
        SocketChannel accepted;
        try {
            accepted = channel.accept();
        } catch (IOException e) {
            fail(e);
            return null;
        }
        if (accepted == null) {
            fail(0);
            return null;
        }
        return net.adopt(newId, accepted);
    }

    /** Turns accept events on or off (start_serving, close). */
    @HostAccess.Export
    public void setAccepting(boolean on) {
        interest(SelectionKey.OP_ACCEPT, on);
    }
}
