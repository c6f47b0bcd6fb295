"""Child processes and pipes: asyncio.create_subprocess_*, loop.subprocess_exec/_shell with the
SubprocessTransport/SubprocessProtocol contract, and connect_read_pipe/connect_write_pipe.

Real tools only (/bin/sh, cat, true, sleep). The subprocess classes run on rloop alone (their
names say so): on GraalPy's stdlib loop, asyncio's subprocess path forks, which embedded GraalPy
cannot do (it can bring the JVM down). The os.pipe() class runs on both loops.
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

import java

from looptest import LoopTestCase

PIPE = asyncio.subprocess.PIPE
ProcessHandle = java.type("java.lang.ProcessHandle")


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def live_children():
    return [h.pid() for h in ProcessHandle.current().children().toList()]


async def _uncatchable_in_children():
    """The signals a child of this process starts with ignored or blocked (Linux's
    /proc/<pid>/status, read by a child made as the tests make theirs): a background job's
    JVM ignores SIGINT, and its children inherit that."""
    p = await asyncio.create_subprocess_exec("cat", "/proc/self/status", stdout=PIPE)
    status = (await p.stdout.read()).decode()
    await p.wait()
    mask = 0
    for line in status.splitlines():
        if line.startswith(("SigIgn:", "SigBlk:")):
            mask |= int(line.split()[1], 16)
    return {n for n in range(1, 65) if mask >> (n - 1) & 1}


class SubprocessStreamsRloopOnly(LoopTestCase):
    LOOP = "rloop"
    TIMEOUT = 120.0

    def test_echo_through_cat(self):
        async def main():
            p = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
            self.assertIsInstance(p.pid, int)
            out, err = await p.communicate(b"hello\nworld\n")
            return out, err, p.returncode

        self.assertEqual(self.run_async(main()), (b"hello\nworld\n", None, 0))

    def test_communicate_64_mib_each_way(self):
        data = bytes(range(256)) * (256 * 1024)  # 64 MiB

        async def main():
            p = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
            out, _ = await p.communicate(data)
            return out, p.returncode

        out, code = self.run_async(main())
        self.assertEqual(code, 0)
        self.assertEqual(len(out), len(data))
        self.assertTrue(out == data)

    def test_queued_pipe_writes_keep_what_was_written(self):
        # cat's stdin takes 64 KiB at a time, so these writes queue: bytes as they are, a
        # bytearray as it was when write() returned
        big = bytes(range(256)) * 4096  # 1 MiB
        changing = bytearray(b"a" * 300_000)

        async def main():
            p = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
            p.stdin.write(big)
            p.stdin.write(changing)
            p.stdin.write(b"tail")
            changing[:] = b"z" * 300_000
            out, _ = await p.communicate()
            return out, p.returncode

        out, code = self.run_async(main())
        self.assertEqual(code, 0)
        self.assertTrue(out == big + b"a" * 300_000 + b"tail")

    def test_stderr_into_stdout(self):
        async def main():
            p = await asyncio.create_subprocess_shell(
                "echo out; echo err >&2; echo out2", stdout=PIPE, stderr=asyncio.subprocess.STDOUT)
            out, err = await p.communicate()
            return out, err, p.returncode

        out, err, code = self.run_async(main())
        self.assertEqual(sorted(out.split()), [b"err", b"out", b"out2"])
        self.assertIsNone(err)
        self.assertEqual(code, 0)

    def test_separate_stderr_and_devnull(self):
        async def main():
            p = await asyncio.create_subprocess_shell(
                "echo out; echo err >&2", stdout=asyncio.subprocess.DEVNULL, stderr=PIPE)
            out, err = await p.communicate()
            q = await asyncio.create_subprocess_exec(
                "cat", stdin=asyncio.subprocess.DEVNULL, stdout=PIPE)
            qout, _ = await q.communicate()
            return out, err, qout

        self.assertEqual(self.run_async(main()), (None, b"err\n", b""))

    def test_cwd_and_env(self):
        with tempfile.TemporaryDirectory() as tmp:
            async def main():
                p = await asyncio.create_subprocess_shell(
                    'pwd; echo "$RLOOP_TEST_VALUE"; echo "${HOME-unset}"', stdout=PIPE,
                    cwd=tmp, env={"RLOOP_TEST_VALUE": "from env", "PATH": os.environ["PATH"]})
                out, _ = await p.communicate()
                return out.decode().splitlines()

            lines = self.run_async(main())
        self.assertEqual(os.path.realpath(lines[0]), os.path.realpath(tmp))
        self.assertEqual(lines[1:], ["from env", "unset"])

    def test_missing_cwd(self):
        async def main():
            await asyncio.create_subprocess_exec("true", cwd="/no/such/dir")
        with self.assertRaises(FileNotFoundError) as cm:
            self.run_async(main())
        self.assertEqual(cm.exception.filename, "/no/such/dir")

    def test_exit_codes(self):
        async def code(script):
            p = await asyncio.create_subprocess_exec("/bin/sh", "-c", script)
            return await p.wait()

        async def main():
            return [await code(s) for s in ("exit 0", "exit 1", "exit 255", "exit 137")]

        # 137 is an exit status here, not a death by SIGKILL
        self.assertEqual(self.run_async(main()), [0, 1, 255, 137])

    def test_kill_terminate_and_signal_return_codes(self):
        async def main():
            # a child inherits the signals its parent ignores or blocks (run as a shell's
            # background job, the JVM ignores SIGINT, and so would `sleep`): then SIGUSR2
            unusable = await _uncatchable_in_children()
            sent = signal.SIGINT if signal.SIGINT not in unusable else signal.SIGUSR2
            if sent in unusable:
                self.skipTest("children start with SIGINT and SIGUSR2 ignored or blocked")
            codes = []
            for how in ("kill", "terminate"):
                p = await asyncio.create_subprocess_exec("sleep", "30")
                getattr(p, how)()
                codes.append(await p.wait())
            p = await asyncio.create_subprocess_exec("sleep", "30")
            p.send_signal(sent)
            codes.append(await p.wait())
            return sent, codes

        sent, codes = self.run_async(main())
        self.assertEqual(codes, [-signal.SIGKILL, -signal.SIGTERM, -sent])

    def test_sigusr1_to_a_child_that_traps_it(self):
        async def main():
            p = await asyncio.create_subprocess_shell(
                'trap "echo got USR1; exit 7" USR1; echo ready; '
                'while :; do sleep 0.05; done', stdout=PIPE)
            self.assertEqual(await p.stdout.readline(), b"ready\n")
            p.send_signal(signal.SIGUSR1)
            rest = await p.stdout.read()
            return rest, await p.wait()

        self.assertEqual(self.run_async(main()), (b"got USR1\n", 7))

    def test_wait_with_a_timeout(self):
        async def main():
            p = await asyncio.create_subprocess_exec("sleep", "30")
            with self.assertRaises(TimeoutError):
                await asyncio.wait_for(p.wait(), 0.2)
            self.assertIsNone(p.returncode)
            p.kill()
            return await p.wait()

        self.assertEqual(self.run_async(main()), -signal.SIGKILL)

    def test_missing_program_and_not_executable(self):
        async def main():
            with self.assertRaises(FileNotFoundError) as cm:
                await asyncio.create_subprocess_exec("no-such-program-rloop")
            self.assertEqual(cm.exception.filename, "no-such-program-rloop")
            with self.assertRaises(FileNotFoundError):
                await asyncio.create_subprocess_exec("/no/such/program")
            with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
                f.write("#!/bin/sh\necho hi\n")
            try:
                os.chmod(f.name, 0o644)
                with self.assertRaises(PermissionError):
                    await asyncio.create_subprocess_exec(f.name)
            finally:
                os.unlink(f.name)

        self.run_async(main())

    def test_many_processes_leave_nothing_behind(self):
        async def one():
            p = await asyncio.create_subprocess_exec("true", stdout=PIPE, stderr=PIPE)
            out, err = await p.communicate()
            return p.returncode

        async def main():
            for _ in range(500):
                self.assertEqual(await one(), 0)
            codes = await asyncio.gather(*(one() for _ in range(50)))
            self.assertEqual(codes, [0] * 50)

        fds = open_fds()
        self.run_async(main(), timeout=300)
        deadline = time.monotonic() + 10
        while (open_fds() > fds or live_children()) and time.monotonic() < deadline:
            time.sleep(0.05)  # pipes close and children are reaped on Java's threads
        self.assertLessEqual(open_fds(), fds)
        self.assertEqual(live_children(), [])

    def test_unsupported_arguments_are_refused_by_name(self):
        async def start(**kwargs):
            await asyncio.create_subprocess_exec("true", **kwargs)

        for kwargs, name in (({"preexec_fn": lambda: None}, "preexec_fn"),
                             ({"pass_fds": (5,)}, "pass_fds"),
                             ({"close_fds": False}, "close_fds"),
                             ({"user": "nobody"}, "user"),
                             ({"group": "nogroup"}, "group"),
                             ({"umask": 0o22}, "umask")):
            with self.assertRaises(NotImplementedError) as cm:
                self.run_async(start(**kwargs))
            self.assertIn(name, str(cm.exception))
        with self.assertRaises(ValueError) as cm:
            self.run_async(start(stdout=asyncio.subprocess.STDOUT))
        self.assertIn("stdout", str(cm.exception))
        with self.assertRaises(TypeError):
            self.run_async(start(no_such_argument=1))
        with self.assertRaises(ValueError):
            self.run_async(start(text=True))
        self.assertEqual(live_children(), [])

    def test_file_objects_as_streams(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.txt")
            dst = os.path.join(tmp, "out.txt")
            with open(src, "w") as f:
                f.write("from a file\n")

            async def main():
                with open(src) as fin, open(dst, "w") as fout:
                    p = await asyncio.create_subprocess_exec("cat", stdin=fin, stdout=fout)
                    return await p.wait()

            self.assertEqual(self.run_async(main()), 0)
            with open(dst) as f:
                self.assertEqual(f.read(), "from a file\n")

    def test_start_new_session(self):
        async def main():
            p = await asyncio.create_subprocess_exec(
                "/bin/sh", "-c", "ps -o sid= -p $$ 2>/dev/null || cat /proc/$$/stat",
                stdout=PIPE, start_new_session=True)
            out, _ = await p.communicate()
            return p.pid, out.decode()

        pid, out = self.run_async(main())
        sid = int(out.split()[0]) if "(" not in out else int(out.rsplit(")", 1)[1].split()[3])
        self.assertEqual(sid, pid)


class SubprocessProtocolRloopOnly(LoopTestCase):
    LOOP = "rloop"
    TIMEOUT = 60.0

    class Recorder(asyncio.SubprocessProtocol):
        def __init__(self, loop):
            self.events = []
            self.data = {1: bytearray(), 2: bytearray()}
            self.done = loop.create_future()
            self.transport = None

        def connection_made(self, transport):
            self.transport = transport
            self.events.append("connection_made")

        def pipe_data_received(self, fd, data):
            self.data[fd] += data

        def pipe_connection_lost(self, fd, exc):
            self.events.append(("pipe_connection_lost", fd, exc))

        def process_exited(self):
            self.events.append("process_exited")

        def connection_lost(self, exc):
            self.events.append(("connection_lost", exc))
            self.done.set_result(None)

    def test_callbacks_in_the_stdlib_order(self):
        async def main():
            loop = asyncio.get_running_loop()
            transport, proto = await loop.subprocess_exec(
                lambda: self.Recorder(loop), "/bin/sh", "-c", "cat; echo bye >&2",
                stdin=PIPE, stdout=PIPE, stderr=PIPE)
            self.assertIs(proto.transport, transport)
            self.assertIsInstance(transport.get_pid(), int)
            self.assertIsNone(transport.get_returncode())
            stdin = transport.get_pipe_transport(0)
            self.assertIsNotNone(transport.get_pipe_transport(1))
            self.assertIsNone(transport.get_pipe_transport(3))
            stdin.write(b"through cat\n")
            stdin.close()
            await proto.done
            self.assertEqual(transport.get_returncode(), 0)
            transport.close()
            self.assertTrue(transport.is_closing())
            return proto

        proto = self.run_async(main())
        self.assertEqual(bytes(proto.data[1]), b"through cat\n")
        self.assertEqual(bytes(proto.data[2]), b"bye\n")
        events = proto.events
        self.assertEqual(events[0], "connection_made")
        self.assertEqual(events[-1], ("connection_lost", None))
        self.assertEqual(sorted(e for e in events if isinstance(e, tuple) and e[0].startswith("pipe")),
                         [("pipe_connection_lost", 0, None), ("pipe_connection_lost", 1, None),
                          ("pipe_connection_lost", 2, None)])
        self.assertIn("process_exited", events)

    def test_paused_stdout_stops_the_child(self):
        async def main():
            loop = asyncio.get_running_loop()
            transport, proto = await loop.subprocess_exec(
                lambda: self.Recorder(loop), "/bin/sh", "-c",
                "head -c 4194304 /dev/zero", stdout=PIPE)
            stdout = transport.get_pipe_transport(1)
            stdout.pause_reading()
            self.assertFalse(stdout.is_reading())
            await asyncio.sleep(0.1)  # data read before the pause reaches the protocol by call_soon
            held = len(proto.data[1])
            await asyncio.sleep(0.5)
            # a paused pipe is not read: nothing more arrives, and the child blocks on its full
            # pipe short of 4 MiB (at most rloop's 256 KiB and the pipe's 64 KiB more)
            self.assertEqual(len(proto.data[1]), held)
            self.assertLess(held, 4 * 1024 * 1024 - 320 * 1024)
            self.assertIsNone(transport.get_returncode())
            stdout.resume_reading()
            await proto.done
            transport.close()
            return len(proto.data[1]), transport.get_returncode()

        self.assertEqual(self.run_async(main()), (4 * 1024 * 1024, 0))

    def test_full_stdin_pauses_and_resumes_writing(self):
        class Writer(self.Recorder):
            def __init__(self, loop):
                super().__init__(loop)
                self.pauses = 0
                self.resumes = 0

            def pause_writing(self):
                self.pauses += 1

            def resume_writing(self):
                self.resumes += 1

        async def main():
            loop = asyncio.get_running_loop()
            transport, proto = await loop.subprocess_exec(
                lambda: Writer(loop), "/bin/sh", "-c", "sleep 0.3; cat >/dev/null",
                stdin=PIPE)
            stdin = transport.get_pipe_transport(0)
            stdin.write(b"x" * (4 * 1024 * 1024))
            self.assertGreater(stdin.get_write_buffer_size(), 0)
            self.assertEqual(proto.pauses, 1)
            stdin.close()
            await proto.done
            transport.close()
            return proto.pauses, proto.resumes, transport.get_returncode()

        self.assertEqual(self.run_async(main()), (1, 1, 0))

    def test_signals_after_the_end(self):
        async def main():
            loop = asyncio.get_running_loop()
            transport, proto = await loop.subprocess_exec(lambda: self.Recorder(loop), "true")
            popen = transport.get_extra_info("subprocess")
            await proto.done
            # the Popen of an exited child ignores signals; the transport, once its connection
            # is lost, has no process left to signal
            popen.send_signal(signal.SIGTERM)
            self.assertEqual(popen.returncode, 0)
            for signal_it in (lambda: transport.send_signal(signal.SIGTERM), transport.kill,
                              transport.terminate):
                with self.assertRaises(ProcessLookupError):
                    signal_it()
            transport.close()

        self.run_async(main())

    def test_close_kills_a_running_child(self):
        async def main():
            loop = asyncio.get_running_loop()
            transport, proto = await loop.subprocess_exec(
                lambda: self.Recorder(loop), "sleep", "30", stdout=PIPE)
            transport.close()
            await proto.done
            return transport.get_returncode()

        self.assertEqual(self.run_async(main()), -signal.SIGKILL)


class PythonMadePipes(LoopTestCase):
    """connect_read_pipe/connect_write_pipe on pipes Python code made go to asyncio's own pipe
    transports, on both loops; GraalPy's emulated descriptors report neither FIFO nor socket to
    os.fstat, so those transports refuse them with the stdlib's ValueError on both loops alike."""

    def test_os_pipe_refused_as_by_the_stdlib(self):
        async def main():
            loop = asyncio.get_running_loop()
            rfd, wfd = os.pipe()
            with os.fdopen(rfd, "rb", 0) as r, os.fdopen(wfd, "wb", 0) as w:
                with self.assertRaises(ValueError) as cm:
                    await loop.connect_read_pipe(asyncio.Protocol, r)
                self.assertEqual(str(cm.exception), "Pipe transport is for pipes/sockets only.")
                with self.assertRaises(ValueError):
                    await loop.connect_write_pipe(asyncio.Protocol, w)

        self.run_async(main())
