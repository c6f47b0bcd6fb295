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
the median is reported. A floor below uvloop's whole round trip means no loop of this shape can
reach uvloop on that workload. This VM's speed drifts by up to 1.5x from one minute to the next,
so the comparison is made in one run that alternates between the two runtimes:

    python3 benchmarks/io_floor.py --compare 'launcher/rloop-graalpy --no-daemon' [--cycles 5]

CPython (with uvloop) starts the GraalPy side, which warms the floor and rloop's own
protocol_echo/udp_echo, then each cycle times, one after the other, GraalPy's floor and rloop's
workload there, uvloop's workload and CPython's floor here.
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
        # read off the Java object once, as the loop does (rloop._buffers.ChannelWriter says why)
        self.wait = self.core.waitFor
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
        event = self.wait(5.0)
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
        client_write, client_read = self.client.writeShared, self.client.read
        server_write, server_read = self.server.writeShared, self.server.read
        for seq in range(n):
            msg = messages.make(0, seq)
            client_write(storage(msg), len(msg))
            wait(self.SERVER)
            got = server_read(java, size)
            data = take(got)
            server_write(storage(data), got)
            wait(self.CLIENT)
            got = client_read(java, size)
            if take(got) != msg:  # a 1 KiB echo over loopback arrives whole
                raise BenchError(f"echo {seq}: {got} bytes, not the {len(msg)} sent")

    def udp(self, messages, n):
        storage, wait, buf = self.storage, self._wait_for, self.buf
        java, size, take = buf.java, buf.SIZE, buf.take
        server = self.server
        client_send, client_receive = self.client.send, self.client.receive
        server_send, server_receive = server.send, server.receive
        peer = None
        for seq in range(n):
            msg = messages.make(0, seq)
            client_send(storage(msg), len(msg), None, -1)
            wait(self.SERVER)
            got = server_receive(java, size) & 0xFFFFF
            data = take(got)
            if peer is None:  # the loop keeps the address tuple per sender id the same way
                peer = (server.sourceHost(), server.sourcePort())
            server_send(storage(data), got, peer[0], peer[1])
            wait(self.CLIENT)
            got = client_receive(java, size) & 0xFFFFF
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

class Timed:
    """One thing to time round after round: `once()` runs a round and returns its seconds."""

    def __init__(self, once, n):
        self.once, self.n = once, n

    def warm(self, warmup, warmup_limit, verbose, label):
        """Rounds until the JIT is idle (as loop_bench.py decides it), at least `warmup` of
        them, at most `warmup_limit` seconds: (rounds, seconds, JIT idle or None)."""
        jit = JitActivity()
        watch = _SettleWatch(jit) if jit.available else None
        settled, rounds, started = None, 0, perf_counter()
        while True:
            dt = self.once()
            rounds += 1
            if verbose:
                print(f"  {label} warm-up {rounds}: {self.n / dt:,.0f} round trips/s",
                      file=sys.stderr, flush=True)
            if rounds < warmup:
                continue
            if watch is None:
                break
            busy = watch.busy()
            if busy is not None:
                settled = busy < SETTLE_BUSY
                watch.restart()
                if settled:
                    break
            if perf_counter() - started >= warmup_limit:
                break
        return rounds, round(perf_counter() - started, 1), settled

    def rate(self, rounds):
        """The median rate of `rounds` rounds, and their spread."""
        rates = sorted(self.n / self.once() for _ in range(rounds))
        median = statistics.median(rates)
        return median, (rates[-1] - rates[0]) / median


def floor_timed(mode):
    """A Timed for this runtime's floor of `mode`, and what to close afterwards."""
    workload, size = MODES[mode]
    messages, n = MessageFormat(size), workload.n_full
    floor = JavaChannelFloor(mode) if sys.implementation.name == "graalpy" else EpollFloor(mode)
    exchange = getattr(floor, mode)

    def once():
        t0 = perf_counter()
        exchange(messages, n)
        return perf_counter() - t0
    return Timed(once, n), floor


def loop_timed(mode, kind):
    """A Timed for loop_bench.py's workload of `mode` on a fresh loop of `kind`."""
    from loop_bench import LOOP_FACTORIES
    workload = MODES[mode][0]
    work, loop = workload(workload.n_full), LOOP_FACTORIES[kind]()
    return Timed(lambda: work.run(loop), work.n), loop


def measure(mode, warmup, rounds, warmup_limit, verbose):
    timed, floor = floor_timed(mode)
    try:
        warm_rounds, warm_s, settled = timed.warm(warmup, warmup_limit, verbose, mode)
        rate, spread = timed.rate(rounds)
    finally:
        floor.close()
    return {"mode": mode, "n": timed.n, "rate": rate, "spread": spread, "rounds": rounds,
            "warmup_rounds": warm_rounds, "warmup_s": warm_s, "jit_settled": settled}


