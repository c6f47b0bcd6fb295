package dev.rloop.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Locale;

/**
 * Turns the exceptions of {@code java.nio} into the errno values Python's {@code OSError} expects.
 *
 * <p>Java reports socket errors as exception classes and the C library's message text, with no
 * errno; Python code (and asyncio's tests of user code) branch on {@code OSError.errno} and on the
 * subclass Python derives from it ({@code ConnectionResetError} for {@code ECONNRESET}). So the
 * channels never throw into Python: they remember the errno and a message, and the Python side
 * raises {@code OSError(errno, message)}, which picks the right subclass by itself.
 */
public final class NetErrors {
    // Linux errno values: the JDK runs on Linux here and Python's errno module agrees with them.
    public static final int EPERM = 1;
    public static final int EBADF = 9;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int EISCONN = 106;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int ENOENT = 2;
    public static final int EIO = 5;

    private NetErrors() {
    }

    /** The errno that best describes {@code e}, checked or not. */
    public static int errno(Exception e) {
        return e instanceof IOException io ? errno(io) : errno((RuntimeException) e);
    }

    /** The errno that best describes {@code e}. */
    public static int errno(IOException e) {
        if (e instanceof PortUnreachableException) {
            return ECONNREFUSED;
        }
        if (e instanceof ConnectException) {
            return byMessage(e, ECONNREFUSED);
        }
        if (e instanceof BindException) {
            return byMessage(e, EADDRINUSE);
        }
        if (e instanceof NoRouteToHostException) {
            return EHOSTUNREACH;
        }
        if (e instanceof ClosedChannelException) {
            return EBADF;
        }
        if (e instanceof UnknownHostException) {
            return EINVAL;
        }
        return byMessage(e, EIO);
    }

    /** For exceptions java.nio throws unchecked. */
    public static int errno(RuntimeException e) {
        if (e instanceof UnresolvedAddressException || e instanceof UnsupportedAddressTypeException) {
            return EAFNOSUPPORT;
        }
        if (e instanceof AlreadyConnectedException) {
            return EISCONN;
        }
        return EINVAL;
    }

    private static int byMessage(Exception e, int fallback) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("connection reset")) {
            return ECONNRESET;
        }
        if (m.contains("broken pipe")) {
            return EPIPE;
        }
        if (m.contains("connection refused")) {
            return ECONNREFUSED;
        }
        if (m.contains("address already in use")) {
            return EADDRINUSE;
        }
        if (m.contains("cannot assign requested address")) {
            return EADDRNOTAVAIL;
        }
        if (m.contains("permission denied")) {
            return EACCES;
        }
        if (m.contains("network is unreachable")) {
            return ENETUNREACH;
        }
        if (m.contains("no route to host")) {
            return EHOSTUNREACH;
        }
        if (m.contains("timed out")) {
            return ETIMEDOUT;
        }
        if (m.contains("no such file")) {
            return ENOENT;
        }
        if (m.contains("software caused connection abort")) {
            return ECONNABORTED;
        }
        if (m.contains("address family not supported")) {
            return EAFNOSUPPORT;
        }
        if (m.contains("invalid argument")) {
            return EINVAL;
        }
        if (e instanceof SocketException && m.contains("closed")) {
            return EBADF;
        }
        return fallback;
    }
}
