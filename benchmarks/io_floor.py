"""The least any loop has to do per echo round trip, with no loop at all: how fast can the
Protocol echo and UDP echo workloads of loop_bench.py go on this runtime?

Each mode runs the workload's exchange (the same messages, the same check of every echo) as one
straight Python function that makes exactly the calls a loop cannot do without: per hop one
write, one wait for readiness, one read, and a `bytes` for the protocol. No ready queue, no
handles, no transports, no protocol objects, no futures.

* On GraalPy (``launcher/rloop-graalpy --no-daemon benchmarks/io_floor.py``) the calls go to
  rloop's own Java core as the loop makes them: `StreamChannel`/`DatagramPort` writes from the
  Java array behind a `bytes`, reads into the loop's receive buffer, `LoopCore.waitFor`. Its
  rate bounds what rloop, or any loop built on GraalPy and java.nio, can reach.
* On CPython (``python3 benchmarks/io_floor.py``) the same with non-blocking sockets and
  `select.epoll`: the kernel's part, which uvloop pays too.

Rounds repeat until the JIT is idle (as loop_bench.py decides it), then --rounds are measured;
the median is reported. Run both next to loop_bench.py's protocol_echo and udp_echo on uvloop in
the same session: a floor below uvloop's whole round trip means no design of this shape can
reach uvloop on that workload.
"""

import argparse
import json
import platform
import select
import socket
import statistics
import sys

from bench_core import BenchError, JitActivity, perf_counter
from loop_bench import SETTLE_BUSY, _SettleWatch
from net_workloads import LOCALHOST, MessageFormat, ProtocolEcho, UdpEcho

MODES = {"tcp": (ProtocolEcho, 1024), "udp": (UdpEcho, 100)}


# ---- GraalPy: rloop's Java channels, driven directly ----------------------------------------

class JavaChannelFloor:
    """A client and a server side on one `LoopCore`, the way rloop's loop opens them."""

    CLIENT, SERVER, LISTENER = 1, 2, 3

    def __init__(self, mode):
        import polyglot

        from rloop._bridge import bridge
        from rloop._buffers import ReadBuffer
        from rloop._network import _EVENT_BITS, _MORE

        self.event_bits, self.more = _EVENT_BITS, _MORE

        self.storage = polyglot.storage
        self.core = bridge.newCore()
        self.net = self.core.net()
        self.buf = ReadBuffer()
        if mode == "tcp":
            self._open_tcp()
        else:
            self._open_udp()

    def _ready_ids(self):
        """The ids of the channels the next wait finds ready (setting up only)."""
        event, ready = self.core.waitFor(5.0), set()
        while event >= 0:
            ready.add((event & self.event_bits) >> 5)
            if event < self.more:
                break
            event = self.core.nextEvent()
        if not ready:
            raise BenchError("nothing ready after 5 s while connecting")
        return ready

    def _wait_for(self, wanted):
        """Waits until channel `wanted` is ready; fails on an event for another channel."""
        event = self.core.waitFor(5.0)
        if event < 0:
            raise BenchError(f"nothing ready after 5 s while waiting for channel {wanted}")
        if (event & self.event_bits) >> 5 != wanted or event >= self.more:
            raise BenchError(f"event {event:#x} while waiting for channel {wanted} alone")

    def _open_tcp(self):
        listener = self.net.listenTcp(self.LISTENER, False, LOCALHOST, 0, 8, True, False)
        listener.setAccepting(True)
        self.client = self.net.connectTcp(self.CLIENT, False, LOCALHOST, listener.localPort(),
                                          None, 0)
        self.server = None
        connected = self.client.isConnected()
        while self.server is None or not connected:
            ready = self._ready_ids()
            if self.LISTENER in ready and self.server is None:
                self.server = listener.accept(self.SERVER)
            if self.CLIENT in ready and not connected:
                if self.client.finishConnect() < 0:
                    raise BenchError("connect failed")
                connected = self.client.isConnected()
        listener.close()
        self.client.setReading(True)
        self.server.setReading(True)
        self.closers = [self.client, self.server]

    def _open_udp(self):
        self.server = self.net.openDatagram(self.SERVER, False, LOCALHOST, 0, False, False, False)
        self.client = self.net.openDatagram(self.CLIENT, False, LOCALHOST, 0, False, False, False)
        if self.client.connect(LOCALHOST, self.server.localPort()) != 0:
            raise BenchError("UDP connect failed")
        self.client.setReading(True)
        self.server.setReading(True)
        self.closers = [self.client, self.server]

    def tcp(self, messages, n):
        storage, wait, buf = self.storage, self._wait_for, self.buf
        java, size, take = buf.java, buf.SIZE, buf.take
        client, server = self.client, self.server
        for seq in range(n):
            msg = messages.make(0, seq)
            client.writeShared(storage(msg), len(msg))
            wait(self.SERVER)
            got = server.read(java, size)
            data = take(got)
            server.writeShared(storage(data), got)
            wait(self.CLIENT)
            got = client.read(java, size)
            if take(got) != msg:  # a 1 KiB echo over loopback arrives whole
                raise BenchError(f"echo {seq}: {got} bytes, not the {len(msg)} sent")

    def udp(self, messages, n):
        storage, wait, buf = self.storage, self._wait_for, self.buf
        java, size, take = buf.java, buf.SIZE, buf.take
        client, server = self.client, self.server
        peer = None
        for seq in range(n):
            msg = messages.make(0, seq)
            client.send(storage(msg), len(msg), None, -1)
            wait(self.SERVER)
            got = server.receive(java, size) & 0xFFFFF
            data = take(got)
            if peer is None:  # the loop keeps the address tuple per sender id the same way
                peer = (server.sourceHost(), server.sourcePort())
            server.send(storage(data), got, peer[0], peer[1])
            wait(self.CLIENT)
            got = client.receive(java, size) & 0xFFFFF
            if take(got) != msg:
                raise BenchError(f"echo {seq}: {got} bytes, not the {len(msg)} sent")

    def close(self):
        for channel in self.closers:
            channel.close()
        self.core.close()


