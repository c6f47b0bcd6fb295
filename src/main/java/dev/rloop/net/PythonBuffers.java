package dev.rloop.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.graalvm.polyglot.Value;

/**
 * Moves bytes between Java buffers and Python buffer objects ({@code bytes}, {@code bytearray}).
 *
 * <p>Measured on GraalPy 25.0.3 (docs/ARCHITECTURE.md): Python-to-Java is one bulk
 * {@link Value#readBuffer} (about 2 us for 64 KiB), but the polyglot API has no bulk write, and
 * {@code bytes(java_byte_array)} in Python copies element by element (about 23 ns a byte). The
 * fastest way found into Python is to write eight bytes per interop call into a Python
 * {@code bytearray} that the loop reuses.
 */
final class PythonBuffers {
    private PythonBuffers() {
    }

    /** Copies {@code src}'s remaining bytes into {@code dst} at offset 0; returns the count. */
    static int copyInto(ByteBuffer src, Value dst) {
        int n = src.remaining();
        int base = src.position();
        ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            dst.writeBufferLong(ByteOrder.LITTLE_ENDIAN, i, le.getLong(base + i));
        }
        for (; i < n; i++) {
            dst.writeBufferByte(i, le.get(base + i));
        }
        return n;
    }

    /** A Java copy of a Python bytes-like object. */
    static byte[] copyOf(Value data) {
        int n = (int) data.getBufferSize();
        byte[] out = new byte[n];
        if (n > 0) {
            data.readBuffer(0, out, 0, n);
        }
        return out;
    }

    /** How many bytes a Python buffer can take, capped at {@code max}. */
    static int capacity(Value buffer, int max) {
        return (int) Math.min(buffer.getBufferSize(), max);
    }
}
