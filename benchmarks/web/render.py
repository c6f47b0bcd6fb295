#!/usr/bin/env python3
"""Renders a benchmarks/web/bench.py results file as a Markdown table (the newest one by default).

    python3 benchmarks/web/render.py [FILE]
"""

import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOOP_ORDER = ["cpython-asyncio", "cpython-uvloop", "graalpy-asyncio", "rloop-no-accelerators", "rloop"]


def newest():
    files = sorted(glob.glob(os.path.join(ROOT, "benchmarks", "results", "web-*.json")))
    return files[-1] if files else None


def cell(r):
    if r is None:
        return "-"
    if r.get("skipped"):
        return "n/a"
    if r.get("error"):
        return "failed"
    # CPython runs one warm round and then measures; only GraalPy's servers have to settle
    note = "" if r.get("settled", True) or r["loop"].startswith("cpython") else " (not settled)"
    return f"{r['rps'] / 1000:.1f}k, p99 {r['p99_ms']:.1f} ms{note}"


def render(doc):
    by_app = {}
    loop_order = [lp for lp in LOOP_ORDER if any(r["loop"] == lp for r in doc["results"])]
    for r in doc["results"]:
        by_app.setdefault(r["app"], {})[r["loop"]] = r
    lines = [f"wrk -t1 -c{doc['settings']['connections']}, {doc['settings']['round']} s rounds, "
             f"median of the last {doc['settings']['measure']} settled rounds; {doc['machine']['cpus']} CPUs; "
             f"commit {doc['commit']}, {doc['date'][:10]}", "",
             "| app | " + " | ".join(loop_order) + " | rloop / uvloop | rloop: listening after, 80% of settled after, RSS |",
             "|---" * (len(loop_order) + 3) + "|"]
    for app, loops in by_app.items():
        rl, uv = loops.get("rloop"), loops.get("cpython-uvloop")
        ratio = (f"{rl['rps'] / uv['rps']:.2f}x" if rl and uv and "rps" in rl and "rps" in uv else "-")
        start = (f"{rl['listen_s']:.1f} s, {rl['t80_s']:.0f} s of load, {rl['rss_mb']:.0f} MB"
                 if rl and "rps" in rl and rl.get("rss_mb") else "-")
        lines.append(f"| {app} | " + " | ".join(cell(loops.get(lp)) for lp in loop_order)
                     + f" | {ratio} | {start} |")
    notes = sorted({f"{r['app']} on {r['loop']}: {r.get('skipped') or r.get('error')}"
                    for r in doc["results"] if r.get("skipped") or r.get("error")})
    if notes:
        lines += [""] + [f"- {n}" for n in notes]
    return "\n".join(lines)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else newest()
    if path is None:
        print("no results yet: run benchmarks/web/bench.py", file=sys.stderr)
        return 1
    with open(path) as f:
        print(render(json.load(f)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
