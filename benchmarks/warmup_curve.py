#!/usr/bin/env python3
"""How fast a fresh program reaches its settled speed: runs one loop_bench workload round after
round for a while and prints, per round, the seconds since its command started and the rate.

    warmup_curve.py WORKLOAD [--seconds S] [--loop rloop|asyncio|uvloop]

Seconds count from RLOOP_BENCH_T0 (a time.time() value the caller sets just before starting the
command), so that start-up is included; without it, from this program's first line.
benchmarks/startup.py runs it through each start-up route and reads the curve.
"""

import argparse
import os
import sys
import time

T0 = float(os.environ.get("RLOOP_BENCH_T0", time.time()))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import loop_bench  # noqa: E402  (after the path is set)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", choices=sorted(w.name for w in loop_bench.WORKLOADS))
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--loop", choices=sorted(loop_bench.LOOP_FACTORIES), default=None,
                    help="default: what asyncio.new_event_loop() gives (rloop under the launcher)")
    args = ap.parse_args()
    cls = {w.name: w for w in loop_bench.WORKLOADS}[args.workload]
    work = cls(cls.n_full)
    if args.loop is None:
        import asyncio
        loop = asyncio.new_event_loop()
    else:
        loop = loop_bench.LOOP_FACTORIES[args.loop]()
    print(f"loop {type(loop).__module__}.{type(loop).__name__}", flush=True)
    try:
        while time.time() - T0 < args.seconds:
            dt = work.run(loop)
            print(f"{time.time() - T0:.3f} {work.n / dt:.1f}", flush=True)
    finally:
        loop.close()


if __name__ == "__main__":
    main()
