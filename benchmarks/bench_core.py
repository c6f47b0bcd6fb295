"""What the benchmark runner (loop_bench.py) and the workload modules share.

Kept apart from loop_bench.py so that workload modules such as net_workloads.py can import these
without importing the runner, which imports them (no import cycle).
"""

import time

perf_counter = time.perf_counter


class BenchError(Exception):
    """A workload produced a wrong result."""


class WorkloadSkipped(Exception):
    """A workload cannot run on this machine (e.g. a tool it needs is missing). Raised by the
    workload's constructor; the runner reports it as skipped, not as a failure."""


class Workload:
    """A benchmark workload: `run(loop)` does `n` operations once and returns the seconds taken.

    Subclasses set `name` (what `--only` selects), `title`, `unit` (what the rate counts, per
    second), `n_full` and `n_quick`. `run` raises BenchError on a wrong result; a loop that
    lacks a feature the workload needs raises NotImplementedError, which the runner reports as
    "not implemented" for that loop rather than as a failure.
    """

    def __init__(self, n):
        self.n = n

    def ops(self):
        """Operations one round performs (what ops/s counts)."""
        return self.n


class JitActivity:
    """How much CPU time GraalPy's JIT has spent compiling so far, for deciding when a workload is
    warm. Counts Truffle's compiler threads (which compile Python) and HotSpot's own compilers
    (which compile the Graal compiler itself: jargraal runs as ordinary Java, so it too warms up).
    ``available`` is False off GraalPy or without host access; then nothing can be measured.
    """

    def __init__(self):
        self.available = False
        try:
            import java
            mgmt = java.type("java.lang.management.ManagementFactory")
            self._threads = mgmt.getThreadMXBean()
            self._hotspot = mgmt.getCompilationMXBean()
            self._thread_class = java.type("java.lang.Thread")
            self._seen = {}  # compiler thread id -> its CPU time (ns) when last looked at
            self._truffle_ns = 0
            self.seconds()
            self.available = True
        except Exception:
            pass

    def seconds(self):
        """A running total of compiler time, in seconds (only differences mean anything): the
        CPU time of Truffle's compiler threads plus HotSpot's compile time. Truffle ends idle
        compiler threads and starts new ones, so each thread is followed by its id and only the
        growth of its time is added up."""
        for thread in self._thread_class.getAllStackTraces().keySet():
            if thread.getName().startswith("TruffleCompilerThread"):
                tid = thread.threadId()
                cpu = self._threads.getThreadCpuTime(tid)
                if cpu > 0:
                    self._truffle_ns += cpu - self._seen.get(tid, 0)
                    self._seen[tid] = cpu
        hotspot_ms = self._hotspot.getTotalCompilationTime() if self._hotspot else 0
        return self._truffle_ns / 1e9 + hotspot_ms / 1e3
