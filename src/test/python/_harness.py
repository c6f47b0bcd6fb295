"""Runs this folder's unittest tests one at a time for the JUnit bridge (PythonSuiteTest).

Test classes derived from ``looptest.LoopTestCase`` are written once and run twice: against
rloop and against GraalPy's stdlib loop, so a behaviour difference fails on one side. Their ids end
in ``[rloop]`` or ``[asyncio]``.
"""

import importlib
import os
import sys
import traceback
import unittest

import looptest

_cases = {}

# GraalPy loads its C API at a context's first C-extension import, under a handshake that every
# Python thread must serve, and the stdlib's ThreadPoolExecutor parks idle workers where they
# cannot (docs/ARCHITECTURE.md, "GraalPy limitations"). rloop's own executor avoids that, but
# the stdlib-loop variants of the tests use the stdlib's: load the C API now, while this is the
# only Python thread, so that no test can hang on it. (LauncherIT checks the hang in a fresh
# process, where the C API is not loaded yet.)
"a".encode("idna")


def _variants(cls):
    if issubclass(cls, looptest.LoopTestCase) and cls.LOOP is None:
        for kind in looptest.LOOP_KINDS:
            yield kind, type(cls.__name__, (cls,), {"LOOP": kind, "__module__": cls.__module__})
    else:
        yield None, cls


def discover(test_dir, modules=None):
    """Returns 'module.Class.method[loop]' ids, module by module (only of the named modules when
    ``modules`` is given)."""
    ids = []
    loader = unittest.TestLoader()
    for name in sorted(os.listdir(test_dir)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        if modules is not None and name[:-3] not in modules:
            continue
        module = importlib.import_module(name[:-3])
        for attr in sorted(vars(module)):
            cls = getattr(module, attr)
            if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
                continue
            if cls.__module__ != module.__name__ or getattr(cls, "__abstract__", False):
                continue
            for kind, concrete in _variants(cls):
                for method in loader.getTestCaseNames(concrete):
                    tid = f"{module.__name__}.{attr}.{method}" + (f"[{kind}]" if kind else "")
                    _cases[tid] = (concrete, method)
                    ids.append(tid)
    return ids


def run(tid):
    """Runs one test: returns None when it passed, 'SKIP:why' when skipped, else the failure."""
    cls, method = _cases[tid]
    result = unittest.TestResult()
    cls(method).run(result)
    if result.skipped:
        return "SKIP:" + result.skipped[0][1]
    problems = result.errors + result.failures
    if result.unexpectedSuccesses:
        problems.append((None, "unexpected success"))
    if problems:
        return "\n".join(text for _, text in problems)
    return None


def recover():
    """After a GraalPy internal error cut a test short (PythonSuiteTest): no loop may still count
    as running on this thread, or the next test's run_until_complete would refuse to start."""
    import asyncio

    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def run_all(test_dir, selector=""):
    """For the command line: runs every test whose id contains one of the comma-separated
    substrings in selector (all tests when it is empty); prints a summary."""
    passed = failed = skipped = 0
    wanted = [part for part in selector.split(",") if part]
    # import only the modules a selector names when each part starts with one ("test_tls.Tls...")
    named = {part.split(".")[0] for part in wanted}
    modules = named if wanted and all(m.startswith("test_") for m in named) else None
    for tid in discover(test_dir, modules):
        if wanted and not any(part in tid for part in wanted):
            continue
        try:
            outcome = run(tid)
        except BaseException:
            outcome = traceback.format_exc()
        if outcome is None:
            passed += 1
            print(f"ok    {tid}", flush=True)
        elif outcome.startswith("SKIP:"):
            skipped += 1
            print(f"skip  {tid}: {outcome[5:]}", flush=True)
        else:
            failed += 1
            print(f"FAIL  {tid}\n{outcome}", flush=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return failed


if __name__ == "__main__":
    # The suite as a program, for the launcher (docs/ARCHITECTURE.md, "The launcher's daemon"):
    #   launcher/rloop-graalpy src/test/python/_harness.py [selector]
    sys.exit(1 if run_all(os.path.dirname(os.path.abspath(__file__)), sys.argv[1] if len(sys.argv) > 1 else "") else 0)