# ---- CPython: plain sockets and epoll -----------------------------------------------------------

class EpollFloor:
    """The same exchange over non-blocking sockets, waiting in `select.epoll`. Reads go into one
    256 KiB buffer, then a `bytes` of what came, as uvloop's and rloop's do: `recv(262144)` would
    allocate (and on this VM map and unmap) 256 KiB per call, 45 us of a 51 us send+recv here."""

    def __init__(self, mode):
        self.buf = bytearray(262144)
        self.view = memoryview(self.buf)
        self.poll = select.epoll()
        if mode == "tcp":
            listener = socket.create_server((LOCALHOST, 0))
            self.client = socket.create_connection(listener.getsockname())
            self.server, _ = listener.accept()
            listener.close()
            for s in (self.client, self.server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            self.server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.server.bind((LOCALHOST, 0))
            self.client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.client.connect(self.server.getsockname())
        for s in (self.client, self.server):
            s.setblocking(False)
            self.poll.register(s.fileno(), select.EPOLLIN)

    def _wait_for(self, sock):
        events = self.poll.poll(5.0)
        if [fd for fd, _ in events] != [sock.fileno()]:
            raise BenchError(f"epoll gave {events} while waiting for fd {sock.fileno()}")

    def tcp(self, messages, n):
        wait, client, server, buf, view = self._wait_for, self.client, self.server, self.buf, self.view
        for seq in range(n):
            msg = messages.make(0, seq)
            client.send(msg)
            wait(server)
            server.send(bytes(view[:server.recv_into(buf)]))
            wait(client)
            if bytes(view[:client.recv_into(buf)]) != msg:
                raise BenchError(f"echo {seq} differs from what was sent")

    def udp(self, messages, n):
        wait, client, server, buf, view = self._wait_for, self.client, self.server, self.buf, self.view
        for seq in range(n):
            msg = messages.make(0, seq)
            client.send(msg)
            wait(server)
            got, addr = server.recvfrom_into(buf)
            server.sendto(bytes(view[:got]), addr)
            wait(client)
            if bytes(view[:client.recv_into(buf)]) != msg:
                raise BenchError(f"echo {seq} differs from what was sent")

    def close(self):
        self.poll.close()
        self.view.release()
        self.client.close()
        self.server.close()


# ---- runner -------------------------------------------------------------------------------------

def measure(mode, warmup, rounds, warmup_limit, verbose):
    workload, size = MODES[mode]
    messages = MessageFormat(size)
    n = workload.n_full
    on_graalpy = sys.implementation.name == "graalpy"
    floor = JavaChannelFloor(mode) if on_graalpy else EpollFloor(mode)
    exchange = getattr(floor, mode)
    jit = JitActivity()
    watch = _SettleWatch(jit) if jit.available else None
    times = []
    warm_rounds, started, settled = 0, perf_counter(), not jit.available
    try:
        while True:
            t0 = perf_counter()
            exchange(messages, n)
            elapsed = perf_counter() - t0
            warming = len(times) == 0 and not (warm_rounds >= warmup and (
                settled or perf_counter() - started >= warmup_limit))
            if warming:
                warm_rounds += 1
                if watch is not None and warm_rounds >= warmup:
                    busy = watch.busy()
                    if busy is not None:
                        settled = busy < SETTLE_BUSY
                        watch.restart()
                if verbose:
                    print(f"  warm-up {warm_rounds}: {n / elapsed:,.0f} round trips/s", flush=True)
                continue
            times.append(elapsed)
            if len(times) == rounds:
                break
    finally:
        floor.close()
    rates = sorted(n / t for t in times)
    return {"mode": mode, "n": n, "rate": statistics.median(rates),
            "spread": (rates[-1] - rates[0]) / statistics.median(rates),
            "rounds": rounds, "warmup_rounds": warm_rounds,
            "warmup_s": round(perf_counter() - started - sum(times), 1),
            "jit_settled": settled if jit.available else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modes", nargs="*", metavar="MODE",
                        help=f"what to echo: {', '.join(MODES)} (default: both)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up rounds at least")
    parser.add_argument("--warmup-limit", type=float, default=300.0,
                        help="seconds after which warm-up ends even if the JIT is busy")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    for mode in args.modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}: choose from {', '.join(MODES)}")
    args.modes = args.modes or list(MODES)
    runtime = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"io_floor on {runtime}: {'rloop Java channels' if sys.implementation.name == 'graalpy' else 'sockets + epoll'}")
    results = []
    for mode in args.modes:
        res = measure(mode, args.warmup, args.rounds, args.warmup_limit, args.verbose)
        results.append(res)
        us = 1e6 / res["rate"]
        print(f"{mode}: {res['rate']:,.0f} round trips/s ({us:.1f} us each), spread "
              f"{res['spread']:.0%}; warm-up {res['warmup_rounds']} rounds, {res['warmup_s']} s"
              f"{'' if res['jit_settled'] in (None, True) else ', JIT still busy'}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runtime": runtime, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
