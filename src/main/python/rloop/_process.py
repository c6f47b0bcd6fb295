"""Child processes (``loop.subprocess_exec``/``subprocess_shell``): asyncio's own
``BaseSubprocessTransport`` over a ``java.lang.ProcessBuilder`` process.

asyncio's transport keeps the stdlib's behaviour exactly (callback order, ``_try_finish``,
``get_pipe_transport``, ``wait``, the ``ResourceWarning``); this module gives it what it expects
of ``subprocess.Popen``: ``JavaPopen`` over ``dev.rloop.process.ChildProcess``, whose pipes
become rloop's pipe transports (``_pipes``) and whose exit is posted to the loop by Java. What
Java's process API cannot do is refused up front, naming the argument, not ignored.
"""

import errno
import os
import shutil
import signal
import subprocess

from asyncio import base_subprocess

from . import _bridge, _tasks

# dev.rloop.process.ChildProcess's stream modes
_PIPE, _DEVNULL, _INHERIT, _STDOUT, _FILE_READ, _FILE_APPEND = range(6)
_STREAM_NAMES = ("stdin", "stdout", "stderr")

# Popen arguments Java's ProcessBuilder cannot honour, with the value that means "not used"
_UNSUPPORTED = {
    "preexec_fn": None, "user": None, "group": None, "extra_groups": None,
    "process_group": None, "umask": -1, "pass_fds": (), "close_fds": True,
    "restore_signals": True, "pipesize": -1,
}
_WHY = {
    "preexec_fn": "Python cannot run in the child: Java starts it without fork()",
    "close_fds": "Java's ProcessBuilder always closes the other descriptors in the child",
    "pass_fds": "Java's ProcessBuilder passes no descriptors but 0, 1 and 2",
    "restore_signals": "Java's ProcessBuilder decides the child's signal dispositions",
}


class JavaPipe:
    """A child's pipe as the ``stdin``/``stdout``/``stderr`` of ``JavaPopen``: what asyncio
    hands to ``connect_read_pipe``/``connect_write_pipe``, and ``get_extra_info('pipe')``."""

    def __init__(self, pipe, name):
        self.pipe = pipe
        self.name = name
        self.closed = False

    def fileno(self):
        raise OSError(errno.EBADF, "a child's pipe in rloop is a Java stream, with no descriptor")

    def close(self):
        if not self.closed:
            self.closed = True
            self.pipe.close()

    def __repr__(self):
        return f"<rloop child pipe {self.name}{' closed' if self.closed else ''}>"


class JavaPopen:
    """The part of ``subprocess.Popen`` asyncio's subprocess transport uses, over a Java
    ``ChildProcess``."""

    def __init__(self, child, args):
        self._child = child
        self.args = args
        self.pid = child.pid()
        self.returncode = None
        self.stdin = self._pipe(child.stdin(), "stdin")
        self.stdout = self._pipe(child.stdout(), "stdout")
        self.stderr = self._pipe(child.stderr(), "stderr")

    def _pipe(self, java_pipe, name):
        return None if java_pipe is None else JavaPipe(java_pipe, f"{self.pid}:{name}")

    def __repr__(self):
        return f"<JavaPopen: returncode: {self.returncode} args: {self.args!r}>"

    def poll(self):
        if self.returncode is None and self._child.exited():
            self.returncode = self._child.returnCode()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if not self._child.waitFor(-1.0 if timeout is None else float(timeout)):
                raise subprocess.TimeoutExpired(self.args, timeout)
            self.returncode = self._child.returnCode()
        return self.returncode

    def send_signal(self, sig):
        # as Popen: a process known to have exited is not signalled, and one that exits
        # meanwhile is no error
        self.poll()
        if self.returncode is not None:
            return
        failed = self._child.signal(int(sig))
        if failed and failed != errno.ESRCH:
            raise OSError(failed, os.strerror(failed))

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)


class ProcessTransport(base_subprocess.BaseSubprocessTransport):
    """asyncio's subprocess transport over a Java process; the exit arrives as an event."""

    def _start(self, args, shell, stdin, stdout, stderr, bufsize, **kwargs):
        loop = self._loop
        self._exit_id = loop._new_channel_id()
        self._proc = spawn(loop, self._exit_id, args, shell, (stdin, stdout, stderr), kwargs)
        self._read_handle = _tasks.ReadinessHandle(self._exited, (), loop, None)
        self._write_handle = None
        self._exit_seen = loop.create_future()
        loop._register_channel(self._exit_id, self)
        if self._proc.poll() is not None:
            loop.call_soon(self._exited)  # its exit may have been posted before registration

    def _exited(self):
        if self._returncode is not None or self._loop is None:
            return
        returncode = self._proc.poll()
        if returncode is None:
            return
        self._loop._unregister_channel(self._exit_id)
        if not self._exit_seen.done():
            self._exit_seen.set_result(returncode)
        self._process_exited(returncode)

    async def _wait_exit(self):
        """Until the child has exited: after a failed start, when pipes that never connected
        would keep asyncio's _wait() (which also waits for every pipe) from ever returning."""
        return await self._exit_seen


