#!/usr/bin/env python3
"""Start-up and warm-up of rloop-graalpy, route by route, with CPython on the same machine.

Part 1, first line: an asyncio hello world (`asyncio.run` of a coroutine that prints one line),
seconds from the command to that line and to exit, median of --runs:

  CPython                     python3 hello.py (asyncio's own loop), the bar to compare with
  daemon, first run           launcher/rloop-graalpy hello.py after `--stop-daemons`: the run
                              starts the daemon, as the first run after a build does
  daemon, after N runs        the same with the daemon running, after it ran --prime programs
                              (the same hello world; --pause seconds between all runs)
  no daemon, runtime image    launcher/rloop-graalpy --no-daemon (a JVM of its own, from the
                              fast-start image when it is current)
  no daemon, JDK              the same with RLOOP_NO_RUNTIME_IMAGE=1
  app jar, ...                examples/packaged-app's jar (java -jar), when it has been built
                              (`mvn -B package` in that folder): with RLOOP_DAEMON=0, and
                              through its daemon after --prime runs

Part 2, time to 80% of settled speed: benchmarks/warmup_curve.py runs a workload (seq_tasks and
stream_echo by default) round after round for --seconds, through the daemon --curve-runs times
in a row, and once each without the daemon and on CPython (asyncio, and uvloop when installed).
The settled rate is the median of the rounds in the second half of the daemon's last run (for
CPython, of its own run); "80% at" is the first time, counted from the command, at which a round
and the two after it all run at 80% of that or more.

Run it with any Python 3 (it only starts processes): python3 benchmarks/startup.py [--runs N]
"""

import argparse
import datetime
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import results_meta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "launcher", "rloop-graalpy")
CURVE = os.path.join(ROOT, "benchmarks", "warmup_curve.py")
APP = os.path.join(ROOT, "examples", "packaged-app")
JAR = os.path.join(APP, "target", "hello-app-1.0.jar")
HELLO = """import asyncio
async def main():
    await asyncio.sleep(0)
    print("hello from", type(asyncio.get_running_loop()).__module__, flush=True)
asyncio.run(main())
"""


def cpython():
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def timed(cmd, env=None, expect="hello from"):
    """Seconds to the first stdout line and to exit; the line must start with `expect`."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = p.stdout.readline()
    first = time.perf_counter() - start
    out, err = p.communicate(timeout=900)
    total = time.perf_counter() - start
    if p.returncode != 0 or not line.startswith(expect):
        sys.exit(f"{cmd} failed ({p.returncode}): {line}{out}{err}")
    return first, total


def stop_daemons():
    subprocess.run([LAUNCHER, "--stop-daemons"], check=True)
    time.sleep(1)  # let it remove its socket


def app_jar_daemons_stop(cache):
    """Stops the app jar's daemons (they run from its unpack cache), so they use no CPU later."""
    subprocess.run(["pkill", "-f", "DaemonServer.*" + cache + "|" + cache + ".*DaemonServer"],
                   capture_output=True)
    time.sleep(1)


def hello_routes(args, hello):
    """(name, command, environment, mode) in the order they are measured: a route never runs
    while another route's daemon is busy warming up."""
    env = dict(os.environ)
    no_image = dict(env, RLOOP_NO_RUNTIME_IMAGE="1")
    routes = []
    py = cpython()
    if py:
        version = subprocess.run([py, "-c", "import platform; print(platform.python_version())"],
                                 capture_output=True, text=True).stdout.strip()
        routes.append(("CPython " + version, [py, hello], env, None))
    routes += [
        ("daemon, first run", [LAUNCHER, hello], env, "cold"),
        (f"daemon, after {args.prime} runs", [LAUNCHER, hello], env, "warm"),
        ("no daemon, runtime image", [LAUNCHER, "--no-daemon", hello], env, "stop"),
        ("no daemon, JDK", [LAUNCHER, "--no-daemon", hello], no_image, None),
    ]
    if os.path.isfile(JAR):
        routes += [
            ("app jar, no daemon", ["java", "-jar", JAR], {"RLOOP_DAEMON": "0"}, "jar"),
            (f"app jar, daemon after {args.prime} runs", ["java", "-jar", JAR], {}, "jar-warm"),
        ]
    return routes


def part1(args, results):
    work = tempfile.mkdtemp(prefix="rloop-startup-")
    cache = tempfile.mkdtemp(prefix="rloop-startup-cache-")
    hello = os.path.join(work, "hello.py")
    with open(hello, "w") as f:
        f.write(HELLO)
    print(f"{'asyncio hello world':<32}{'first line (s)':>16}{'exit (s)':>10}   runs: {args.runs}")
    try:
        for name, cmd, env, mode in hello_routes(args, hello):
            expect = "hello from"
            if mode and mode.startswith("jar"):
                env = dict(os.environ, RLOOP_APP_CACHE=cache, **env)
                expect = "asyncio loop: rloop"
                timed(cmd, dict(env, RLOOP_DAEMON="0"), expect)  # fills the unpack cache
            if mode == "stop":
                stop_daemons()
            if mode in ("warm", "jar-warm"):
                for _ in range(args.prime):  # programs the daemon ran before the measured ones
                    time.sleep(args.pause)
                    timed(cmd, env, expect)
            firsts, totals = [], []
            for _ in range(args.runs):
                if mode == "cold":
                    stop_daemons()
                time.sleep(args.pause)
                f, t = timed(cmd, env, expect)
                firsts.append(f)
                totals.append(t)
            if mode == "jar-warm":
                app_jar_daemons_stop(cache)
            results["hello"][name] = {"first_line": firsts, "exit": totals}
            print(f"{name:<32}{statistics.median(firsts):>16.2f}{statistics.median(totals):>10.2f}"
                  f"   first lines: {', '.join(f'{x:.2f}' for x in firsts)}", flush=True)
    finally:
        app_jar_daemons_stop(cache)
        shutil.rmtree(work)
        shutil.rmtree(cache)