def serve(modes, warmup, rounds, warmup_limit, verbose):
    """The GraalPy side of --compare: warms the floor and rloop's workload of every mode, says
    "ready", then answers each mode name read from stdin with one JSON line of their rates."""
    timed, closers = {}, []
    try:
        for mode in modes:
            floor, closer = floor_timed(mode)
            closers.append(closer)
            on_loop, loop = loop_timed(mode, "rloop")
            closers.append(loop)
            timed[mode] = {"floor": floor, "rloop": on_loop}
            for name, t in timed[mode].items():
                warm = t.warm(warmup, warmup_limit, verbose, f"{mode} {name}")
                print(f"{mode} {name}: warm after {warm[0]} rounds, {warm[1]} s, JIT idle: "
                      f"{warm[2]}", file=sys.stderr, flush=True)
        print("ready", flush=True)
        for line in sys.stdin:
            mode = line.strip()
            answer = {name: t.rate(rounds)[0] for name, t in timed[mode].items()}
            print(json.dumps(answer), flush=True)
    finally:
        for closer in closers:
            closer.close()


def compare(command, modes, cycles, warmup, rounds, warmup_limit, verbose):
    """Runs on CPython: starts `command io_floor.py --serve` (GraalPy) and, once it is warm,
    alternates with it cycle after cycle, so that every figure of a cycle comes from the same
    minute of this VM's changing speed: GraalPy's floor and rloop's workload (the child), then
    uvloop's workload and CPython's floor (here)."""
    import shlex
    import subprocess
    argv = shlex.split(command) + [__file__, "--serve", *modes, "--rounds", str(rounds),
                                   "--warmup", str(warmup), "--warmup-limit", str(warmup_limit)]
    if verbose:
        argv.append("-v")
    here, child, rows = {}, None, []
    try:
        for mode in modes:
            here[mode, "uvloop"] = loop_timed(mode, "uvloop")
            here[mode, "cpython_floor"] = floor_timed(mode)
            for name in ("uvloop", "cpython_floor"):
                here[mode, name][0].warm(warmup, 0, False, name)
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if child.stdout.readline().strip() != "ready":
            raise BenchError(f"{command}: the GraalPy side ended before it was warm")
        for cycle in range(cycles):
            for mode in modes:
                child.stdin.write(mode + "\n")
                child.stdin.flush()
                answer = child.stdout.readline()
                if not answer:
                    raise BenchError(f"{command}: the GraalPy side ended")
                row = {"cycle": cycle + 1, "mode": mode, **json.loads(answer)}
                for name in ("uvloop", "cpython_floor"):
                    row[name] = here[mode, name][0].rate(rounds)[0]
                rows.append(row)
                print(f"cycle {cycle + 1} {mode}: " + ", ".join(
                    f"{k} {row[k]:,.0f}" for k in ("rloop", "floor", "uvloop", "cpython_floor"))
                    + f"; GraalPy floor/uvloop {row['floor'] / row['uvloop']:.2f}", flush=True)
    finally:
        if child is not None:
            child.stdin.close()
            child.wait()
        for t, closer in here.values():
            closer.close()
    return rows


def _summary(rows, modes):
    print("median over the cycles (round trips/s):")
    for mode in modes:
        mine = [r for r in rows if r["mode"] == mode]
        med = {k: statistics.median(r[k] for r in mine)
               for k in ("rloop", "floor", "uvloop", "cpython_floor")}
        ratios = sorted(r["floor"] / r["uvloop"] for r in mine)
        print(f"  {mode}: rloop {med['rloop']:,.0f}, GraalPy floor {med['floor']:,.0f}, "
              f"uvloop {med['uvloop']:,.0f}, CPython floor {med['cpython_floor']:,.0f}; "
              f"rloop/uvloop {med['rloop'] / med['uvloop']:.2f}; GraalPy floor/uvloop per cycle "
              f"{ratios[0]:.2f}-{ratios[-1]:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modes", nargs="*", metavar="MODE",
                        help=f"what to echo: {', '.join(MODES)} (default: both)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up rounds at least")
    parser.add_argument("--warmup-limit", type=float, default=300.0,
                        help="seconds after which warm-up ends even if the JIT is busy")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--compare", metavar="COMMAND",
                        help="(on CPython with uvloop) alternate with the floor and rloop run "
                             "by this GraalPy command, cycle after cycle")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    for mode in args.modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}: choose from {', '.join(MODES)}")
    args.modes = args.modes or list(MODES)
    if args.serve:
        serve(args.modes, args.warmup, args.rounds, args.warmup_limit, args.verbose)
        return
    runtime = f"{platform.python_implementation()} {platform.python_version()}"
    if args.compare:
        results = compare(args.compare, args.modes, args.cycles, args.warmup, args.rounds,
                          args.warmup_limit, args.verbose)
        _summary(results, args.modes)
    else:
        on = "rloop Java channels" if sys.implementation.name == "graalpy" else "sockets + epoll"
        print(f"io_floor on {runtime}: {on}")
        results = []
        for mode in args.modes:
            res = measure(mode, args.warmup, args.rounds, args.warmup_limit, args.verbose)
            results.append(res)
            print(f"{mode}: {res['rate']:,.0f} round trips/s ({1e6 / res['rate']:.1f} us each), "
                  f"spread {res['spread']:.0%}; warm-up {res['warmup_rounds']} rounds, "
                  f"{res['warmup_s']} s{'' if res['jit_settled'] in (None, True) else ', JIT still busy'}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runtime": runtime, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
