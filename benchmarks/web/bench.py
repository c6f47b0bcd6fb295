#!/usr/bin/env python3
"""Real web apps served for real and driven by wrk: rloop against CPython (asyncio, uvloop) and
GraalPy's own stdlib loop, in one invocation.

    python3 benchmarks/web/bench.py [--apps A,B] [--loops L,M] [--round S] [--measure N]
                                    [--warmup-limit S] [--connections C] [--out FILE]

For each app and loop: start the server (CPython: python3; GraalPy: launcher/rloop-graalpy
--no-daemon, so that its own JVM is measured), note the seconds until it listens, then run wrk
rounds (-t1 -cC, --round seconds each) until the last --measure rounds agree within 5% or
--warmup-limit seconds of load have passed (GraalPy needs minutes to settle); CPython gets one
round to warm up, then --measure rounds. The settled rate is the median of those last rounds;
"80% at" is the seconds of load, from the first request, after which every round ran at 80% of
that rate or more. Resident memory is the server process's VmRSS at the end. Everything is written to a JSON file under
benchmarks/results/ (benchmarks/render puts it into README and docs). Needs Debian's wrk and the apps'
packages (python3-aiohttp, python3-uvicorn, python3-starlette, python3-httptools, python3-uvloop).
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import results_meta  # noqa: E402  (benchmarks/results_meta.py)
LAUNCHER = os.path.join(ROOT, "launcher", "rloop-graalpy")
DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"

# name: (script, arguments after the port, path, modules it needs, what GraalPy lacks for it
# unless rloop's accelerators provide it)
APPS = {
    "aiohttp-plaintext": ("aiohttp_app.py", [], "/plaintext", ["aiohttp"], None),
    "aiohttp-json": ("aiohttp_app.py", [], "/json", ["aiohttp"], None),
    "starlette-h11-plaintext": ("starlette_app.py", ["h11"], "/plaintext", ["uvicorn", "starlette", "h11"], None),
    "starlette-h11-json": ("starlette_app.py", ["h11"], "/json", ["uvicorn", "starlette", "h11"], None),
    "starlette-httptools-plaintext": ("starlette_app.py", ["httptools"], "/plaintext",
                                      ["uvicorn", "starlette", "httptools"], "httptools is a C extension; rloop provides its parser"),
    "fastapi-h11-json": ("fastapi_app.py", ["h11"], "/json", ["uvicorn", "fastapi"], None),
}

# name: (interpreter, route, extra arguments for the app, extra environment)
LOOPS = {
    "cpython-asyncio": ("cpython", "python3", [], {}),
    "cpython-uvloop": ("cpython", "python3", ["uvloop"], {}),
    "graalpy-asyncio": ("graalpy", "launcher --no-daemon --loop asyncio", [], {}),
    "rloop-no-accelerators": ("graalpy", "launcher --no-daemon, RLOOP_NO_ACCELERATORS=1", [],
                              {"RLOOP_NO_ACCELERATORS": "1"}),
    "rloop": ("graalpy", "launcher --no-daemon", [], {}),
}
ACCELERATED = {"rloop"}  # the loops where rloop's accelerators stand in for C extensions


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(app, loop, port):
    script, app_args, _, _, _ = APPS[app]
    kind, _, loop_args, _ = LOOPS[loop]
    path = os.path.join(HERE, script)
    args = [path, str(port)] + app_args + loop_args  # the apps take: PORT [http] [loop]
    if kind == "cpython":
        return ["/usr/bin/python3"] + args
    flags = ["--no-daemon"] + (["--loop", "asyncio"] if loop == "graalpy-asyncio" else [])
    return [LAUNCHER] + flags + args


def wrk(url, seconds, connections):
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url],
                          capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        raise RuntimeError(f"wrk gave no rate ({done.returncode}): {out} {done.stderr}")
    rps = float(found.group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None, "errors": errors}


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def settled(rounds, n):
    last = [r["rps"] for r in rounds[-n:]]
    return len(last) == n and min(last) > 0 and max(last) / min(last) <= 1.05


def time_to_80(rounds, rate):
    """Seconds of load after which every round ran at 80% of `rate` or more."""
    t = 0.0
    for r in rounds:
        if r["rps"] < 0.8 * rate:
            t = r["t_end"]
    return t


def bench(app, loop, args):
    _, _, path, _, _ = APPS[app]
    port = free_port()
    env = dict(os.environ, **LOOPS[loop][3])
    if LOOPS[loop][0] == "graalpy":
        env["PYTHONPATH"] = DEBIAN_PACKAGES
    log = open(os.path.join(args.logs, f"{app}-{loop}.log"), "w+")
    t0 = time.time()
    proc = subprocess.Popen(server_command(app, loop, port), stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    result = {"app": app, "loop": loop, "route": LOOPS[loop][1]}
    try:
        while True:
            log.seek(0)
            text = log.read()
            if f"listening on {port}" in text:
                result["listen_s"] = round(time.time() - t0, 2)
                break
            if proc.poll() is not None or time.time() - t0 > 300:
                result["error"] = "did not listen: " + " | ".join(text.strip().splitlines()[-3:])
                return result
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}{path}"
        rounds = []
        load = 0
        cpython = LOOPS[loop][0] == "cpython"
        while True:
            r = wrk(url, args.round, args.connections)
            load += args.round
            r["t_end"] = load
            rounds.append(r)
            print(f"  {app} {loop}: {load:5.0f} s of load  {r['rps']:9.0f} req/s  p99 {r['p99_ms']} ms",
                  flush=True)
            if cpython:
                if len(rounds) > args.measure:  # one round to warm its caches, then --measure rounds
                    break
            elif settled(rounds, args.measure) or load >= args.warmup_limit:
                break
        last = rounds[-args.measure:]
        result.update({
            "rps": statistics.median(r["rps"] for r in last),
            "p99_ms": statistics.median(r["p99_ms"] for r in last if r["p99_ms"] is not None),
            "errors": sum(r["errors"] for r in last),
            "settled": settled(rounds, args.measure),
            "rss_mb": rss_mb(proc.pid),
            "rounds": rounds,
        })
        result["t80_s"] = time_to_80(rounds, result["rps"])
        return result
    finally:
        try:
            os.killpg(proc.pid, 15)
            proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, 9)
        log.close()


def missing(app, loop):
    _, _, _, modules, graalpy_lacks = APPS[app]
    if LOOPS[loop][0] == "graalpy" and graalpy_lacks and loop not in ACCELERATED:
        return f"not on GraalPy: {graalpy_lacks}"
    for m in modules + (["uvloop"] if loop == "cpython-uvloop" else []):
        if not os.path.isdir(os.path.join(DEBIAN_PACKAGES, m)):
            return f"{m} missing: apt-get install python3-{m}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--apps", default="aiohttp-plaintext,starlette-h11-plaintext,starlette-httptools-plaintext")
    ap.add_argument("--loops", default=",".join(LOOPS))
    ap.add_argument("--round", type=int, default=10, help="seconds per wrk round (default 10)")
    ap.add_argument("--measure", type=int, default=3, help="rounds that must agree within 5%% (default 3)")
    ap.add_argument("--warmup-limit", type=float, default=400.0, help="seconds of load at most per server")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--out", default=None, help="default: benchmarks/results/web-<UTC time>.json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 0
    args.logs = os.path.join(ROOT, "target", "web-bench")
    os.makedirs(args.logs, exist_ok=True)
    now = results_meta.utc_now()
    doc = results_meta.header("web", now)
    doc.update({"settings": {k: v for k, v in vars(args).items() if k not in ("logs", "out")},
                "results": []})
    out = args.out or results_meta.results_path("web", now)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    for app in args.apps.split(","):
        for loop in args.loops.split(","):
            why = missing(app, loop)
            result = {"app": app, "loop": loop, "skipped": why} if why else bench(app, loop, args)
            doc["results"].append(result)
            with open(out, "w") as f:
                json.dump(doc, f, indent=1)
            print(f"{app} {loop}: " + (why or ", ".join(f"{k} {result.get(k)}" for k in
                                                          ("rps", "p99_ms", "listen_s", "t80_s", "rss_mb", "error"))),
                  flush=True)
    print("written", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