def curve(cmd, seconds, env=None):
    """[(seconds since the command, rate)] of one warmup_curve.py run."""
    env = dict(env or os.environ, RLOOP_BENCH_T0=repr(time.time()))
    p = subprocess.run(cmd + ["--seconds", str(seconds)], capture_output=True, text=True, env=env,
                       timeout=seconds + 900)
    if p.returncode != 0:
        sys.exit(f"{cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    points = []
    for line in p.stdout.splitlines()[1:]:
        t, rate = line.split()
        points.append((float(t), float(rate)))
    return points


def settled(points):
    if not points:
        return float("nan")
    last = points[-1][0]
    half = [r for t, r in points if t >= last / 2] or [r for _, r in points]
    return statistics.median(half)


def time_to(points, target):
    """First time at which a round and the two after it all reach `target`; None if never."""
    rates = [r for _, r in points]
    for i in range(len(points)):
        window = rates[i:i + 3]
        if len(window) == 3 and min(window) >= target:
            return points[i][0]
    return None


def fmt_t(t, seconds):
    return f"{t:.1f}" if t is not None else f"> {seconds:g}"


def part2(args, results):
    py = cpython()
    print(f"\n{'time to 80% of settled rate':<34}{'workload':<14}{'first round (s)':>15}{'80% at (s)':>12}"
          f"{'settled rate':>14}")
    for workload in args.workloads:
        runs = []
        for _ in range(args.curve_runs):
            time.sleep(args.pause)
            runs.append(curve([LAUNCHER, CURVE, workload], args.seconds))
        target = 0.8 * settled(runs[-1])
        entry = {"daemon": runs, "settled": settled(runs[-1])}
        for i, points in enumerate(runs, 1):
            print(f"{f'daemon, run {i}':<34}{workload:<14}{points[0][0]:>15.1f}"
                  f"{fmt_t(time_to(points, target), args.seconds):>12}{settled(points):>14.0f}", flush=True)
        # a JVM of its own needs its start-up on top (about 20 s here) to run as long
        points = curve([LAUNCHER, "--no-daemon", CURVE, workload], args.seconds + 30)
        entry["no_daemon"] = points
        print(f"{'no daemon':<34}{workload:<14}{points[0][0] if points else float('nan'):>15.1f}"
              f"{fmt_t(time_to(points, target), args.seconds + 30):>12}"
              f"{settled(points) if points else float('nan'):>14.0f}", flush=True)
        if py:
            for loop in ("asyncio", "uvloop"):
                if subprocess.run([py, "-c", f"import {loop}"], capture_output=True).returncode:
                    continue
                points = curve([py, CURVE, workload, "--loop", loop], min(args.seconds, 15))
                entry["cpython_" + loop] = points
                own = 0.8 * settled(points)
                print(f"{'CPython ' + loop + ' (own settled rate)':<34}{workload:<14}{points[0][0]:>15.1f}"
                      f"{fmt_t(time_to(points, own), args.seconds):>12}{settled(points):>14.0f}", flush=True)
        results["warmup"][workload] = entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per hello-world route (default 5)")
    ap.add_argument("--pause", type=float, default=3.0, help="seconds between runs (default 3)")
    ap.add_argument("--prime", type=int, default=10,
                    help="programs a daemon runs before a 'daemon, after N runs' route is timed")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of a warm-up curve run")
    ap.add_argument("--curve-runs", type=int, default=3, help="warm-up curve runs through the daemon")
    ap.add_argument("--workloads", default="seq_tasks,stream_echo")
    ap.add_argument("--only", choices=("hello", "warmup"), default=None)
    ap.add_argument("--json", help="where to write the measurements (default: "
                    "benchmarks/results/startup-<UTC time>.json)")
    args = ap.parse_args()
    args.workloads = args.workloads.split(",")
    results = {"hello": {}, "warmup": {}}
    if args.only != "warmup":
        part1(args, results)
    if args.only != "hello":
        part2(args, results)
    doc = results_meta.header("startup")
    doc.update({"settings": {k: v for k, v in vars(args).items() if k != "json"}, **results,
                "hello_summary": {name: {"first_line_median": statistics.median(r["first_line"]),
                                         "exit_median": statistics.median(r["exit"])}
                                  for name, r in results["hello"].items()},
                "warmup_summary": warmup_summary(results["warmup"])})
    path = args.json or results_meta.results_path("startup", datetime.datetime.fromisoformat(doc["date"]))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    print("written", path)


def warmup_summary(warmup):
    """Per workload and route: the first round's time, when 80% of the settled rate was reached
    and the settled rate, as part 2 prints them (what benchmarks/render shows)."""
    summary = {}
    for workload, entry in warmup.items():
        target = 0.8 * entry["settled"]
        routes = {"daemon": (entry["daemon"][-1], target)}
        if entry.get("no_daemon"):
            routes["no_daemon"] = (entry["no_daemon"], target)
        for loop in ("asyncio", "uvloop"):
            points = entry.get("cpython_" + loop)
            if points:  # CPython's own settled rate, as part 2 prints it
                routes["cpython_" + loop] = (points, 0.8 * settled(points))
        summary[workload] = {route: {"first_round_s": points[0][0] if points else None,
                                     "t80_s": time_to(points, t), "settled": settled(points)}
                             for route, (points, t) in routes.items()}
    return summary

if __name__ == "__main__":
    main()
