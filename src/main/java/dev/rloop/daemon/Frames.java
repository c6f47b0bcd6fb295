package dev.rloop.daemon;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The daemon's wire format over its Unix socket: after the {@link Request}, both sides exchange
 * frames of one type byte, a length and that many bytes. Writes are whole frames under a lock,
 * since several threads of one side write (the program's stdout and stderr, the command's stdin
 * pump and its signal handlers).
 */
final class Frames {
    // command -> daemon
    static final byte STDIN = 1;          // bytes for a READ; empty at end of file
    static final byte SIGNAL = 2;         // a signal the command received, by name ("INT")
    static final byte OUTPUT_CLOSED = 3;  // the command's stdout (1) or stderr (2) is gone (EPIPE)
    // daemon -> command
    static final byte ACCEPTED = 10;      // the program will run here
    static final byte BUSY = 11;          // another program runs here: try another slot
    static final byte STDOUT = 12;
    static final byte STDERR = 13;
    static final byte READ = 14;          // read up to this many bytes of stdin (an int)
    static final byte EXIT = 15;          // the program's exit status (an int); the last frame

    /** One frame read. */
    record Frame(byte type, byte[] payload) {
        int intValue() {
            return ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final DataInputStream in;
    private final DataOutputStream out;

    Frames(SocketChannel channel) {
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 65536));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 65536));
    }

    DataInputStream input() {
        return in;
    }

    DataOutputStream output() {
        return out;
    }

    /** The next frame, or null at the end of the stream. */
    Frame read() throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("bad frame length " + length);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame((byte) type, payload);
    }

    void write(byte type, byte[] data, int offset, int length) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(length);
            out.write(data, offset, length);
            out.flush();
        }
    }

    void write(byte type, byte[] data) throws IOException {
        write(type, data, 0, data.length);
    }

    void writeInt(byte type, int value) throws IOException {
        write(type, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    void writeText(byte type, String text) throws IOException {
        write(type, text.getBytes(StandardCharsets.UTF_8));
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) {
            throw new EOFException("bad string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
