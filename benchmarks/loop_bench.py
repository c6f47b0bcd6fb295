"""Event-loop micro-benchmarks: rloop against the stdlib asyncio loop.

Run on GraalPy (both loops, one JVM)::

    launcher/rloop-graalpy benchmarks/loop_bench.py [options]

or each workload on each loop in a JVM of its own, from any Python (what benchmarks/run does)::

    python3 benchmarks/loop_bench.py --fork 'launcher/rloop-graalpy --no-daemon' [options]

Run on CPython (the stdlib loop, and uvloop if it is installed)::

    python3 benchmarks/loop_bench.py --loops asyncio,uvloop

Every workload checks its own result (counts, ordering, sums) and fails loudly on a mismatch.
Each workload gets fresh loops (``rloop.new_event_loop()`` and ``asyncio.SelectorEventLoop()``;
the rloop launcher installs rloop's policy, so the policy is never used here). In one process,
rounds alternate between the loops so that noise from other processes on the machine hits both
alike. Warm-up
rounds are discarded: on GraalPy they go on, by default, until the JIT compilers are
idle (at least ``--warmup`` rounds; see ``_SettleWatch``); the report gives the median of the
remaining rounds.
"""

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile

from bench_core import BenchError, JitActivity, Workload, WorkloadSkipped, perf_counter
from net_workloads import NET_WORKLOADS
from proc_workloads import PROC_WORKLOADS
from tls_workloads import TLS_WORKLOADS
import results_meta


# ---- loops -----------------------------------------------------------------------------------

def _new_rloop():
    import rloop
    return rloop.new_event_loop()


def _new_stdlib():
    return asyncio.SelectorEventLoop()


def _new_uvloop():
    # for the CPython reference figures; uvloop does not exist on GraalPy
    import uvloop
    return uvloop.new_event_loop()


LOOP_FACTORIES = {"rloop": _new_rloop, "asyncio": _new_stdlib, "uvloop": _new_uvloop}


def _importable(module):
    try:
        __import__(module)
    except Exception:
        return False
    return True


def rloop_available():
    return _importable("rloop")


class _ErrorTrap:
    """An exception handler that records what a callback raised and stops the loop, so that a
    failing callback cannot leave the loop running for ever or go unnoticed."""

    def __init__(self):
        self.errors = []

    def __call__(self, loop, context):
        self.errors.append(context)
        loop.stop()

    def check(self):
        if self.errors:
            ctx = self.errors[0]
            exc = ctx.get("exception")
            msg = ctx.get("message", "")
            self.errors.clear()
            if isinstance(exc, NotImplementedError):
                raise exc  # a missing loop feature, reached from a callback: not a failure
            raise BenchError(f"loop exception handler called: {msg!r} exception={exc!r}") from exc


# ---- workloads -------------------------------------------------------------------------------
# Each workload is a class (bench_core.Workload): set up once per workload in __init__(n)
# (untimed), then run(loop) per round, returning the elapsed seconds of the timed part; run()
# raises BenchError on a wrong result, NotImplementedError when the loop lacks what it needs.
# The network workloads live in net_workloads.py.

class FanOut(Workload):
    name = "fan_out"
    title = "call_soon fan-out"
    unit = "callbacks/s"
    n_full = 200_000
    n_quick = 20_000

    def run(self, loop):
        n = self.n
        state = [0, 0]  # next expected index, out-of-order count

        def cb(i):
            if i != state[0]:
                state[1] += 1
            state[0] += 1
            if state[0] == n:
                loop.stop()

        def start():
            call_soon = loop.call_soon
            for i in range(n):
                call_soon(cb, i)

        loop.call_soon(start)
        t0 = perf_counter()
        loop.run_forever()
        dt = perf_counter() - t0
        if state[0] != n:
            raise BenchError(f"{state[0]} of {n} callbacks ran")
        if state[1]:
            raise BenchError(f"{state[1]} callbacks ran out of call_soon order")
        return dt


class Chain(Workload):
    name = "chain"
    title = "call_soon chain"
    unit = "callbacks/s"
    n_full = 20_000
    n_quick = 2_000

    def run(self, loop):
        n = self.n
        state = [0, 0]  # steps done, wrong-step count

        def step(i):
            if i != state[0]:
                state[1] += 1
            state[0] += 1
            if i + 1 < n:
                loop.call_soon(step, i + 1)
            else:
                loop.stop()

        loop.call_soon(step, 0)
        t0 = perf_counter()
        loop.run_forever()
        dt = perf_counter() - t0
        if state[0] != n:
            raise BenchError(f"{state[0]} of {n} chain steps ran")
        if state[1]:
            raise BenchError(f"{state[1]} chain steps ran out of order")
        return dt


class SeqTasks(Workload):
    name = "seq_tasks"
    title = "sequential create_task+await"
    unit = "tasks/s"
    n_full = 3_000
    n_quick = 300

    def run(self, loop):
        n = self.n

        async def coro(i):
            return i * 2

        async def main():
            create_task = loop.create_task
            total = 0
            for i in range(n):
                total += await create_task(coro(i))
            return total

        t0 = perf_counter()
        total = loop.run_until_complete(main())
        dt = perf_counter() - t0
        if total != n * (n - 1):
            raise BenchError(f"sum of task results is {total}, expected {n * (n - 1)}")
        return dt


