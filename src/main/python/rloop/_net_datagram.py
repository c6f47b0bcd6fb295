"""The loop's UDP endpoints: create_datagram_endpoint over Java datagram channels, with the
stdlib's checks and address pairing. Unix datagram sockets are refused: java.nio has none.
"""

import errno
import os
import socket

from asyncio import base_events
from asyncio.log import logger

from ._datagram import DatagramTransport
from ._sockets import AF_UNIX, ChannelSocket, channel_error, os_error
from ._transport import transport_ready


class DatagramMixin:
    """create_datagram_endpoint and its address resolution."""

    async def create_datagram_endpoint(
            self, protocol_factory, local_addr=None, remote_addr=None, *, family=0, proto=0,
            flags=0, reuse_port=None, allow_broadcast=None,
            sock=None):
        if sock is not None:
            if sock.type == socket.SOCK_STREAM:
                raise ValueError(f"A datagram socket was expected, got {sock!r}")
            if (local_addr or remote_addr or family or proto or flags or reuse_port
                    or allow_broadcast):
                opts = dict(local_addr=local_addr, remote_addr=remote_addr, family=family,
                            proto=proto, flags=flags, reuse_port=reuse_port,
                            allow_broadcast=allow_broadcast)
                problems = ", ".join(f"{k}={v}" for k, v in opts.items() if v)
                raise ValueError(
                    f"socket modifier keyword arguments can not be used "
                    f"when sock is specified. ({problems})")
            return await base_events.BaseEventLoop.create_datagram_endpoint(
                self, protocol_factory, sock=sock)
        if not (local_addr or remote_addr):
            if family == 0:
                raise ValueError("unexpected address family")
            pairs = [((family, proto), (None, None))]
        elif family == AF_UNIX:
            for addr in (local_addr, remote_addr):
                if addr is not None and not isinstance(addr, str):
                    raise TypeError("string is expected")
            raise NotImplementedError(
                "rloop does not implement Unix datagram sockets: java.nio has no AF_UNIX "
                "datagram channel")
        else:
            pairs = await self._datagram_address_pairs(local_addr, remote_addr, family,
                                                       proto, flags)
        if reuse_port and not hasattr(socket, "SO_REUSEPORT"):
            raise ValueError("reuse_port not supported by socket module")

        exceptions = []
        for (fam, pro), (local, remote) in pairs:
            port, r_addr = self._open_datagram(fam, local, remote, reuse_port, allow_broadcast,
                                               exceptions)
            if port is not None:
                break
        else:
            raise exceptions[0]
        sock = ChannelSocket(port, fam, socket.SOCK_DGRAM, pro)
        protocol = protocol_factory()
        waiter = self.create_future()
        transport = DatagramTransport(self, port, sock, protocol, r_addr, waiter)
        if self._debug:
            if local_addr:
                logger.info("Datagram endpoint local_addr=%r remote_addr=%r created: (%r, %r)",
                            local_addr, remote_addr, transport, protocol)
            else:
                logger.debug("Datagram endpoint remote_addr=%r created: (%r, %r)",
                             remote_addr, transport, protocol)
        return await transport_ready(transport, protocol, waiter)

    async def _datagram_address_pairs(self, local_addr, remote_addr, family, proto, flags):
        addr_infos = {}  # (family, proto) -> [local, remote], in resolution order
        for idx, addr in ((0, local_addr), (1, remote_addr)):
            if addr is None:
                continue
            if not (isinstance(addr, tuple) and len(addr) == 2):
                raise TypeError("2-tuple is expected")
            infos = await self._ensure_resolved(addr, family=family, type=socket.SOCK_DGRAM,
                                                proto=proto, flags=flags, loop=self)
            if not infos:
                raise OSError("getaddrinfo() returned empty list")
            for fam, _, pro, _, address in infos:
                addr_infos.setdefault((fam, pro), [None, None])[idx] = address
        pairs = [(key, pair) for key, pair in addr_infos.items()
                 if not ((local_addr and pair[0] is None) or (remote_addr and pair[1] is None))]
        if not pairs:
            raise ValueError("can not get address information")
        return pairs

    def _open_datagram(self, family, local, remote, reuse_port, allow_broadcast, exceptions):
        if family not in (socket.AF_INET, socket.AF_INET6):
            exceptions.append(OSError(errno.EAFNOSUPPORT, os.strerror(errno.EAFNOSUPPORT)))
            return None, None
        v6 = family == socket.AF_INET6
        if local is None:
            local = ("::" if v6 else "0.0.0.0", 0)  # bound, so it can receive at once
        port = self._net.openDatagram(self._new_channel_id(), v6, local[0], local[1], False,
                                      bool(reuse_port), bool(allow_broadcast))
        if port is None:
            exceptions.append(os_error(self._net.errno()))
            return None, None
        r_addr = None
        if remote is not None:
            if not allow_broadcast and port.connect(remote[0], remote[1]) != 0:
                exceptions.append(channel_error(port))
                port.close()
                return None, None
            r_addr = remote
        return port, r_addr
