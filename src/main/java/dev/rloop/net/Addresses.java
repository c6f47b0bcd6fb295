package dev.rloop.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;

/**
 * Socket addresses from what Python passes: numeric hosts only (Python resolves names with
 * {@code getaddrinfo} first, off the loop thread), or a filesystem path for Unix sockets.
 */
final class Addresses {
    private Addresses() {
    }

    /** A numeric IPv4/IPv6 address and port; an empty or null host means the wildcard. */
    static InetSocketAddress inet(String host, int port) throws UnknownHostException {
        if (host == null || host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        // getByName does no lookup for a literal; Python only sends literals
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    static SocketAddress unix(String path) {
        return UnixDomainSocketAddress.of(path);
    }

    /** An address as Python's socket module prints it: no brackets, no zone for plain IPv6. */
    static String format(InetAddress address) {
        String s = address.getHostAddress();
        if (address instanceof Inet6Address v6 && v6.getScopeId() == 0) {
            int zone = s.indexOf('%');
            if (zone >= 0) {
                s = s.substring(0, zone);
            }
            return compress(s);
        }
        return s;
    }

    /** Java writes IPv6 addresses uncompressed ("0:0:0:0:0:0:0:1"); Python writes "::1". */
    static String compress(String full) {
        String[] parts = full.split(":");
        if (parts.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (Integer.parseInt(parts[i], 16) == 0) {
                int j = i;
                while (j < 8 && Integer.parseInt(parts[j], 16) == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(Integer.parseInt(parts[i], 16)));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
