"""What every benchmarks/results/*.json file says about its invocation: when (UTC), which commit,
on what machine. The runners call header(); benchmarks/render shows commit and machine, never the
date, so documents do not change with the day a run was made.

Standard library only: CPython runs it (startup.py, web/bench.py, the --fork parent of
loop_bench.py) and so can GraalPy (loop_bench.py without --fork).
"""

import datetime
import os
import platform
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def results_path(kind, now):
    """benchmarks/results/<kind>-<UTC time>.json: names sort by time, so the newest sorts last."""
    return os.path.join(RESULTS, f"{kind}-{now:%Y%m%dT%H%M%SZ}.json")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def header(kind, now=None):
    """The fields every results file starts with."""
    now = now or utc_now()
    return {"kind": kind, "date": now.isoformat(timespec="seconds"), "commit": commit(),
            "machine": machine()}


def commit():
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    sha = out.stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=30).stdout.strip()
    return sha + ("+changes" if dirty else "")


def machine():
    """CPUs, CPU model, memory, OS, and the JDK and GraalPy versions the launcher would use."""
    return {"cpus": os.cpu_count(), "cpu": cpu_model(), "memory_gb": memory_gb(),
            "system": platform.platform(), "jdk": jdk_version(), "graalpy": graalpy_version()}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def memory_gb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def jdk_version():
    """java.version of the JDK launcher/jdk.sh finds (the one the launcher runs)."""
    script = ('. "$1/launcher/jdk.sh" && j=$(find_java) && '
              '"$j" -XshowSettings:properties -version 2>&1 | sed -n "s/^ *java\\.version = //p"')
    try:
        out = subprocess.run(["bash", "-c", script, "jdk", ROOT], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def graalpy_version():
    """The GraalPy release the build uses (pom.xml's graalpy.version)."""
    try:
        with open(os.path.join(ROOT, "pom.xml")) as f:
            m = re.search(r"<graalpy\.version>([^<]+)</graalpy\.version>", f.read())
    except OSError:
        return None
    return m.group(1) if m else None
