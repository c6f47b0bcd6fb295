"""Numeric addresses recognised without ``getaddrinfo``.

asyncio skips name resolution for a host that is already an IP address (``create_connection``,
``create_server``, ``sendto``...): its check asks ``socket.inet_pton`` whether the host parses.
On GraalPy 25.0.3 ``socket.inet_pton(AF_INET, "127.0.0.1")`` raises ``OSError`` ("illegal IP
address string passed to inet_pton"), so the check never succeeds there, and every connection to
an IP address went through ``getaddrinfo`` on the default executor: a thread hand-off each way,
with GIL hand-offs, and the executor's worker threads woken for it. rloop recognises IP literals
itself, with the same rules as ``inet_pton`` (dotted-quad IPv4 with no leading zeros, IPv6 text
forms), and answers with the address information asyncio's check would have given.
"""

import socket

_HAS_IPV6 = hasattr(socket, "AF_INET6")
_PROTOCOL_FOR_TYPE = {socket.SOCK_STREAM: socket.IPPROTO_TCP,
                      socket.SOCK_DGRAM: socket.IPPROTO_UDP}
_DIGITS = frozenset("0123456789")


def is_ipv4_literal(host):
    """Whether `host` (str) is what inet_pton(AF_INET) accepts: four decimal parts 0-255, no
    leading zeros, nothing else."""
    parts = host.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part or len(part) > 3 or not _DIGITS.issuperset(part):
            return False
        if part[0] == "0" and len(part) > 1:
            return False
        if int(part) > 255:
            return False
    return True


def is_ipv6_literal(host):
    """Whether `host` (str) is what inet_pton(AF_INET6) accepts (no zone index)."""
    if ":" not in host or "%" in host:
        return False
    import ipaddress  # only IPv6 hosts need it
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


def _port_number(port):
    """The port as an int, 0 for none, or None for a service name (which needs getaddrinfo)."""
    if port is None or port == "" or port == b"":
        return 0
    try:
        return int(port)
    except (TypeError, ValueError):
        return None


def numeric_info(host, port, family, type, proto, flowinfo=0, scopeid=0):
    """The one ``getaddrinfo`` entry for an IP-address `host`, as ``(family, type, proto, '',
    sockaddr)``, or None when resolution is needed (a name, a service name for the port, a zone
    index, a socket type or protocol getaddrinfo has to decide)."""
    if host is None or proto not in (0, socket.IPPROTO_TCP, socket.IPPROTO_UDP):
        return None
    proto = _PROTOCOL_FOR_TYPE.get(type)
    if proto is None:
        return None
    port = _port_number(port)
    if port is None:
        return None
    if isinstance(host, bytes):
        host = host.decode("idna")
    if family in (socket.AF_UNSPEC, socket.AF_INET) and is_ipv4_literal(host):
        return socket.AF_INET, type, proto, "", (host, port)
    if (_HAS_IPV6 and family in (socket.AF_UNSPEC, socket.AF_INET6)
            and is_ipv6_literal(host)):
        return socket.AF_INET6, type, proto, "", (host, port, flowinfo, scopeid)
    return None
