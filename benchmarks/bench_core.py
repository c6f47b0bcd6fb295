"""What the benchmark runner (loop_bench.py) and the workload modules share.

Kept apart from loop_bench.py so that workload modules such as net_workloads.py can import these
without importing the runner, which imports them (no import cycle).
"""

import time

perf_counter = time.perf_counter


class BenchError(Exception):
    """A workload produced a wrong result."""


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