def spawn(loop, exit_id, args, shell, stdio, kwargs):
    """Starts the child: a JavaPopen, or the OSError CPython raises for the same failure."""
    executable = kwargs.pop("executable", None)
    cwd = kwargs.pop("cwd", None)
    env = kwargs.pop("env", None)
    start_new_session = kwargs.pop("start_new_session", False)
    for name in ("startupinfo", "creationflags"):
        value = kwargs.pop(name, None if name == "startupinfo" else 0)
        if value:
            raise ValueError(f"{name} is only supported on Windows platforms")
    for name, default in _UNSUPPORTED.items():
        value = kwargs.pop(name, default)
        if value != default and not (name == "pass_fds" and not value):
            why = _WHY.get(name, "Java's ProcessBuilder has no way to do it")
            raise NotImplementedError(f"rloop cannot start a process with {name}={value!r}: {why}")
    if kwargs:
        raise TypeError(f"Popen.__init__() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}")

    if shell:
        argv = ["/bin/sh", "-c", os.fsdecode(args)]
    else:
        argv = [os.fsdecode(a) for a in args]
    if executable is not None and os.fsdecode(executable) != argv[0]:
        raise NotImplementedError(
            f"rloop cannot start a process with executable={executable!r} other than args[0]: "
            f"Java's ProcessBuilder runs args[0] and passes it as argv[0]")

    cwd = os.getcwd() if cwd is None else os.fsdecode(cwd)
    if not os.path.exists(cwd):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), cwd)
    if not os.path.isdir(cwd):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), cwd)
    entries = _environment(os.environ if env is None else env)
    program = _find_program(argv[0], env, cwd)
    if start_new_session:
        setsid = shutil.which("setsid")
        if setsid is None:
            raise NotImplementedError("rloop starts a new session through setsid(1), which is "
                                      "not on this machine's PATH")
        argv = [setsid] + argv  # setsid execs the program in place: the pid stays the child's
        program = setsid
    modes, paths = zip(*(_stream(value, fd) for fd, value in enumerate(stdio)))
    pipe_ids = [loop._new_channel_id() if m == _PIPE else 0 for m in modes]
    result = _bridge.bridge.spawn(loop._core, exit_id, pipe_ids, [program] + argv[1:], cwd,
                                  entries, list(modes), list(paths))
    if isinstance(result, int):
        raise OSError(result, os.strerror(result), argv[0])
    return JavaPopen(result, argv if not shell else args)


def _find_program(name, env, cwd):
    """The program's path, searched on the PATH the child gets, as CPython searches it (Java
    would search the JVM's own, which in the launcher's daemon is not the program's)."""
    if os.sep in name:
        return name if os.path.isabs(name) else os.path.join(cwd, name)
    not_executable = None
    for directory in os.get_exec_path(env):
        candidate = os.path.join(directory or os.curdir, name)
        if os.path.isfile(candidate):
            if os.access(candidate, os.X_OK):
                return candidate
            not_executable = not_executable or candidate
    if not_executable is not None:
        # Java then fails with the errno CPython reports for it (EACCES)
        return not_executable
    raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)


def _environment(env):
    entries = []
    for key, value in env.items():
        key = os.fsdecode(key)
        value = os.fsdecode(value)
        if "=" in key or not key:
            raise ValueError("illegal environment variable name")
        if "\0" in key or "\0" in value:
            raise ValueError("embedded null byte")
        entries.append(f"{key}={value}")
    return entries


def _stream(value, fd):
    """(mode, path) for ChildProcess: where the child's standard stream fd goes."""
    name = _STREAM_NAMES[fd]
    if value is None:
        return _INHERIT, None
    if value == subprocess.PIPE:
        return _PIPE, None
    if value == subprocess.DEVNULL:
        return _DEVNULL, None
    if value == subprocess.STDOUT:
        if fd != 2:
            raise ValueError(f"{name}=STDOUT: only stderr can go to the child's stdout")
        return _STDOUT, None
    number = value if isinstance(value, int) else _fileno(value)
    if number in (0, 1, 2):
        if number == fd:
            return _INHERIT, None
        # another of the program's own streams (stderr=sys.stdout): Java opens it again
        if not _bridge.bridge.standardStreams().inheritable():
            raise NotImplementedError(
                f"{name}={value!r}: in the launcher's daemon a child can have the program's "
                f"own {_STREAM_NAMES[number]} only as its {_STREAM_NAMES[number]}")
        return (_FILE_READ if fd == 0 else _FILE_APPEND), f"/dev/fd/{number}"
    path = getattr(value, "name", None)
    if isinstance(path, str) and os.path.isfile(path) and hasattr(value, "flush"):
        value.flush()
        if fd == 0:
            if value.tell() != 0:
                raise NotImplementedError(
                    f"{name}={value!r}: the child would read the file from its start, not from "
                    f"the file object's position {value.tell()}")
            return _FILE_READ, os.path.abspath(path)
        if value.tell() != os.path.getsize(path):
            raise NotImplementedError(
                f"{name}={value!r}: the child would write at the file's end, not at the file "
                f"object's position {value.tell()}")
        return _FILE_APPEND, os.path.abspath(path)
    raise ValueError(
        f"{name}={value!r}: rloop cannot hand a descriptor made by Python code to a child "
        f"process (GraalPy's descriptors are not the JVM's); use PIPE, DEVNULL, None, STDOUT, "
        f"0/1/2, or a regular file object")


def _fileno(value):
    try:
        return value.fileno()
    except (AttributeError, OSError, ValueError):
        return None
