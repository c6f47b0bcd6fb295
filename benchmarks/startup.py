#!/usr/bin/env python3
"""Start-up of a packaged asyncio app: time from the command to its first line of output.

Runs examples/packaged-app (build it first: `mvn -B package` in that folder) several ways and
prints the median time to the first stdout line and to exit:

  jar            java -jar target/hello-app-1.0.jar (cache already filled)
  jar, cold      the same with an empty unpack cache (the app's first start on a machine)
  launcher       launcher/rloop-graalpy -m hello_app, the same sources on PYTHONPATH
  class path     one JVM, every jar on the class path, no JIT (what a plain uber jar would do)

Run it with any Python 3 (it only starts processes): python3 benchmarks/startup.py [--runs N]
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "examples", "packaged-app")
JAR = os.path.join(APP, "target", "hello-app-1.0.jar")
SOURCES = os.path.join(APP, "src", "main", "python")


def jdk25():
    for home in [os.environ.get("JAVA_HOME", "")] + sorted(glob.glob("/usr/lib/jvm/*")):
        try:
            with open(os.path.join(home, "release")) as f:
                for line in f:
                    if line.startswith("JAVA_VERSION="):
                        if int(line.split("=")[1].strip('"\n').split(".")[0].split("-")[0]) >= 25:
                            return os.path.join(home, "bin", "java")
        except (OSError, ValueError):
            pass
    sys.exit("no JDK 25 found")


def first_line_and_exit(cmd, env):
    """Seconds to the first stdout line and to exit; the line must be the app's first."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = p.stdout.readline()
    first = time.perf_counter() - start
    out, err = p.communicate(timeout=600)
    total = time.perf_counter() - start
    if p.returncode != 0 or not line.startswith("asyncio loop: rloop"):
        sys.exit(f"{cmd} failed ({p.returncode}): {line}{out}{err}")
    return first, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.isfile(JAR):
        sys.exit(f"{JAR} is missing: run `mvn -B package` in {APP} first")
    java25 = jdk25()
    base = dict(os.environ)
    cache = tempfile.mkdtemp(prefix="rloop-startup-cache-")
    warm = dict(base, RLOOP_APP_CACHE=cache)
    with_path = dict(base, PYTHONPATH=SOURCES)
    target = os.path.join(ROOT, "target")
    class_path = os.pathsep.join([os.path.join(target, "rloop-graalpy.jar")]
                                 + sorted(glob.glob(os.path.join(target, "lib", "*.jar"))))
    ways = [
        ("jar", ["java", "-jar", JAR], warm, None),
        ("jar, cold cache", ["java", "-jar", JAR], None, "cold"),
        ("launcher", [os.path.join(ROOT, "launcher", "rloop-graalpy"), "-m", "hello_app"], with_path, None),
        ("class path, no JIT", [java25, "-Xss16m", "--sun-misc-unsafe-memory-access=allow",
                                "-cp", class_path, "dev.rloop.Main", "-m", "hello_app"], with_path, None),
    ]
    try:
        first_line_and_exit(ways[0][1], warm)  # fills the cache; GraalPy's own caches too
        print(f"{'way':<22}{'first line (s)':>16}{'exit (s)':>10}   runs: {args.runs}")
        for name, cmd, env, mode in ways:
            firsts, totals = [], []
            for _ in range(args.runs):
                if mode == "cold":
                    cold = tempfile.mkdtemp(prefix="rloop-startup-cold-")
                    env = dict(base, RLOOP_APP_CACHE=cold)
                try:
                    f, t = first_line_and_exit(cmd, env)
                finally:
                    if mode == "cold":
                        shutil.rmtree(cold)
                firsts.append(f)
                totals.append(t)
            print(f"{name:<22}{statistics.median(firsts):>16.2f}{statistics.median(totals):>10.2f}"
                  f"   first lines: {', '.join(f'{x:.2f}' for x in firsts)}")
        print(f"jar size: {os.path.getsize(JAR) / 1e6:.1f} MB")
    finally:
        shutil.rmtree(cache)


if __name__ == "__main__":
    main()
