"""Child-process workloads for loop_bench.py: spawning processes, and a bulk stream through cat.

GraalPy's stdlib loop cannot run them: its subprocess path forks, which embedded GraalPy cannot
do (it can take the JVM down), so on GraalPy they run on rloop only and the stdlib loop's
column says "not impl.". On CPython they run on asyncio and uvloop alike.
"""

import asyncio
import shutil
import sys

from bench_core import BenchError, Workload, WorkloadSkipped, perf_counter

CAT_CHUNK = 256 * 1024


def _refuse_graalpy_stdlib_loop(loop):
    if sys.implementation.name == "graalpy" and type(loop).__module__.startswith("asyncio"):
        raise NotImplementedError("GraalPy's stdlib loop starts processes by fork(), which "
                                  "embedded GraalPy cannot do")


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise WorkloadSkipped(f"{name} is not on PATH")
    return path


class Spawn(Workload):
    # Timed: n times, create_subprocess_exec("/bin/true") and wait() for it, one after another.
    name = "spawn"
    title = "spawn and wait for /bin/true"
    unit = "processes/s"
    n_full = 400
    n_quick = 40

    def __init__(self, n):
        super().__init__(n)
        self.true = _tool("true")

    def run(self, loop):
        _refuse_graalpy_stdlib_loop(loop)

        async def main():
            t0 = perf_counter()
            for _ in range(self.n):
                p = await asyncio.create_subprocess_exec(self.true)
                if await p.wait() != 0:
                    raise BenchError(f"true exited with {p.returncode}")
            return perf_counter() - t0

        return loop.run_until_complete(main())


class CatPipe(Workload):
    # Timed: n bytes written to cat's stdin in 256 KiB chunks (drain after each) while its stdout
    # is read to EOF on the same loop; the count read back is checked.
    name = "cat_pipe"
    title = "bytes through cat, stdin to stdout"
    unit = "bytes/s"
    n_full = 256 * 1024 * 1024
    n_quick = 16 * 1024 * 1024

    def __init__(self, n):
        super().__init__(n)
        self.cat = _tool("cat")
        self.chunk = bytes(i & 0xFF for i in range(CAT_CHUNK))

    def run(self, loop):
        _refuse_graalpy_stdlib_loop(loop)

        async def feed(stdin):
            full, rest = divmod(self.n, CAT_CHUNK)
            for _ in range(full):
                stdin.write(self.chunk)
                await stdin.drain()
            if rest:
                stdin.write(self.chunk[:rest])
                await stdin.drain()
            stdin.close()

        async def drain(stdout):
            count = 0
            while True:
                data = await stdout.read(CAT_CHUNK)
                if not data:
                    return count
                count += len(data)

        async def main():
            t0 = perf_counter()
            p = await asyncio.create_subprocess_exec(self.cat, stdin=asyncio.subprocess.PIPE,
                                                     stdout=asyncio.subprocess.PIPE)
            _, count = await asyncio.gather(feed(p.stdin), drain(p.stdout))
            await p.wait()
            seconds = perf_counter() - t0
            if count != self.n:
                raise BenchError(f"cat gave back {count} bytes, expected {self.n}")
            return seconds

        return loop.run_until_complete(main())


PROC_WORKLOADS = [Spawn, CatPipe]
