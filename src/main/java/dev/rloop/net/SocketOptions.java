package dev.rloop.net;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Map;

/**
 * Socket options by name, for the socket-like object transports hand out as
 * {@code get_extra_info('socket')}: Python maps its (level, option) pairs to these names.
 */
final class SocketOptions {
    private static final Map<String, SocketOption<?>> BY_NAME = Map.of(
            "TCP_NODELAY", StandardSocketOptions.TCP_NODELAY,
            "SO_KEEPALIVE", StandardSocketOptions.SO_KEEPALIVE,
            "SO_REUSEADDR", StandardSocketOptions.SO_REUSEADDR,
            "SO_REUSEPORT", StandardSocketOptions.SO_REUSEPORT,
            "SO_BROADCAST", StandardSocketOptions.SO_BROADCAST,
            "SO_SNDBUF", StandardSocketOptions.SO_SNDBUF,
            "SO_RCVBUF", StandardSocketOptions.SO_RCVBUF,
            "SO_LINGER", StandardSocketOptions.SO_LINGER);

    private SocketOptions() {
    }

    @SuppressWarnings("unchecked")
    static int set(LoopChannel owner, NetworkChannel channel, String name, int value) {
        SocketOption<?> option = BY_NAME.get(name);
        if (option == null || !channel.supportedOptions().contains(option)) {
            return owner.fail(NetErrors.EINVAL);
        }
        try {
            if (option.type() == Boolean.class) {
                channel.setOption((SocketOption<Boolean>) option, value != 0);
            } else {
                channel.setOption((SocketOption<Integer>) option, value);
            }
            return 0;
        } catch (IOException e) {
            return owner.fail(e);
        } catch (IllegalArgumentException e) {
            return owner.fail(NetErrors.EINVAL);
        }
    }

    static int get(LoopChannel owner, NetworkChannel channel, String name) {
        SocketOption<?> option = BY_NAME.get(name);
        if (option == null || !channel.supportedOptions().contains(option)) {
            return owner.fail(NetErrors.EINVAL);
        }
        try {
            Object v = channel.getOption(option);
            if (v instanceof Boolean b) {
                return b ? 1 : 0;
            }
            return (Integer) v;
        } catch (IOException e) {
            return owner.fail(e);
        }
    }
}
