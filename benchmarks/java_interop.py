"""Costs of rloop's JVM interop (rloop.java), beside what the stdlib offers instead.

    benchmarks/run-java-interop            # CPython peers, then rloop and GraalPy's stdlib loop
    launcher/rloop-graalpy --no-daemon benchmarks/java_interop.py [--quick] [--json FILE]
    python3 benchmarks/java_interop.py --loops asyncio,uvloop --json FILE   # CPython only

Workloads:
- future_latency (rloop): a Java thread completes a CompletableFuture while the loop waits; from
  the completion (System.nanoTime() taken by the completing Java thread, just before it
  completes the future) to the awaiting task running again. Median and p99, in microseconds.
- run_blocking, run_blocking_100 (rloop): a Java Supplier on a fresh virtual thread, awaited one
  at a time, and 100 at a time (gather). Round trips per second.
- executor, executor_100 (every loop): loop.run_in_executor(None, python_function), the stdlib's
  thread pool: what a user of the stdlib loop has for blocking calls.

On GraalPy each workload is warmed until its rounds settle (the JIT compilers idle over the last
rounds, or --warmup-limit seconds); the report gives the median of the measured rounds.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_core import JitActivity  # noqa: E402

ON_GRAALPY = sys.implementation.name == "graalpy"


def _java():
    import java
    lookup = java.type("java.lang.invoke.MethodHandles").publicLookup()
    method_type = java.type("java.lang.invoke.MethodType")
    long_type = java.type("java.lang.Long").TYPE
    system = java.type("java.lang.System")
    supplier_type = java.type("java.util.function.Supplier")
    # A Java Supplier of System.nanoTime() built from a method handle: Java code through and
    # through, so the Java threads that call it never run Python
    nano = lookup.findStatic(system, "nanoTime", method_type.methodType(long_type))
    supplier = java.type("java.lang.invoke.MethodHandleProxies").asInterfaceInstance(supplier_type, nano)
    return {
        "nanoTime": system.nanoTime,
        "supplier": supplier,
        "CompletableFuture": java.type("java.util.concurrent.CompletableFuture"),
        "delayed": java.type("java.util.concurrent.CompletableFuture").delayedExecutor(
            200, java.type("java.util.concurrent.TimeUnit").MICROSECONDS),
    }


def _blocking_python():
    return 1


# ---- workloads: each returns (operations, seconds) and, for latencies, their list -----------

async def future_latency(n, jv):
    import rloop.java as rjava
    now = jv["nanoTime"]
    supply = jv["CompletableFuture"].supplyAsync
    supplier, delayed = jv["supplier"], jv["delayed"]
    latencies = []
    t0 = time.perf_counter()
    for _ in range(n):
        completed_at = await rjava.wrap_future(supply(supplier, delayed))
        latencies.append((now() - completed_at) / 1000.0)
    return n, time.perf_counter() - t0, latencies


async def run_blocking(n, jv):
    import rloop.java as rjava
    supplier = jv["supplier"]
    t0 = time.perf_counter()
    for _ in range(n):
        await rjava.run_blocking(supplier)
    return n, time.perf_counter() - t0, None


async def run_blocking_100(n, jv):
    import rloop.java as rjava
    supplier = jv["supplier"]
    t0 = time.perf_counter()
    for _ in range(n // 100):
        await asyncio.gather(*[rjava.run_blocking(supplier) for _ in range(100)])
    return n, time.perf_counter() - t0, None


async def executor(n, jv):
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    for _ in range(n):
        await loop.run_in_executor(None, _blocking_python)
    return n, time.perf_counter() - t0, None


async def executor_100(n, jv):
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    for _ in range(n // 100):
        await asyncio.gather(*[loop.run_in_executor(None, _blocking_python) for _ in range(100)])
    return n, time.perf_counter() - t0, None


WORKLOADS = [
    # name, function, n, loops it runs on, title
    ("future_latency", future_latency, 2000, ("rloop",), "Java future completed -> task resumed"),
    ("run_blocking", run_blocking, 2000, ("rloop",), "run_blocking(Java Supplier), one at a time"),
    ("run_blocking_100", run_blocking_100, 10000, ("rloop",), "run_blocking(Java Supplier), 100 in flight"),
    ("executor", executor, 2000, ("rloop", "asyncio", "uvloop"), "run_in_executor(Python fn), one at a time"),
    ("executor_100", executor_100, 10000, ("rloop", "asyncio", "uvloop"), "run_in_executor(Python fn), 100 in flight"),
]


def new_loop(kind):
    if kind == "rloop":
        import rloop
        return rloop.new_event_loop()
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.SelectorEventLoop()


def measure(kind, name, func, n, jv, args, jit):
    loop = new_loop(kind)
    try:
        def one():
            return loop.run_until_complete(func(n, jv))

        start = time.monotonic()
        rounds = 0
        warm = "fixed"
        marks = []  # (time, jit seconds) after each warm-up round
        while True:
            one()
            rounds += 1
            now = time.monotonic()
            if not ON_GRAALPY or args.quick:
                if rounds >= args.warmup:
                    break
                continue
            marks.append((now, jit.seconds() if jit.available else 0.0))
            if now - start >= args.warmup_limit:
                warm = "limit"
                break
            if rounds >= args.warmup and jit.available:
                recent = [m for m in marks if now - m[0] <= 3.0]
                if len(recent) >= 2 and now - recent[0][0] >= 1.0:
                    busy = (recent[-1][1] - recent[0][1]) / (now - recent[0][0])
                    if busy < 0.05:
                        warm = "settled"
                        break
        warm_seconds = time.monotonic() - start
        rates, latencies = [], []
        for _ in range(args.rounds):
            ops, seconds, lat = one()
            rates.append(ops / seconds)
            if lat:
                latencies.extend(lat)
        result = {"rate": statistics.median(rates), "rates": rates, "warmup_rounds": rounds,
                  "warmup_seconds": round(warm_seconds, 1), "warmup_end": warm}
        if latencies:
            latencies.sort()
            result["median_us"] = latencies[len(latencies) // 2]
            result["p99_us"] = latencies[int(len(latencies) * 0.99)]
        return result
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loops", default="rloop,asyncio" if ON_GRAALPY else "asyncio,uvloop")
    p.add_argument("--only", default="")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--warmup", type=int, default=None, help="least warm-up rounds (default 10; 3 off GraalPy)")
    p.add_argument("--warmup-limit", type=float, default=240.0)
    p.add_argument("--quick", action="store_true", help="N/10, 2 warm-up rounds, 3 rounds")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--peers", help="a --json file of a CPython run, printed beside this one")
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = 2 if args.quick else (10 if ON_GRAALPY else 3)
    if args.quick:
        args.rounds = 3
    kinds = [k for k in args.loops.split(",") if k]
    only = set(args.only.split(",")) if args.only else None
    jv = _java() if ON_GRAALPY else None
    jit = JitActivity()
    results = {}
    for name, func, n, loops, title in WORKLOADS:
        if only and name not in only:
            continue
        n = n // 10 if args.quick else n
        for kind in kinds:
            if kind not in loops or (kind == "rloop" and not ON_GRAALPY):
                continue
            try:
                r = measure(kind, name, func, n, jv, args, jit)
            except ImportError as exc:
                r = {"missing": str(exc)}
            results.setdefault(name, {})[kind] = r
            extra = (f", median {r['median_us']:.0f} us, p99 {r['p99_us']:.0f} us"
                     if "median_us" in r else "")
            if "rate" in r:
                print(f"{name:18} {kind:8} {r['rate']:>10,.0f}/s{extra}  (warm-up {r['warmup_rounds']} "
                      f"rounds, {r['warmup_seconds']} s, {r['warmup_end']})", flush=True)
            else:
                print(f"{name:18} {kind:8} missing: {r['missing']}", flush=True)
    impl = f"{sys.implementation.name} {sys.version.split()[0]}"
    out = {"python": impl, "results": results}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    peers = {}
    if args.peers and os.path.exists(args.peers) and os.path.getsize(args.peers):
        with open(args.peers) as f:
            peers = json.load(f)
    print_table(out, peers)


def print_table(mine, peers):
    label = {"rloop": "rloop", "asyncio": "stdlib"}
    own = "GraalPy" if ON_GRAALPY else "CPython"
    columns = [(own, k, mine) for k in ("rloop", "asyncio", "uvloop")
               if any(k in r for r in mine["results"].values())]
    columns += [("CPython", k, peers) for k in ("asyncio", "uvloop")
                if peers and any(k in r for r in peers["results"].values())]
    heads = [f"{impl} {label.get(k, k)}" for impl, k, _ in columns]
    print()
    print(f"{'workload':45}" + "".join(f"{h:>22}" for h in heads))
    for name, _, _, _, title in WORKLOADS:
        cells = []
        for _, kind, source in columns:
            r = source["results"].get(name, {}).get(kind) if source else None
            if r is None:
                cells.append("-")
            elif "missing" in r:
                cells.append("missing")
            elif "median_us" in r:
                cells.append(f"{r['median_us']:.0f}/{r['p99_us']:.0f} us")
            else:
                cells.append(f"{r['rate']:,.0f}/s")
        if any(c != "-" for c in cells):
            print(f"{title:45}" + "".join(f"{c:>22}" for c in cells))
    print("(latency: median/p99; rates: round trips per second, median of the measured rounds)")


if __name__ == "__main__":
    main()
