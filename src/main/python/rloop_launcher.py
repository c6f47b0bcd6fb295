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
    """Runs the program; returns its exit status, or raises what it raised. GraalPy has already
    put CPython's ``sys.path[0]`` in place (the script's real directory, the cwd for ``-m``, ``''``
    for ``-c``), unless ``-P``/``-I``; only stdin needs fixing."""
    import runpy
    if kind == "script":
        path = os.path.abspath(target)
        if not os.path.exists(target):
            print(f"{sys.executable or 'rloop-graalpy'}: can't open file {path!r}: "
                  f"[Errno 2] No such file or directory", file=sys.stderr)
            return 2
        _namespace.update(runpy.run_path(target, run_name="__main__"))
    elif kind == "module":
        runpy._run_module_as_main(target, alter_argv=True)
    else:
        if kind == "code":
            source, filename = target, "<string>"
        else:
            # GraalPy takes argv[0] '-' for a file in the cwd; CPython puts '' first for stdin
            if not sys.flags.safe_path and sys.path:
                sys.path[0] = ""
            source, filename = sys.stdin.read(), "<stdin>"
        main = sys.modules["__main__"]
        code = compile(source, filename, "exec")
        exec(code, main.__dict__)
    return 0


# A script's globals, for -i (runpy.run_path runs it in a module of its own)
_namespace = {}


def _apply_interpreter_flags(dev_mode, bytes_warning, xoptions, fault_handler):
    """What CPython's options ask for that GraalPy has no context option for."""
    sys._xoptions = {}
    for option in xoptions:
        name, eq, value = str(option).partition("=")
        sys._xoptions[name] = value if eq else True
    if dev_mode or bytes_warning:
        # asyncio's loops read sys.flags.dev_mode to turn their debug mode on
        sys.flags = _flags_with(dev_mode=bool(dev_mode), bytes_warning=int(bytes_warning))
    if dev_mode or fault_handler:
        import faulthandler
        faulthandler.enable()


def _flags_with(**changes):
    """A copy of sys.flags with some fields changed.

    GraalPy reports dev_mode and bytes_warning as off whatever the options, and its sys.flags type
    refuses new instances (as CPython's does), so a tuple subclass with the same fields, order and
    repr stands in for it. The field names come from its repr: the type has no ``_fields``.
    """
    import operator
    current = sys.flags
    text = repr(current)
    names = [item.partition("=")[0] for item in text[text.index("(") + 1:-1].split(", ")]
    if len(names) != len(current) or not set(changes) <= set(names):
        return current  # not the layout this expects: better unchanged than wrong
    attrs = {name: property(operator.itemgetter(i)) for i, name in enumerate(names)}
    attrs["__slots__"] = ()
    attrs["__module__"] = "sys"
    attrs["__repr__"] = lambda self: "sys.flags(%s)" % ", ".join(
        f"{name}={value!r}" for name, value in zip(names, self))
    flags_type = type("flags", (tuple,), attrs)
    return flags_type(changes.get(name, value) for name, value in zip(names, current))


def _interact():
    """-i: a read-eval-print loop in the program's globals once it has ended, as CPython does."""
    import code
    namespace = _namespace or sys.modules["__main__"].__dict__
    try:
        code.interact(banner="", local=namespace, exitmsg="")
    except SystemExit as exc:
        return _exit_code(exc)
    return 0


def _venv_config():
    """The pyvenv.cfg that makes this command a venv's python: beside the executable or one
    folder up, as CPython looks for it; None outside a venv."""
    if not sys.executable:
        return None
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    for folder in (bin_dir, os.path.dirname(bin_dir)):
        config = os.path.join(folder, "pyvenv.cfg")
        if os.path.isfile(config):
            return config
    return None


def _enter_venv():
    """Makes a venv's python use its venv, as CPython does: ``sys.prefix`` is the venv and, unless
    -S, ``site`` adds its site-packages (and the base installation's, when its pyvenv.cfg says
    ``include-system-site-packages = true``). The launcher never imports ``site`` otherwise
    (0.45 s on a fresh JVM); inside a venv it has to."""
    config = _venv_config()
    if config is None:
        return
    if sys.flags.no_site:
        sys.prefix = sys.exec_prefix = os.path.dirname(config)
        return
    import site  # noqa: F401 (its main() reads pyvenv.cfg, sets sys.prefix, adds site-packages)


def main(kind, target, use_rloop, dev_mode=False, bytes_warning=0, xoptions=(), fault_handler=False):
    _apply_interpreter_flags(dev_mode, bytes_warning, xoptions, fault_handler)
    if use_rloop:
        if "asyncio" in sys.modules:
            import rloop._policy
            rloop._policy.install()
        else:
            sys.meta_path.insert(0, _InstallOnAsyncioImport())
    _enter_venv()  # after: a venv's .pth files may import asyncio
    try:
        status = _run(kind, target)
    except SystemExit as exc:
        status = _exit_code(exc)
    except KeyboardInterrupt as exc:
        _report(exc)
        # CPython ends by SIGINT itself then, so its parent sees -2 (the launcher does it)
        status = -2  # SIGINT
    except BaseException as exc:
        _report(exc)
        status = 1
    if sys.flags.inspect:
        status = _interact()
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
