"""What ``rloop-graalpy`` runs inside GraalPy: ``python``'s own program modes, with rloop as the
asyncio loop, and CPython's exit codes."""

import importlib.machinery
import os
import sys


class _InstallOnAsyncioImport:
    """Sets rloop's policy the moment the program imports asyncio.

    Importing asyncio costs seconds on GraalPy, so programs that never use it should not pay for
    it; programs that do see rloop's policy before their first asyncio call. (A plain class:
    importing importlib.abc would itself cost seconds at start-up.)
    """

    def find_spec(self, name, path=None, target=None):
        if name != "asyncio":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_install(module):
            exec_module(module)
            # a submodule: the program may be importing the rloop package itself right now
            import rloop._policy
            rloop._policy.install()

        loader.exec_module = exec_and_install
        return spec


def _exit_code(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF  # as a POSIX exit status: sys.exit(-1) gives 255
    try:
        sys.stdout.flush()
    except Exception:
        pass
    print(code, file=sys.stderr)
    return 1


def _run(kind, target):
    import runpy
    if kind == "script":
        path = os.path.abspath(target)
        if not os.path.exists(target):
            print(f"{sys.executable or 'rloop-graalpy'}: can't open file {path!r}: "
                  f"[Errno 2] No such file or directory", file=sys.stderr)
            return 2
        sys.path.insert(0, os.path.dirname(path))
        runpy.run_path(target, run_name="__main__")
    elif kind == "module":
        sys.path.insert(0, os.getcwd())
        runpy._run_module_as_main(target, alter_argv=True)
    else:
        if kind == "code":
            source, filename = target, "<string>"
        else:
            source, filename = sys.stdin.read(), "<stdin>"
        sys.path.insert(0, "")
        main = sys.modules["__main__"]
        code = compile(source, filename, "exec")
        exec(code, main.__dict__)
    return 0


def main(kind, target, use_rloop):
    if use_rloop:
        if "asyncio" in sys.modules:
            import rloop._policy
            rloop._policy.install()
        else:
            sys.meta_path.insert(0, _InstallOnAsyncioImport())
    try:
        status = _run(kind, target)
    except SystemExit as exc:
        status = _exit_code(exc)
    except KeyboardInterrupt as exc:
        _report(exc)
        status = 130
    except BaseException as exc:
        _report(exc)
        status = 1
    status = _finish(status)
    return status


def _report(exc):
    """Prints an uncaught exception as CPython does: the traceback starts in the program."""
    tb = exc.__traceback__
    while tb is not None and _is_launcher_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    sys.excepthook(type(exc), exc, tb)


def _is_launcher_frame(filename):
    return filename == __file__ or os.path.basename(filename) in ("runpy.py", "<frozen runpy>")


def _finish(status):
    """Waits for non-daemon threads and runs atexit handlers, as CPython does at exit."""
    import threading
    try:
        threading._shutdown()
    except KeyboardInterrupt:
        status = 130
    import atexit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return status
