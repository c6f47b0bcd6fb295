package dev.rloop.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.HexFormat;

import dev.rloop.LoopCore;

/**
 * One loop's way of being woken from another thread, as {@code call_soon_threadsafe} does it
 * ({@code Loop._write_to_self} calls {@link LoopCore#wakeup()}), seen from both ends: {@link #wake()}
 * on any thread, {@link #await} on the loop thread.
 */
abstract class WakeRoute implements AutoCloseable {
    final LoopCore core = new LoopCore();

    /** What another thread calls: the loop's {@link LoopCore#wakeup()}. */
    final void wake() {
        core.wakeup();
    }

    /** What the loop thread does to wait: returns when woken, or after about {@code seconds}. */
    abstract void await(double seconds);

    @Override
    public void close() throws IOException {
        core.close();
    }

    /** The loop waits in its Java selector: {@link LoopCore#waitFor}, which {@code wakeup} ends. */
    static WakeRoute selector() {
        return new WakeRoute() {
            @Override
            void await(double seconds) {
                core.waitFor(seconds);
            }
        };
    }

    /**
     * The loop waits in Python's {@code select.select} (Python code watches its own fds), so
     * {@code wakeup} writes a byte to the loopback connection of {@code dev.rloop.PythonWakeChannel}.
     * Python's end of it is played by a plain NIO socket and selector, set up through the same
     * {@link LoopCore} calls {@code rloop._watchers} makes (open, token, accept, polling on).
     *
     * <p>It drains the bytes first and then calls {@code pythonWakeDrained()}, as rloop's
     * {@code _drain_wake} does. The other order loses wake-ups: a wake that lands between the two
     * writes a byte the recv then eats, leaving the channel's pending flag set with nothing to
     * read, so every later wake is skipped and the loop sleeps to its timeout (this ping-pong hit
     * that within seconds, which is how the bug in rloop was found). In this order a wake that
     * finds the flag still set came before {@code pythonWakeDrained()}, so its work is already
     * queued and the loop runs it in the iteration under way.
     */
    static WakeRoute pythonChannel() throws IOException {
        return new PythonChannel();
    }

    private static final class PythonChannel extends WakeRoute {
        private final SocketChannel pythonEnd;
        private final Selector select;
        private final ByteBuffer drain = ByteBuffer.allocate(4096);

        PythonChannel() throws IOException {
            int port = core.openPythonWake();
            pythonEnd = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            pythonEnd.write(ByteBuffer.wrap(HexFormat.of().parseHex(core.pythonWakeToken())));
            core.acceptPythonWake();
            pythonEnd.configureBlocking(false);
            select = Selector.open();
            pythonEnd.register(select, SelectionKey.OP_READ);
            core.setPythonPolling(true);
        }

        @Override
        void await(double seconds) {
            try {
                if (select.select(Math.max(1, (long) (seconds * 1000))) == 0) {
                    return;
                }
                select.selectedKeys().clear();
                while (true) {
                    drain.clear();
                    if (pythonEnd.read(drain) <= 0) {
                        break;
                    }
                }
                // after the bytes, not before (see the class comment above)
                core.pythonWakeDrained();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            select.close();
            pythonEnd.close();
            super.close();
        }
    }
}