class Gather(Workload):
    name = "gather"
    title = "gather of tasks (sleep(0) once)"
    unit = "tasks/s"
    n_full = 10_000
    n_quick = 2_000

    def run(self, loop):
        n = self.n

        async def one(i):
            await asyncio.sleep(0)
            return i

        async def main():
            return await asyncio.gather(*[one(i) for i in range(n)])

        t0 = perf_counter()
        results = loop.run_until_complete(main())
        dt = perf_counter() - t0
        if len(results) != n:
            raise BenchError(f"gather returned {len(results)} results, expected {n}")
        if sum(results) != n * (n - 1) // 2:
            raise BenchError(f"sum of gather results is {sum(results)}, expected {n * (n - 1) // 2}")
        if results != list(range(n)):
            raise BenchError("gather results are not in argument order")
        return dt


class Timers(Workload):
    name = "timers"
    title = "call_later, 30% cancelled"
    unit = "timers/s"
    n_full = 50_000
    n_quick = 5_000
    max_delay = 0.010  # delays are drawn from 0..10 ms

    def __init__(self, n):
        super().__init__(n)
        rng = random.Random(20260101 + n)
        # microsecond steps, so that many timers share a millisecond but few share a `when`
        self.delays = [rng.randint(0, 10_000) / 1e6 for _ in range(n)]
        self.cancel = rng.sample(range(n), n * 3 // 10)
        cancelled = set(self.cancel)
        self.expected = frozenset(i for i in range(n) if i not in cancelled)

    def run(self, loop):
        n = self.n
        delays = self.delays
        cancel = self.cancel
        expected = len(self.expected)
        handles = [None] * n
        ran = []
        fired = []  # loop.time() when each timer in `ran` ran
        span = [0.0, 0.0]  # loop.time() when the scheduling callback began and ended

        def fire(i):
            ran.append(i)
            fired.append(loop.time())
            if len(ran) == expected:
                loop.stop()

        def start():
            span[0] = loop.time()
            call_later = loop.call_later
            for i in range(n):
                handles[i] = call_later(delays[i], fire, i)
            for i in cancel:
                handles[i].cancel()
            span[1] = loop.time()

        loop.call_soon(start)
        t0 = perf_counter()
        loop.run_forever()
        dt = perf_counter() - t0
        if len(ran) != expected:
            raise BenchError(f"{len(ran)} timers ran, expected {expected}")
        ran_set = set(ran)
        if len(ran_set) != len(ran):
            raise BenchError(f"{len(ran) - len(ran_set)} timers ran more than once")
        if ran_set != self.expected:
            bad = sorted(ran_set - self.expected)[:5]
            missing = sorted(self.expected - ran_set)[:5]
            raise BenchError(f"wrong timers ran: cancelled-but-ran e.g. {bad}, "
                             f"not-run e.g. {missing}")
        # A timer may run up to the loop's clock resolution early (asyncio's own rule; uvloop
        # keeps whole milliseconds). A loop may also read its clock once per iteration, as
        # libuv does, and count a timer's delay from that reading rather than from the
        # call_later, so the tolerance grows by what the scheduling callback took. uvloop hands
        # back a plain Handle, without when(), for a delay it rounds to zero milliseconds: that
        # timer is due once scheduled. (Worked out here, after the timed run.)
        tolerance = getattr(loop, "_clock_resolution", 1e-3) + 1e-6 + (span[1] - span[0])
        order = []
        early = 0
        for i, at in zip(ran, fired):
            when = getattr(handles[i], "when", None)
            when = when() if when is not None else span[1]
            order.append(when)
            if at + tolerance < when:
                early += 1
        for k in range(1, len(order)):
            if order[k] + tolerance < order[k - 1]:
                raise BenchError(f"timers ran out of `when` order at position {k}: "
                                 f"{order[k - 1]!r} then {order[k]!r}")
        if early:
            raise BenchError(f"{early} timers ran before their `when`")
        return dt


SCHEDULING_WORKLOADS = [FanOut, Chain, SeqTasks, Gather, Timers]
WORKLOADS = SCHEDULING_WORKLOADS + NET_WORKLOADS + TLS_WORKLOADS + PROC_WORKLOADS
WORKLOAD_NAMES = [w.name for w in WORKLOADS]
# names --only also accepts, for a whole group
WORKLOAD_GROUPS = {"scheduling": [w.name for w in SCHEDULING_WORKLOADS],
                   "net": [w.name for w in NET_WORKLOADS],
                   "tls": [w.name for w in TLS_WORKLOADS],
                   "proc": [w.name for w in PROC_WORKLOADS]}


# ---- runner ----------------------------------------------------------------------------------

# Warm-up ends, after the --warmup rounds, once the JIT compilers were busy for less than this share
# of the wall time during a window of at least SETTLE_WINDOW seconds.
SETTLE_BUSY = 0.05
SETTLE_WINDOW = 3.0
# The compilers can start again after a quiet window (a late deoptimization, a call target that
# only now got hot): measured rounds during which they were busy for more than this share of the
# wall time were not settled code, so they become warm-up rounds and the workload is warmed up and
# measured again, at most REMEASURE_MAX more times, within the --warmup-limit (seen 2026-12-03:
# seq_tasks measured at 330k tasks/s with the compilers 120% busy, where a traced run settled at
# 610-620k; bulk at 1.45 GB/s with them 175% busy, where it settled at 2.0-2.2 GB/s). A quarter,
# not a half: a busy compiler takes CPU from the loop thread on a 2-core machine (seen 2026-12-03,
# streams echo at 150 s: C2 and Truffle's compiler 65% and 72% of a core, the loop thread running
# 68% of the wall time and waiting 39% for a CPU; and streams echo with 50 connections measured
# with the compilers 60% busy while its rounds were still getting faster, 0.77x uvloop).
REMEASURE_BUSY = float(os.environ.get("RLOOP_BENCH_REMEASURE_BUSY", 0.25))
REMEASURE_MAX = 2
# Quiet compilers are not the whole of settling: measured rounds whose slowest took more than this
# many times the fastest (with the compilers quiet) were still changing, and are measured again the
# same way (seen 2026-12-03: seq_tasks' warm-up ended on a plateau of 14.4 ms rounds, and its
# measured rounds went 182, 61, 15.8, 8.7, 6.3, 7.5, 12.0 ms, a median 0.43x of the 5.2 ms a
# traced run settled at). Only under a JIT, as above; CPython's rounds are kept as measured.
REMEASURE_UNSTABLE = float(os.environ.get("RLOOP_BENCH_REMEASURE_UNSTABLE", 3.0))
# gc.collect() before every round keeps CPython's cycle collector out of the timed rounds, at little
# cost. On GraalPy it is two full collections of the Java heap (about 170 ms each on this 2-core
# VM), and the rounds after them run slower and erratically while the JIT keeps recompiling
# (protocol_echo on rloop, rounds at 18k-44k round trips/s with it, a steady 45k-47k without,
# 2026-12-02); a running program never collects its whole heap between requests, so the JVM's
# own collections, inside the timed rounds, are what GraalPy's rounds pay.
COLLECT_BEFORE_ROUND = sys.implementation.name != "graalpy"
# A --fork child that has not ended after this long is stopped (its loop is shown as failed).
FORK_TIMEOUT = float(os.environ.get("RLOOP_BENCH_FORK_TIMEOUT", 1800))


class _SettleWatch:
    """Tells when the JIT has finished compiling what a workload runs: the compilers' busy share
    over the last window of rounds. GraalPy compiles in one background thread on a 2-core machine
    and the Graal compiler warms up itself, so a fixed number of rounds can end the warm-up while
    the hot code still runs in the interpreter (seen here: a gather round at 450 ms after 140
    rounds, 50 ms once compiled)."""

    def __init__(self, jit):
        self.jit = jit
        self.restart()

    def restart(self):
        self.t0, self.c0 = perf_counter(), self.jit.seconds()

    def busy(self):
        """The compilers' busy share since the last restart, or None if the window is too short."""
        dt = perf_counter() - self.t0
        if dt < SETTLE_WINDOW:
            return None
        return (self.jit.seconds() - self.c0) / dt


def _unsettled_measure(settle, result, warmup_limit, t_start):
    """Why the rounds just measured were not settled code, or None: the compilers were busy
    (REMEASURE_BUSY) or the rounds still changing (REMEASURE_UNSTABLE); None too when no
    re-measure (REMEASURE_MAX) or no time (`warmup_limit` seconds from `t_start`; 0: no limit)
    is left to warm up and measure again."""
    if settle is None or result["remeasured"] >= REMEASURE_MAX:
        return None
    if warmup_limit and perf_counter() - t_start > warmup_limit:
        return None
    span = perf_counter() - settle.t0
    busy = (settle.jit.seconds() - settle.c0) / span if span > 0 else 0.0
    if busy > REMEASURE_BUSY:
        return f"the compilers were {busy * 100:.0f}% busy while the rounds were measured"
    for kind, entry in result["loops"].items():
        times = entry["times"]
        if times and min(times) > 0 and max(times) / min(times) > REMEASURE_UNSTABLE:
            return (f"its slowest measured round on {kind} took {max(times) / min(times):.1f}x "
                    f"its fastest")
    return None


def workload_n(cls, quick, scale):
    return max(1, int((cls.n_quick if quick else cls.n_full) * scale))


def run_workload(cls, loop_kinds, warmup, rounds, quick, scale, verbose, warmup_limit=0,
                 jit=None):
    n = workload_n(cls, quick, scale)
    result = {"name": cls.name, "title": cls.title, "unit": cls.unit, "n": n, "loops": {},
              "warmup_s": None}
    try:
        work = cls(n)
    except WorkloadSkipped as exc:
        # cannot run on this machine at all (e.g. no openssl for the TLS certificates): no
        # rounds on any loop, not a failure
        print(f"  -- {cls.name}: skipped: {exc}", flush=True)
        for kind in loop_kinds:
            result["loops"][kind] = {"status": "skipped", "times": [], "warmup_times": [],
                                     "error": None, "not_implemented": None,
                                     "skipped": str(exc)}
        result["warmup_rounds"] = 0
        return result
    loops, traps = {}, {}
    for kind in loop_kinds:
        entry = {"status": "ok", "times": [], "warmup_times": [], "error": None,
                 "not_implemented": None}
        result["loops"][kind] = entry
        try:
            loop = LOOP_FACTORIES[kind]()
        except Exception as exc:
            entry["status"] = "failed"
            entry["error"] = f"could not create the loop: {exc!r}"
            continue
        trap = _ErrorTrap()
        loop.set_exception_handler(trap)
        loops[kind], traps[kind] = loop, trap
    t_start = perf_counter()
    # with a JIT to watch, --warmup is the least number of warm-up rounds: they go on until the
    # compilers are idle (or the time limit ends them)
    settle = _SettleWatch(jit) if jit is not None else None
    min_warmup, warmup = warmup, (warmup if settle is None else 1 << 30)
    result["jit_settled"] = None if settle is None else False
    result["remeasured"] = 0
    try:
        r = 0
        while loops:
            if r == warmup + rounds:
                why = _unsettled_measure(settle, result, warmup_limit, t_start)
                if why is None:
                    break
                # the measured rounds were not settled code: warm up again, then measure again
                print(f"  {cls.name}: {why}; warming up again", flush=True)
                result.setdefault("remeasure_reasons", []).append(why)
                for entry in result["loops"].values():
                    entry["warmup_times"] += entry["times"]
                    entry["times"] = []
                result["remeasured"] += 1
                result["jit_settled"] = False
                min_warmup, warmup = r + 1, 1 << 30
                settle.restart()
            if r < warmup and r >= min_warmup and settle is not None:
                busy = settle.busy()
                if busy is not None:
                    if verbose:
                        print(f"  {cls.name}: JIT busy {busy * 100:.0f}% over the last "
                              f"rounds", flush=True)
                    if busy < SETTLE_BUSY:
                        warmup = r
                        result["jit_settled"] = True
                    settle.restart()
            if (warmup_limit and r < warmup and r > 0
                    and perf_counter() - t_start > warmup_limit):
                if settle is None or r < min_warmup:
                    print(f"  {cls.name}: warm-up time limit ({warmup_limit:g} s) reached after "
                          f"{r} of {min_warmup} warm-up rounds", flush=True)
                else:
                    print(f"  {cls.name}: warm-up time limit ({warmup_limit:g} s) reached "
                          f"after {r} rounds with the JIT still compiling", flush=True)
                warmup = r
            if r == warmup:
                result["warmup_s"] = perf_counter() - t_start
                if settle is not None:
                    settle.restart()  # from here: the JIT's share of the measured rounds
            for kind in loop_kinds:
                if kind not in loops:
                    continue
                entry = result["loops"][kind]
                if COLLECT_BEFORE_ROUND:
                    gc.collect()
                try:
                    try:
                        dt = work.run(loops[kind])
                    finally:
                        # what a callback raised explains the failure better than the
                        # "loop stopped" that the trap's stop() caused
                        traps[kind].check()
                except NotImplementedError as exc:
                    # the loop lacks an API this workload uses: say so once, no traceback, and
                    # go on with the other loop and the other workloads
                    entry["status"] = "not implemented"
                    entry["not_implemented"] = str(exc) or "NotImplementedError"
                    print(f"  -- {cls.name} on {kind}: not implemented: "
                          f"{entry['not_implemented']}", flush=True)
                    bad_loop = loops.pop(kind)
                    try:
                        bad_loop.close()
                    except Exception:
                        pass
                    continue
                except Exception as exc:
                    entry["status"] = "failed"
                    entry["error"] = f"round {r + 1}: {type(exc).__name__}: {exc}"
                    print(f"  !! {cls.name} on {kind}: {entry['error']}", file=sys.stderr,
                          flush=True)
                    bad_loop = loops.pop(kind)  # a loop in an unknown state: no more rounds
                    try:
                        bad_loop.close()
                    except Exception:
                        pass
                    continue
                (entry["warmup_times"] if r < warmup else entry["times"]).append(dt)
                if verbose:
                    tag = "warm-up" if r < warmup else "round"
                    print(f"  {cls.name:10} {kind:8} {tag:7} {r + 1:3}: {dt * 1e3:9.1f} ms "
                          f"{n / dt:14,.0f} {cls.unit}", flush=True)
            r += 1
    finally:
        for loop in loops.values():
            try:
                loop.close()
            except Exception as exc:
                print(f"  !! closing the {cls.name} loop failed: {exc!r}", file=sys.stderr)
    result["warmup_rounds"] = min(warmup, r)
    if settle is not None:
        span = perf_counter() - settle.t0
        result["jit_busy_measured"] = (jit.seconds() - settle.c0) / span if span > 0 else None
    for kind, entry in result["loops"].items():
        times = entry["times"]
        if times:
            med = statistics.median(times)
            entry["median_s"] = med
            entry["ops_per_s"] = n / med
            entry["min_s"], entry["max_s"] = min(times), max(times)
    return result


def fmt_rate(x, unit=None):
    if x is None:
        return "-"
    if unit == "bytes/s":  # decimal units, as network rates are usually given
        if x >= 1e9:
            return f"{x / 1e9:.2f} GB/s"
        return f"{x / 1e6:.1f} MB/s"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def _cell(entry, unit):
    """A loop's rate cell in the table: the rate, FAILED, "not impl." or "skipped" (with the
    reason printed below the table), or "missing" for a peer that could not be run."""
    if entry is None or entry.get("missing"):
        return "missing"
    if entry.get("error"):
        return "FAILED"
    if entry.get("not_implemented"):
        return "not impl."
    if entry.get("skipped"):
        return "skipped"
    return fmt_rate(entry.get("ops_per_s"), unit)


# Table headings. On GraalPy "asyncio" is GraalPy's own stdlib loop; a CPython run's loops come
# in through --peers under the keys "cpython" and "uvloop".
HEADINGS = {"rloop": "rloop", "asyncio": "stdlib", "cpython": "CPython", "uvloop": "uvloop"}
RATIOS = [("rloop", "asyncio", "rloop/stdlib"), ("rloop", "uvloop", "rloop/uvloop")]


def _rate(entry):
    if entry and entry.get("status") == "ok" and "ops_per_s" in entry:
        return entry["ops_per_s"]
    return None


def print_table(results, loop_kinds):
    labels = [res["title"] + " (" + res["unit"] + ")" for res in results]
    width = max([44] + [len(label) + 2 for label in labels])
    ratios = [r for r in RATIOS if r[0] in loop_kinds and r[1] in loop_kinds]
    head = f"{'workload':<{width}}{'N':>10}"
    for kind in loop_kinds:
        head += f"{HEADINGS.get(kind, kind) + ' ops/s':>15}{'spread':>8}"
    for _, _, title in ratios:
        head += f"{title:>14}"
    print(head)
    print("-" * len(head))
    for res, label in zip(results, labels):
        line = f"{label:<{width}}{res['n']:>10}"
        for kind in loop_kinds:
            e = res["loops"].get(kind)
            if _rate(e) is not None:
                spread = (e["max_s"] - e["min_s"]) / e["median_s"] * 100
                line += f"{_cell(e, res['unit']):>15}{spread:>7.0f}%"
            else:
                line += f"{_cell(e, res['unit']):>15}{'':>8}"
        for a, b, title in ratios:
            ra, rb = _rate(res["loops"].get(a)), _rate(res["loops"].get(b))
            if ra is not None and rb is not None:
                res["ratio_" + title.replace("/", "_over_")] = ra / rb
                line += f"{ra / rb:>13.2f}x"
            else:
                line += f"{'-':>14}"
        print(line)
    print("(ops/s = N / median round time; spread = (max - min) / median of the measured rounds;"
          "\n ratio > 1 means rloop is faster; 'not impl.' = the loop raised NotImplementedError"
          "\n for an API the workload uses: no rate, not counted as a failure)")
    notes = []
    for res in results:
        for kind in loop_kinds:
            e = res["loops"].get(kind) or {}
            if e.get("not_implemented"):
                notes.append(f"NOT IMPLEMENTED: {res['name']} on {kind}: {e['not_implemented']}")
            if e.get("missing"):
                notes.append(f"MISSING: {res['name']} on {kind}: {e['missing']}")
        reason = next((e["skipped"] for e in res["loops"].values() if e and e.get("skipped")), None)
        if reason:
            notes.append(f"SKIPPED: {res['name']}: {reason}")
        for kind in loop_kinds:
            err = (res["loops"].get(kind) or {}).get("error")
            if err:
                notes.append(f"FAILED: {res['name']} on {kind}: {err}")
    for note in notes:
        print(note)


_PEER_KEYS = (("asyncio", "cpython"), ("uvloop", "uvloop"))


def merge_peers(results, path, loop_kinds):
    """Adds a CPython run's loops (a --json file of loop_bench.py run with --loops
    asyncio,uvloop) to these results as "cpython" and "uvloop", and returns the loop kinds to
    show. A workload or loop the peer run lacks is marked missing with the reason, never filled
    in. The peer run must have used the same N (same --scale and --quick)."""
    peer = _read_peer_run(path)
    by_name = {r["name"]: r for r in peer.get("results", [])}
    for res in results:
        _merge_peer_result(res, by_name.get(res["name"]), peer)
    return _shown_with_peers(loop_kinds)


def _read_peer_run(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        return {"results": [], "missing": f"no CPython results ({exc})"}


def _merge_peer_result(res, other, peer):
    """Puts the CPython loops of `other` (the peer run's result for res's workload, or None)
    into res as "cpython" and "uvloop"; `peer` is the peer run's whole JSON, for its reasons."""
    for peer_kind, key in _PEER_KEYS:
        if key in res["loops"]:
            continue
        entry = (other or {}).get("loops", {}).get(peer_kind)
        if other is not None and other["n"] != res["n"]:
            entry = {"missing": f"the CPython run used N={other['n']}, not {res['n']}"}
        elif entry is None:
            why = (peer.get("absent", {}).get(peer_kind) or peer.get("missing")
                   or "not in the CPython run")
            entry = {"missing": why}
        res["loops"][key] = entry


def _shown_with_peers(loop_kinds):
    return list(loop_kinds) + [key for _, key in _PEER_KEYS if key not in loop_kinds]


def run_peers_beside(args, name):
    """Runs workload `name` on CPython's loops (args.peer_python with --loops args.peer_loops),
    in a process of its own, and returns that run's JSON. Called right after rloop's process
    for the workload has measured: this VM's speed drifts by up to 1.5x from one minute to the
    next, so the peers are measured within seconds of rloop, not half an hour before."""
    with tempfile.TemporaryDirectory(prefix="loop-bench-peer-") as tmp:
        path = os.path.join(tmp, "result.json")
        cmd = (shlex.split(args.peer_python) + [os.path.abspath(__file__)] + args.child_argv
               + ["--only", name, "--loops", args.peer_loops, "--json", path])
        try:
            code = subprocess.run(cmd, timeout=FORK_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            code = f"no result after {FORK_TIMEOUT} s"
        except OSError as exc:
            code = f"not started: {exc}"
        peer = _read_peer_run(path)
        args.peer_described = args.peer_described or peer.get("python")
        if not peer.get("results") and "missing" in peer:
            peer["missing"] = f"the CPython run ended ({code}) without a result"
        return peer


def describe_python():
    impl = sys.implementation.name
    v = sys.version_info
    s = f"{impl} {v.major}.{v.minor}.{v.micro}"
    if impl == "graalpy":
        s += f" (GraalPy {'.'.join(map(str, sys.implementation.version[:3]))})"
        jit = "JIT on" if _graal_jit_on() else "JIT status unknown"
        s += f", {jit}"
    return s


def _graal_jit_on():
    try:
        import java
        mgmt = java.type("java.lang.management.ManagementFactory")
        args = list(mgmt.getRuntimeMXBean().getInputArguments())
        return any("compiler.jar" in str(a) for a in args)
    except Exception:
        return False


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warmup", type=int, default=None,
                   help="discarded warm-up rounds per loop (default 50; 2 with --quick)")
    p.add_argument("--rounds", type=int, default=None,
                   help="measured rounds per loop (default 10; 3 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="smoke mode: small N and few rounds (numbers not meaningful)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every N by this")
    p.add_argument("--only", default=None,
                   help="comma-separated workloads to run: " + ",".join(WORKLOAD_NAMES)
                        + "; or groups: " + ",".join(WORKLOAD_GROUPS))
    p.add_argument("--loops", default=None,
                   help="comma-separated loops: rloop,asyncio,uvloop (default: rloop,asyncio, "
                        "or asyncio alone when rloop is not importable)")
    p.add_argument("--warmup-limit", type=float, default=None, metavar="SECONDS",
                   help="end a workload's warm-up after this many seconds even if fewer than "
                        "--warmup rounds ran or the JIT still compiles (default 300 while "
                        "waiting for the JIT, else none; 0 = no limit; the report says how many "
                        "ran)")
    p.add_argument("--no-settle", dest="settle", action="store_false",
                   help="end the warm-up after --warmup rounds, without waiting for GraalPy's "
                        "JIT to finish compiling (the default waits, except with --quick)")
    p.add_argument("--peers", default=None, metavar="FILE",
                   help="a --json file of this script run on CPython with --loops "
                        "asyncio,uvloop: its loops are shown beside these, as CPython and "
                        "uvloop (benchmarks/run does this)")
    p.add_argument("--peer-python", default=None, metavar="COMMAND",
                   help="with --fork: measure each workload on this CPython too (--peer-loops), "
                        "in a process of its own right after rloop's, and show its loops as "
                        "CPython and uvloop (benchmarks/run does this)")
    p.add_argument("--peer-loops", default="asyncio,uvloop",
                   help="the loops --peer-python runs (default asyncio,uvloop)")
    p.add_argument("--json", default=None, metavar="FILE",
                   help="also write the results here (rewritten after every workload)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every round")
    p.add_argument("--fork", default=None, metavar="COMMAND",
                   help="run each workload on each loop in a fresh process of COMMAND (for "
                        "example 'launcher/rloop-graalpy --no-daemon'; benchmarks/run does "
                        "this for GraalPy) and print the table of them all")
    p.add_argument("--forked", action="store_true", help=argparse.SUPPRESS)  # a --fork child
    args = p.parse_args(argv)
    args.child_argv = _child_argv(args)
    args.peer_described = None
    # when, which commit, what machine: the parent's (a --fork child's file is read only by it)
    args.meta = None if args.forked else results_meta.header("loop")
    if args.warmup is None:
        # Waiting for the JIT, 20 rounds are only a floor. Without waiting, 50: on a 2-core
        # machine fewer rounds measured mostly compilation (and 50 are often not enough either).
        args.warmup = 2 if args.quick else (20 if args.settle else 50)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 10
    args.jit = None
    if args.fork:
        # the parent only starts children and reads their results: the children measure, check
        # their loops and watch their own JIT
        args.only = _workload_names(p, args.only)
        args.loops = _loop_names(p, args.loops) if args.loops else ["rloop", "asyncio"]
        args.absent = {}
        return args
    if args.settle and not args.quick:
        jit = JitActivity()
        args.jit = jit if jit.available else None
    if args.warmup_limit is None:
        args.warmup_limit = 300 if args.jit is not None else 0
    if args.warmup < 0 or args.rounds < 1:
        p.error("--warmup must be >= 0 and --rounds >= 1")
    args.only = _workload_names(p, args.only)
    if args.loops:
        kinds = _loop_names(p, args.loops)
        if "rloop" in kinds and not rloop_available():
            p.error("rloop is not importable here (run under launcher/rloop-graalpy, "
                    "or use --loops asyncio)")
        if "uvloop" in kinds and not _importable("uvloop"):
            p.error("uvloop is not importable here (it is a CPython extension)")
        args.loops = kinds
    else:
        args.loops = ["rloop", "asyncio"] if rloop_available() else ["asyncio"]
        if args.loops == ["asyncio"]:
            print("note: rloop is not importable; measuring the stdlib loop only", file=sys.stderr)
    args.absent = _absent(args.loops)
    return args


def _workload_names(parser, only):
    """The workloads --only names (groups expanded), in order; all of them without --only."""
    if not only:
        return WORKLOAD_NAMES
    names = []
    for s in only.split(","):
        for name in WORKLOAD_GROUPS.get(s.strip(), [s.strip()] if s.strip() else []):
            if name not in names:
                names.append(name)
    unknown = [s for s in names if s not in WORKLOAD_NAMES]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {WORKLOAD_NAMES}")
    return names


def _loop_names(parser, loops):
    """The loops --loops names, in order, each one LOOP_FACTORIES knows."""
    kinds = [s.strip() for s in loops.split(",") if s.strip()]
    unknown = [s for s in kinds if s not in LOOP_FACTORIES]
    if unknown or not kinds:
        parser.error(f"unknown loop(s) {unknown}; choose from {','.join(LOOP_FACTORIES)}")
    return kinds


def _child_argv(args):
    """The options a --fork child gets from its parent, as given (defaults are the child's: they
    depend on whether its Python has a JIT); --only, --loops and --json are set per child."""
    argv = []
    for option, value in (("--warmup", args.warmup), ("--rounds", args.rounds),
                          ("--warmup-limit", args.warmup_limit)):
        if value is not None:
            argv += [option, str(value)]
    if args.scale != 1.0:
        argv += ["--scale", str(args.scale)]
    argv += [flag for flag, on in (("--quick", args.quick), ("--no-settle", not args.settle),
                                   ("-v", args.verbose)) if on]
    return argv


def _absent(loop_kinds):
    """Why a CPython reference loop is not among these results (read by merge_peers)."""
    return {kind: "not in --loops" if _importable(kind) else
            f"{kind} is not importable by {sys.executable} (Debian: apt-get install python3-uvloop)"
            for kind in ("uvloop",) if kind not in loop_kinds}


def write_json(args, py, results, elapsed):
    """The run as data: benchmarks/render makes the published tables from these files."""
    doc = dict(args.meta or {"kind": "loop"})
    doc.update({
        "python": py, "peer_python": args.peer_described, "platform": platform.platform(),
        "cpus": os.cpu_count(), "loops": args.loops,
        "settings": {"warmup": args.warmup, "rounds": args.rounds, "quick": args.quick,
                     "scale": args.scale, "only": args.only, "settle": args.settle,
                     "warmup_limit": args.warmup_limit, "fork": args.fork,
                     "peer_python": args.peer_python},
        # the same settings at the top level, where files written before "settings" had them
        "warmup": args.warmup, "rounds": args.rounds, "quick": args.quick, "scale": args.scale,
        "elapsed_s": elapsed, "absent": args.absent, "results": results})
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=2)


def _summary_line(res, loop_kinds, seconds):
    """The line printed as each workload ends: every loop's rate, and how its warm-up went (per
    loop when each ran in a process of its own)."""
    parts = []
    for kind in loop_kinds:
        e = res["loops"][kind]
        cell = _cell(e, res["unit"])
        part = f"{kind} {'not implemented' if cell == 'not impl.' else cell}"
        if e.get("warmup", {}).get("warmup_rounds") is not None:  # none: no child result
            part += f" ({_warmup_text(e['warmup'])})"
        parts.append(part)
    unit = "" if res["unit"] == "bytes/s" else f" {res['unit']}"  # fmt_rate says B/s
    shared = "" if any("warmup" in e for e in res["loops"].values()) else _warmup_text(res) + "; "
    return f"{res['name']}: N={res['n']}, {'; '.join(parts)}{unit} ({shared}{seconds:.1f} s)"


def _warmup_text(res):
    warm = f"warm-up {res['warmup_rounds']} rounds"
    if res.get("warmup_s") is not None:
        warm += f" in {res['warmup_s']:.0f} s"
    if res.get("jit_settled") is not None:
        warm += ", JIT " + ("idle" if res["jit_settled"] else "still compiling")
        if res.get("jit_busy_measured") is not None:
            warm += f", busy {res['jit_busy_measured'] * 100:.0f}% while measured"
        if res.get("remeasured"):
            warm += f", measured again {res['remeasured']}x (not settled)"
    return warm


_WARMUP_KEYS = ("warmup_rounds", "warmup_s", "jit_settled", "jit_busy_measured", "remeasured",
                "remeasure_reasons")


def run_forked(args, name):
    """Runs workload `name` on each loop in a fresh process of args.fork and merges what the
    children wrote: one result, each loop's entry carrying its own warm-up. Returns it and the
    Python the children described.

    Why a process each: JMH forks a JVM per benchmark for the same reason. On GraalPy's JIT, code
    that several workloads or both loops run (asyncio's streams, tasks and futures) is compiled
    for the mix of types it has seen in that process, so in one process for all, a workload's
    speed depends on what ran before it; a program runs one workload, on one loop."""
    merged, python = None, None
    for kind in args.loops:
        with tempfile.TemporaryDirectory(prefix="loop-bench-") as tmp:
            path = os.path.join(tmp, "result.json")
            cmd = (shlex.split(args.fork) + [os.path.abspath(__file__)] + args.child_argv
                   + ["--forked", "--only", name, "--loops", kind, "--json", path])
            try:
                code = subprocess.run(cmd, timeout=FORK_TIMEOUT).returncode
            except subprocess.TimeoutExpired:
                code = f"no result after {FORK_TIMEOUT} s"
            try:
                with open(path) as f:
                    child = json.load(f)
                res = child["results"][0]
                python = python or child.get("python")
            except (OSError, ValueError, IndexError, KeyError) as exc:
                cls = {w.name: w for w in WORKLOADS}[name]
                res = {"name": name, "title": cls.title, "unit": cls.unit,
                       "n": workload_n(cls, args.quick, args.scale),
                       "loops": {kind: {"status": "failed", "times": [], "warmup_times": [],
                                        "error": f"the process for this loop ended ({code}) "
                                                 f"without a result: {exc}",
                                        "not_implemented": None}}}
        entry = res["loops"][kind]
        entry["warmup"] = {key: res.get(key) for key in _WARMUP_KEYS}
        if merged is None:
            merged = res
        else:
            merged["loops"][kind] = entry
        if args.peer_python and kind == args.loops[0]:
            peer = run_peers_beside(args, name)
            by_name = {r["name"]: r for r in peer.get("results", [])}
            _merge_peer_result(merged, by_name.get(name), peer)
    for key in _WARMUP_KEYS:  # the workload-wide fields are the first loop's
        merged[key] = merged["loops"][args.loops[0]]["warmup"].get(key)
    return merged, python


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    py = describe_python()
    if not args.forked:
        if args.fork:
            print(f"loop_bench: each workload on each loop ({','.join(args.loops)}) in a "
                  f"process of its own: {args.fork}")
        else:
            settle = " (then until the JIT is idle)" if args.jit is not None else ""
            print(f"loop_bench: {py}; loops {','.join(args.loops)}; warm-up {args.warmup}"
                  f"{settle}, rounds {args.rounds}{', quick' if args.quick else ''}"
                  f"{f', scale {args.scale}' if args.scale != 1 else ''}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
        print(f"date: {args.meta['date']}, commit {args.meta['commit']}", flush=True)
    if sys.implementation.name == "graalpy" and not args.fork:
        # GraalPy loads its C API at the first C-extension import under a handshake every Python
        # thread must serve; the stdlib loop's executor parks idle workers where they cannot, so
        # a first load during its run hangs (docs/ARCHITECTURE.md, "GraalPy limitations"). Load
        # it now, while this is the only Python thread.
        "a".encode("idna")
    by_name = {w.name: w for w in WORKLOADS}
    results = []
    t_all = perf_counter()
    for name in args.only:
        t0 = perf_counter()
        if args.fork:
            res, child_py = run_forked(args, name)
            py = child_py or py
        else:
            res = run_workload(by_name[name], args.loops, args.warmup, args.rounds, args.quick,
                               args.scale, args.verbose, args.warmup_limit, args.jit)
        results.append(res)
        if args.json:
            write_json(args, py, results, perf_counter() - t_all)
        print(_summary_line(res, args.loops, perf_counter() - t0), flush=True)
    elapsed = perf_counter() - t_all
    if args.forked:
        return 0  # the parent prints the table
    shown = args.loops
    if args.peers:
        shown = merge_peers(results, args.peers, args.loops)
        args.peer_described = _read_peer_run(args.peers).get("python")
    elif args.fork and args.peer_python:
        shown = _shown_with_peers(args.loops)
    print()
    if args.fork:
        print(f"measured on: {py}")
    print_table(results, shown)
    started = ("including the start-up of a process per workload and loop" if args.fork
               else "excluding interpreter start-up")
    print(f"benchmark time {elapsed:.1f} s ({started})")
    if args.json:
        write_json(args, py, results, elapsed)
        print(f"wrote {args.json}")
    failed = any(e.get("error") for r in results for e in r["loops"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
