package dev.rloop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code launcher/rloop-graalpy} as a subprocess on small Python programs and checks
 * what CPython users rely on: {@code sys.argv}, the program modes, exit codes, messages on stderr,
 * PYTHONPATH, the loop asyncio gets, and SIGINT.
 *
 * <p>Every launcher run that creates a GraalPy context costs 10-25 s (much more on a loaded
 * 2-core machine), so the checks are grouped into few runs. Output goes to files, not pipes, so a
 * child can never block on a full pipe while the test waits.
 */
@EnabledOnOs(OS.LINUX)
class LauncherIT {
    /** Per launcher run; generous because a busy CI machine can take over a minute to start GraalPy. */
    private static final long RUN_TIMEOUT_S = Long.getLong("rloop.launcher.timeout", 300);
    /** The first run may build the project (the launcher runs {@code mvn package} when no jar exists). */
    private static final long FIRST_RUN_TIMEOUT_S = Long.getLong("rloop.launcher.buildTimeout", 1800);
    /** How long a program may take to end once it got SIGINT. */
    private static final long SIGINT_EXIT_S = 30;

    private static final String TRACEBACK = "Traceback (most recent call last):";
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    static Path dir;

    private static Path launcher;
    private static Run versionRun;

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /** The daemons' sockets for this class's runs (the launcher's daemon is on by default). */
    private static Path daemons;

    @BeforeAll
    static void findLauncherAndBuild() throws Exception {
        daemons = Files.createDirectories(dir.resolve("daemons"));
        Files.setPosixFilePermissions(daemons, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path base = Path.of(System.getProperty("rloop.basedir", ".")).toAbsolutePath().normalize();
        launcher = base.resolve("launcher").resolve("rloop-graalpy");
        assertTrue(Files.isExecutable(launcher), "launcher not found or not executable: " + launcher);
        // Under `mvn verify` the tests run before the package phase, so on a clean clone there is no
        // jar yet and this first run makes the launcher build it; the later runs find it in place.
        versionRun = run(List.of(), List.of("--version"), Map.of(), null, FIRST_RUN_TIMEOUT_S);
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (daemons != null) {
            Run stop = launch("--stop-daemons");
            assertEquals(0, stop.exit(), stop::toString);
        }
    }

    // ---------------------------------------------------------------- options handled in Java only

    @Test
    void versionAndHelpExitZero() throws Exception {
        assertEquals(0, versionRun.exit(), versionRun::toString);
        // If this first run built the project, the build said one line and nothing else (Maven's
        // output, colour codes included, goes to a log shown only when the build fails).
        assertFalse(versionRun.err().contains("\u001b"), versionRun::toString);
        assertTrue(versionRun.err().isEmpty() || lines(versionRun.err()).equals(List.of(
                "rloop-graalpy: building the project (first run only; downloads GraalPy if needed)...")),
                versionRun::toString);
        assertTrue(versionRun.out().matches("(?s)rloop-graalpy \\d+\\.\\d+\\.\\d+.*Python 3\\.12.*\\n"),
                versionRun::toString);

        Run help = launch("--help");
        assertEquals(0, help.exit(), help::toString);
        assertTrue(help.out().startsWith("usage: rloop-graalpy"), help::toString);
        assertTrue(help.out().contains("--loop"), help::toString);
        assertTrue(help.out().contains("-m mod"), help::toString);
    }

    @Test
    void badCommandLinesExitTwo() throws Exception {
        Run unknown = launch("--bogus", "x.py");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("--bogus"), unknown::toString);
        assertTrue(unknown.err().contains("usage:"), unknown::toString);
        assertEquals("", unknown.out(), unknown::toString);

        Run badLoop = launch("--loop", "uvloop", "x.py");
        assertEquals(2, badLoop.exit(), badLoop::toString);
        assertTrue(badLoop.err().contains("uvloop"), badLoop::toString);

        Run noCode = launch("-c");
        assertEquals(2, noCode.exit(), noCode::toString);
        assertTrue(noCode.err().contains("Argument expected for the -c option"), noCode::toString);

        // CPython's options are accepted, an unknown letter among them is not
        Run unknownLetter = launch("-EZ", "-c", "print(1)");
        assertEquals(2, unknownLetter.exit(), unknownLetter::toString);
        assertTrue(unknownLetter.err().contains("unknown option -Z"), unknownLetter::toString);
        assertTrue(unknownLetter.err().contains("usage:"), unknownLetter::toString);
        assertEquals("", unknownLetter.out(), unknownLetter::toString);

        Run noWarnArg = launch("-E", "-W");
        assertEquals(2, noWarnArg.exit(), noWarnArg::toString);
        assertTrue(noWarnArg.err().contains("Argument expected for the -W option"), noWarnArg::toString);
    }

    // ---------------------------------------------------------------- program modes and exit codes

    @Test
    void scriptArgvPythonPathAndExitCode() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib_a"));
        Files.writeString(lib.resolve("helper_on_path.py"), "VALUE = 'from-pythonpath'\n");
        script("app.py", """
                import sys
                print(sys.argv)
                print('name', __name__)
                import helper_on_path
                print('helper', helper_on_path.VALUE)
                sys.exit(3)
                print('not reached')
                """);
        Run r = run(List.of(), List.of("app.py", "a", "b"), Map.of("PYTHONPATH", lib.toString()), null,
                RUN_TIMEOUT_S);
        assertEquals(3, r.exit(), r::toString);
        assertEquals(List.of("['app.py', 'a', 'b']", "name __main__", "helper from-pythonpath"), lines(r.out()),
                r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    @Test
    void moduleOnPythonPathAndSysExitMessage() throws Exception {
        // Two PYTHONPATH entries: the module in one, what it imports in the other.
        Path libA = Files.createDirectories(dir.resolve("lib_m1"));
        Path libB = Files.createDirectories(dir.resolve("lib_m2"));
        Files.writeString(libA.resolve("tool_helper.py"), "GREETING = 'hello from lib_m1'\n");
        Files.writeString(libB.resolve("clitool.py"), """
                import os, sys
                import tool_helper
                print('argv0', sys.argv[0] == os.path.abspath(__file__), os.path.basename(sys.argv[0]))
                print('args', sys.argv[1:])
                print('name', __name__)
                print(tool_helper.GREETING)
                sys.exit('clitool failed: ' + sys.argv[1])
                """);
        Run r = run(List.of(), List.of("-m", "clitool", "x", "y"),
                Map.of("PYTHONPATH", libA + File.pathSeparator + libB), null, RUN_TIMEOUT_S);
        assertEquals(1, r.exit(), r::toString);
        assertEquals(List.of("argv0 True clitool.py", "args ['x', 'y']", "name __main__", "hello from lib_m1"),
                lines(r.out()), r::toString);
        assertEquals("clitool failed: x", r.err().strip(), r::toString);
    }

    @Test
    void dashCCode() throws Exception {
        Run r = launch("-c", "import sys; print(sys.argv); print(__name__, repr(sys.path[0])); print(6 * 7)",
                "p", "q");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("['-c', 'p', 'q']", "__main__ ''", "42"), lines(r.out()), r::toString);
    }

    @Test
    void programFromStdin() throws Exception {
        String source = """
                import sys
                print('stdin argv', sys.argv)
                print(sum(range(10)))
                raise SystemExit(5)
                """;
        Run r = run(List.of(), List.of("-", "s1"), Map.of(), source, RUN_TIMEOUT_S);
        assertEquals(5, r.exit(), r::toString);
        assertEquals(List.of("stdin argv ['-', 's1']", "45"), lines(r.out()), r::toString);
    }

    @Test
    void uncaughtExceptionPrintsTracebackAndExitsOne() throws Exception {
        script("boom.py", """
                def inner():
                    raise ValueError('boom 42')

                def outer():
                    inner()

                print('before', flush=True)
                outer()
                """);
        Run r = launch("boom.py");
        assertEquals(1, r.exit(), r::toString);
        assertEquals(List.of("before"), lines(r.out()), r::toString);
        List<String> err = lines(r.err());
        assertEquals(TRACEBACK, err.get(0), r::toString);
        // The first frame is the script's own module level, as in CPython: no launcher or runpy frames.
        assertTrue(err.get(1).matches("  File \".*boom\\.py\", line 8, in <module>"), r::toString);
        assertTrue(r.err().contains("in outer") && r.err().contains("in inner"), r::toString);
        assertFalse(r.err().contains("rloop_launcher"), r::toString);
        assertFalse(r.err().contains("runpy"), r::toString);
        assertEquals("ValueError: boom 42", err.get(err.size() - 1), r::toString);
    }

    @Test
    void missingScriptExitsTwo() throws Exception {
        Run r = launch("no_such_script.py");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("can't open file"), r::toString);
        assertTrue(r.err().contains("no_such_script.py"), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    // ---------------------------------------------------------------- which loop asyncio gets

    private static final String LOOP_SCRIPT = """
            import asyncio

            async def square(n, delay):
                await asyncio.sleep(delay)
                return n * n

            async def main():
                loop = asyncio.get_running_loop()
                print('loop', type(loop).__module__)
                print('selector', isinstance(loop, asyncio.SelectorEventLoop))
                print('results', await asyncio.gather(*(square(i, 0.01 * (3 - i)) for i in range(3))))
                fut = loop.create_future()
                loop.call_later(0.01, fut.set_result, 'done')
                print('future', await fut)
                return 7

            print('run', asyncio.run(main()))
            """;

    @Test
    void asyncioRunUsesRloopByDefault() throws Exception {
        script("which_loop.py", LOOP_SCRIPT);
        Run r = launch("which_loop.py");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("loop rloop.loop", "selector False", "results [0, 1, 4]", "future done", "run 7"),
                lines(r.out()), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    @Test
    void loopAsyncioOptionUsesStdlibLoop() throws Exception {
        script("which_loop_stdlib.py", LOOP_SCRIPT);
        Run r = launch("--loop", "asyncio", "which_loop_stdlib.py");
        assertEquals(0, r.exit(), r::toString);
        List<String> out = lines(r.out());
        assertTrue(out.get(0).startsWith("loop asyncio."), r::toString); // asyncio.unix_events on Linux
        assertEquals(List.of("selector True", "results [0, 1, 4]", "future done", "run 7"),
                out.subList(1, out.size()), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    @Test
    void tcpEchoExampleRunsOnRloop() throws Exception {
        Path base = launcher.getParent().getParent();
        Run r = launch(base.resolve("examples").resolve("echo_tcp.py").toString(), "50");
        assertEquals(0, r.exit(), r::toString);
        List<String> out = lines(r.out());
        assertTrue(out.get(0).startsWith("server: listening on 127.0.0.1:"), r::toString);
        assertTrue(out.get(0).endsWith("(rloop.loop)"), r::toString);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("client: 50 round trips in ")), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    // ---------------------------------------------------------------- CPython's interpreter options

    /**
     * Prints what the interpreter options and PYTHON* variables decide, one "key json" line each:
     * sys.flags, warnings, sys._xoptions, sys.path, unbuffered streams and, on the loop asyncio.run
     * creates, its debug mode (asyncio sets it from sys.flags.dev_mode and PYTHONASYNCIODEBUG).
     */
    private static final String FLAGS_PROBE = """
            import asyncio, json, sys, warnings

            async def loop_state():
                loop = asyncio.get_running_loop()
                return type(loop).__module__, loop.get_debug()

            loop_module, debug = asyncio.run(loop_state())
            try:
                import helper_on_path
                helper = True
            except ImportError:
                helper = False
            seen = {
                'loop': loop_module,
                'debug': debug,
                'warnoptions': sys.warnoptions,
                'first_filter': [warnings.filters[0][0], warnings.filters[0][2].__name__],
                'xoptions': sys._xoptions,
                'pythonpath_module': helper,
                'path0': sys.path[0],
                'argv': sys.argv,
                'write_through': [sys.stdout.write_through, sys.stderr.write_through],
                'stdout_buffer': type(sys.stdout.buffer).__name__,
            }
            for name in ('ignore_environment', 'no_user_site', 'isolated', 'safe_path', 'dev_mode',
                         'dont_write_bytecode', 'optimize', 'int_max_str_digits'):
                seen['flags.' + name] = getattr(sys.flags, name)
            for key, value in seen.items():
                print(key, json.dumps(value, sort_keys=True))
            """;

    /** Runs FLAGS_PROBE with {@code args} before it ({@code -c} when the args end with "-c"). */
    private static Map<String, String> probeFlags(List<String> args, Map<String, String> env) throws Exception {
        script("flags_probe.py", FLAGS_PROBE);
        Path lib = Files.createDirectories(dir.resolve("lib_flags"));
        Files.writeString(lib.resolve("helper_on_path.py"), "VALUE = 1\n");
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("PYTHONPATH", lib.toString());
        List<String> command = new ArrayList<>(args);
        if (command.get(command.size() - 1).equals("-c")) {
            command.add("exec(open('flags_probe.py').read())");
        }
        Run r = run(List.of(), command, environment, null, RUN_TIMEOUT_S);
        assertEquals(0, r.exit(), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        for (String line : lines(r.out())) {
            int space = line.indexOf(' ');
            seen.put(line.substring(0, space), line.substring(space + 1));
        }
        seen.put("", r.toString()); // for failure messages
        return seen;
    }

    private static void assertSeen(Map<String, String> seen, String key, String expectedJson) {
        assertEquals(expectedJson, seen.get(key), () -> key + " in\n" + seen.get(""));
    }

    @Test
    void cpythonFlagsSpelledOut() throws Exception {
        Map<String, String> seen = probeFlags(
                List.of("-E", "-s", "-u", "-B", "-W", "error::DeprecationWarning", "-X", "dev", "-c"),
                Map.of("PYTHONWARNINGS", "ignore::UserWarning"));
        assertSeen(seen, "loop", "\"rloop.loop\"");
        assertSeen(seen, "debug", "true"); // -X dev turns asyncio's debug mode on
        assertSeen(seen, "flags.dev_mode", "true");
        assertSeen(seen, "flags.ignore_environment", "1");
        assertSeen(seen, "flags.no_user_site", "1");
        assertSeen(seen, "flags.dont_write_bytecode", "1");
        assertSeen(seen, "flags.isolated", "0");
        // dev mode's 'default' first (lowest priority), -W last; PYTHONWARNINGS ignored under -E
        assertSeen(seen, "warnoptions", "[\"default\", \"error::DeprecationWarning\"]");
        assertSeen(seen, "first_filter", "[\"error\", \"DeprecationWarning\"]");
        assertSeen(seen, "xoptions", "{\"dev\": true}");
        assertSeen(seen, "pythonpath_module", "false"); // -E: PYTHONPATH ignored
        assertSeen(seen, "path0", "\"\"");
        assertSeen(seen, "argv", "[\"-c\"]");
        assertSeen(seen, "write_through", "[true, true]"); // -u
        assertSeen(seen, "stdout_buffer", "\"FileIO\"");
    }

    @Test
    void cpythonFlagsCombinedAndEndedByDoubleDash() throws Exception {
        // -E must also switch off PYTHONASYNCIODEBUG (asyncio checks sys.flags.ignore_environment)
        Map<String, String> seen = probeFlags(
                List.of("-Es", "-Wd", "-Xint_max_str_digits=5000", "-O", "--", "flags_probe.py", "-x"),
                Map.of("PYTHONASYNCIODEBUG", "1", "PYTHONUNBUFFERED", "1"));
        assertSeen(seen, "debug", "false");
        assertSeen(seen, "flags.ignore_environment", "1");
        assertSeen(seen, "flags.no_user_site", "1");
        assertSeen(seen, "flags.dev_mode", "false");
        assertSeen(seen, "flags.optimize", "1");
        assertSeen(seen, "flags.int_max_str_digits", "5000");
        assertSeen(seen, "warnoptions", "[\"d\"]");
        assertSeen(seen, "first_filter", "[\"default\", \"Warning\"]");
        assertSeen(seen, "xoptions", "{\"int_max_str_digits\": \"5000\"}");
        assertSeen(seen, "pythonpath_module", "false");
        assertSeen(seen, "path0", "\"" + dir.toRealPath() + "\"");
        assertSeen(seen, "argv", "[\"flags_probe.py\", \"-x\"]");
        assertSeen(seen, "write_through", "[false, false]"); // PYTHONUNBUFFERED ignored under -E
    }

    @Test
    void pythonEnvironmentVariablesWithoutOptions() throws Exception {
        Map<String, String> seen = probeFlags(List.of("flags_probe.py"), Map.of("PYTHONASYNCIODEBUG", "1",
                "PYTHONWARNINGS", "error::UserWarning,ignore::ResourceWarning", "PYTHONUNBUFFERED", "1"));
        assertSeen(seen, "loop", "\"rloop.loop\"");
        assertSeen(seen, "debug", "true"); // PYTHONASYNCIODEBUG=1 on rloop's loop
        assertSeen(seen, "flags.dev_mode", "false");
        assertSeen(seen, "flags.ignore_environment", "0");
        assertSeen(seen, "warnoptions", "[\"error::UserWarning\", \"ignore::ResourceWarning\"]");
        assertSeen(seen, "first_filter", "[\"ignore\", \"ResourceWarning\"]");
        assertSeen(seen, "xoptions", "{}");
        assertSeen(seen, "pythonpath_module", "true");
        assertSeen(seen, "write_through", "[true, true]");
    }

    @Test
    void isolatedModeIgnoresEnvironmentAndScriptDirectory() throws Exception {
        Map<String, String> seen = probeFlags(List.of("-I", "-c"),
                Map.of("PYTHONASYNCIODEBUG", "1", "PYTHONWARNINGS", "error"));
        assertSeen(seen, "debug", "false");
        assertSeen(seen, "flags.isolated", "1");
        assertSeen(seen, "flags.ignore_environment", "1");
        assertSeen(seen, "flags.no_user_site", "1");
        assertSeen(seen, "flags.safe_path", "true");
        assertSeen(seen, "warnoptions", "[]");
        assertSeen(seen, "pythonpath_module", "false");
        assertFalse(seen.get("path0").equals("\"\""), seen.get("")); // -P: no '' for -c
    }

    // ---------------------------------------------------------------- SIGINT

    @Test
    void sigintInterruptsAsyncioRun() throws Exception {
        script("sleepy_async.py", """
                import asyncio

                async def main():
                    print('ready', flush=True)
                    await asyncio.sleep(60)
                    print('slept the full minute')

                asyncio.run(main())
                print('after run')
                """);
        Run r = runAndInterrupt("sleepy_async.py");
        assertEquals(130, r.exit(), r::toString); // killed by SIGINT, as Java reports it (DefaultPathIT reads -2)
        assertEquals(List.of("ready"), lines(r.out()), r::toString);
        List<String> err = lines(r.err());
        assertTrue(err.contains(TRACEBACK), r::toString);
        assertEquals("KeyboardInterrupt", err.get(err.size() - 1), r::toString);
    }

    @Test
    void sigintRaisesKeyboardInterruptInPlainScript() throws Exception {
        script("sleepy_plain.py", """
                import time
                try:
                    print('ready', flush=True)
                    for _ in range(600):
                        time.sleep(0.1)
                    print('not interrupted')
                except KeyboardInterrupt:
                    print('caught', flush=True)
                """);
        Run r = runAndInterrupt("sleepy_plain.py");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("ready", "caught"), lines(r.out()), r::toString);
        assertFalse(r.err().contains(TRACEBACK), r::toString);
    }

    /**
     * Starts the launcher on {@code scriptName}, waits for it to print "ready", sends SIGINT to the
     * JVM (the launcher execs java, so the child's pid is the JVM's) and waits for it to end.
     */
    private static Run runAndInterrupt(String scriptName) throws Exception {
        // A process started with SIGINT ignored keeps it ignored across exec, and then the JVM does
        // not install its SIGINT handler at all (as CPython, it leaves an inherited "ignore" alone).
        // That happens whenever the test JVM itself was started from a non-interactive shell in the
        // background (`cmd &`), which is how CI runners and nohup'd builds often start Maven, and
        // ProcessBuilder children inherit the disposition. `trap - INT` in sh cannot undo it (POSIX
        // lets non-interactive shells refuse to reset signals ignored on entry), so the child is
        // started through coreutils' `env --default-signal=INT`, which resets SIGINT to default and
        // execs: the pid stays the one of the JVM. A user pressing Ctrl-C in a terminal has SIGINT at
        // its default, which is the situation this test recreates.
        List<String> prefix = envCanResetSigint() ? List.of("env", "--default-signal=INT") : List.of();
        Launched l = start(prefix, List.of(scriptName), Map.of(), null);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
            while (!read(l.out()).contains("ready\n")) {
                if (!l.process().isAlive()) {
                    fail("the program ended before it printed 'ready'\n" + finish(l));
                }
                if (System.nanoTime() > deadline) {
                    fail("no 'ready' within " + RUN_TIMEOUT_S + " s\n" + snapshot(l));
                }
                Thread.sleep(100);
            }
            long ignored = sigIgnMask(l.process().pid());
            assertEquals(0, ignored & (1L << (2 - 1)),
                    "SIGINT is ignored in the launched JVM (inherited disposition), cannot test Ctrl-C");
            Process kill = new ProcessBuilder("/bin/kill", "-INT", Long.toString(l.process().pid()))
                    .redirectErrorStream(true).start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill did not finish");
            assertEquals(0, kill.exitValue(), () -> "kill failed: " + new String(readAll(kill), StandardCharsets.UTF_8));
            if (!l.process().waitFor(SIGINT_EXIT_S, TimeUnit.SECONDS)) {
                fail("the program did not end within " + SIGINT_EXIT_S + " s of SIGINT\n" + snapshot(l));
            }
            return finish(l);
        } finally {
            destroy(l.process());
        }
    }

    // ---------------------------------------------------------------- GraalPy's C-API load

    /**
     * A program's first C-extension import makes GraalPy load its C API under a thread-local
     * handshake that every Python thread must serve. Two ways rloop used to hang there for ever,
     * each in a fresh process (the C API loads once per context): an idle default-executor worker
     * (after getaddrinfo) parked where handshakes cannot reach it, and the loop thread parked in
     * its Java selector while an executor job did the import. The idna codec needs the
     * {@code _cpython_unicodedata} extension.
     */
    private static final String CAPI_AFTER_GETADDRINFO = """
            import asyncio
            async def main():
                loop = asyncio.get_running_loop()
                await loop.getaddrinfo("localhost", 80)   # leaves an idle executor worker
                print("encoded", "b\u00fccher.example".encode("idna"), flush=True)
            asyncio.run(main())
            """;
    private static final String CAPI_FROM_EXECUTOR_LOOP_OFF_MAIN = """
            import asyncio, threading
            def load():
                return "b\u00fccher.example".encode("idna")
            async def main():
                loop = asyncio.get_running_loop()
                print("encoded", await loop.run_in_executor(None, load), flush=True)
            t = threading.Thread(target=asyncio.run, args=(main(),))
            t.start()
            t.join()
            """;

    @Test
    void firstCExtensionImportDoesNotHangTheLoop() throws Exception {
        Launched a = start(List.of(), List.of(script("capi_a.py", CAPI_AFTER_GETADDRINFO).toString()),
                Map.of(), null);
        Launched b = start(List.of(), List.of(script("capi_b.py", CAPI_FROM_EXECUTOR_LOOP_OFF_MAIN).toString()),
                Map.of(), null);
        try {
            for (Launched l : List.of(a, b)) {
                if (!l.process().waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                    fail("hung loading GraalPy's C API (no exit within " + RUN_TIMEOUT_S + " s)\n" + snapshot(l));
                }
                Run r = finish(l);
                assertEquals(0, r.exit(), r::toString);
                assertEquals("encoded b'xn--bcher-kva.example'", r.out().strip(), r::toString);
            }
        } finally {
            destroy(a.process());
            destroy(b.process());
        }
    }

    // ---------------------------------------------------------------- the JIT

    private static final String RETURNS_AND_RAISES = """
            import asyncio

            class Closed(Exception):
                pass

            async def receive(fut):
                # suspends, then returns the value, or raises for None: the step after the await
                # ends both ways
                value = await fut
                if value is None:
                    raise Closed()
                return value

            async def main():
                loop = asyncio.get_running_loop()
                total = 0
                for i in range(3000):
                    fut = loop.create_future()
                    loop.call_soon(fut.set_result, None if i % 40 == 39 else i)
                    try:
                        total += await receive(fut)
                    except Closed:
                        total -= 1
                print("total", total)

            asyncio.run(main())
            """;

    /**
     * A coroutine that mostly returns and sometimes raises stays compiled
     * (dev.rloop.jit.ExceptionProfileRepair). Truffle profiles the exceptions leaving compiled
     * code and switches the profile, with a deoptimization, each time the other kind leaves;
     * GraalPy ends a returning coroutine step with a control-flow exception and a raising one with
     * a Python exception, so after 15 compilations Graal gives the coroutine up to the interpreter
     * for good. The runs compile only {@code receive}, in the foreground, after 20 calls, so both
     * are deterministic: with the repair turned off the failure is seen (if a Truffle version
     * fixes it, this part fails and the repair can go), with it on the coroutine is compiled a
     * few times and never given up.
     */
    @Test
    void aCoroutineThatReturnsAndRaisesStaysCompiled() throws Exception {
        script("returns_and_raises.py", RETURNS_AND_RAISES);
        String expected = "total " + (IntStream.range(0, 3000)
                .mapToLong(i -> i % 40 == 39 ? -1 : i).sum()) + "\n";
        // the other repair off in both runs: receive's value is an int or None, so its types
        // widen too, and each widening would add a compilation to count
        List<String> off = compilationsOfResumptions("returns_and_raises.py", "receive",
                Map.of("RLOOP_EXCEPTION_PROFILE_REPAIR", "0", "RLOOP_COROUTINE_TYPES_REPAIR", "0"), expected);
        List<String> on = compilationsOfResumptions("returns_and_raises.py", "receive",
                Map.of("RLOOP_EXCEPTION_PROFILE_REPAIR", "1", "RLOOP_COROUTINE_TYPES_REPAIR", "0"), expected);
        assertTrue(off.contains("failed"), "without the repair Truffle gives the coroutine up "
                + "(if no longer, this Truffle has fixed its exception profile): " + off);
        assertTrue(off.stream().filter("done"::equals).count() >= 10, off::toString);
        assertFalse(on.contains("failed"), "with the repair: " + on);
        assertTrue(on.size() <= 4, "with the repair the coroutine settles after a switch or two: " + on);
    }

    private static final String INT_ARGUMENT = """
            import asyncio, types

            @types.coroutine
            def pause():
                yield

            async def echo(value):
                # value, an int, is copied into the coroutine's frame by the code that creates it,
                # and read in the step after the await
                await pause()
                return value

            async def main():
                total = 0
                for i in range(3000):
                    total += await echo(i)
                print("total", total)

            asyncio.run(main())
            """;

    /**
     * A coroutine that reads an int argument after an await stays compiled
     * (dev.rloop.jit.CoroutineTypesRepair). GraalPy stores the argument unboxed into the
     * coroutine's frame from the creating code compiled for its first type; the resumption,
     * finding it unboxed, generalizes the variable and deoptimizes, but the creating code is not
     * recompiled, so the cycle repeats until Graal gives the resumption up. Compiled only
     * {@code echo}, in the foreground, after 20 calls: without the repair the failure is seen (if a
     * GraalPy version fixes it, this part fails and the repair can go); with it the creating code
     * is invalidated once and the resumption settles.
     */
    @Test
    void aCoroutineThatReadsAnIntArgumentAfterAnAwaitStaysCompiled() throws Exception {
        script("int_argument.py", INT_ARGUMENT);
        String expected = "total " + IntStream.range(0, 3000).asLongStream().sum() + "\n";
        List<String> off = compilationsOfResumptions("int_argument.py", "echo",
                Map.of("RLOOP_COROUTINE_TYPES_REPAIR", "0"), expected);
        List<String> on = compilationsOfResumptions("int_argument.py", "echo",
                Map.of("RLOOP_COROUTINE_TYPES_REPAIR", "1"), expected);
        assertTrue(off.contains("failed"), "without the repair Graal gives the coroutine up "
                + "(if no longer, this GraalPy recompiles the creating code itself): " + off);
        assertTrue(off.stream().filter("done"::equals).count() >= 10, off::toString);
        assertFalse(on.contains("failed"), "with the repair: " + on);
        assertTrue(on.size() <= 5, "with the repair the coroutine settles after a generalization: " + on);
    }

    /**
     * Runs {@code script} with only {@code function} compiled, in the foreground after 20 calls,
     * and the repairs switched by {@code repairs} (environment variables, "0" off, "1" on); checks
     * the output and returns what became of each compilation of the function's resumptions:
     * "done" or "failed", in order.
     */
    private static List<String> compilationsOfResumptions(String script, String function, Map<String, String> repairs,
                                                          String expected) throws Exception {
        Path log = dir.resolve(script + "-compilations-" + String.join("", new TreeMap<>(repairs).values()) + ".log");
        String opts = "-Dpolyglot.engine.TraceCompilation=true -Dpolyglot.log.file=" + log
                + " -Dpolyglot.engine.CompileOnly=" + function + " -Dpolyglot.engine.BackgroundCompilation=false"
                + " -Dpolyglot.engine.MultiTier=false -Dpolyglot.engine.SingleTierCompilationThreshold=20";
        Map<String, String> env = new HashMap<>(repairs);
        env.put("RLOOP_JAVA_OPTS", opts);
        Run r = run(List.of(), List.of("--no-daemon", script), env, null, RUN_TIMEOUT_S);
        assertEquals(0, r.exit(), r::toString);
        assertEquals(expected, r.out(), r::toString);
        return Files.readAllLines(log).stream()
                .filter(line -> line.contains("<bytecode " + function + " (generator resume"))
                .filter(line -> line.contains("opt done") || line.contains("opt failed"))
                .map(line -> line.contains("opt failed") ? "failed" : "done")
                .toList();
    }

    // ---------------------------------------------------------------- helpers

    record Launched(Process process, Path out, Path err) {
    }

    private static final String RUNTIME_PROBE = """
            import asyncio, java
            System = java.type("java.lang.System")
            print("home", System.getProperty("java.home"))
            engine = java.type("org.graalvm.polyglot.Engine").create()
            print("engine", engine.getImplementationName())
            engine.close()
            async def main():
                await asyncio.sleep(0)
                print("loop", type(asyncio.get_running_loop()).__module__)
            asyncio.run(main())
            """;

    @Test
    void theRuntimeImageRunsProgramsWithTheJitAndIsLeftAsideWhenStale() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "jlink")),
                "this JDK has no jlink, which make-runtime-image needs");
        Path image = dir.resolve("runtime-image");
        Map<String, String> env = Map.of("RLOOP_RUNTIME_DIR", image.toString());
        try {
            ProcessBuilder pb = new ProcessBuilder(launcher.resolveSibling("make-runtime-image").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("make-image.log").toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().putAll(env);
            Process make = pb.start();
            assertTrue(make.waitFor(900, TimeUnit.SECONDS), "make-runtime-image did not finish");
            assertEquals(0, make.exitValue(), read(dir.resolve("make-image.log")));

            Path probe = script("runtime_probe.py", RUNTIME_PROBE);
            Run fast = run(List.of(), List.of(probe.toString()), env, null, RUN_TIMEOUT_S);
            assertEquals(0, fast.exit(), fast.toString());
            // started from the image, with Truffle's optimizing runtime (not "Interpreted"), on rloop
            assertTrue(fast.out().contains("home " + image.resolve("image")), fast.toString());
            assertTrue(fast.out().contains("engine GraalVM CE"), fast.toString());
            assertTrue(fast.out().contains("loop rloop.loop"), fast.toString());
            assertEquals("", fast.err(), "the AOT cache must not log: " + fast);

            // a jar other than the build's: the image is stale, and the JDK runs the program ...
            Files.write(image.resolve("rloop-graalpy.jar"), new byte[] {0});
            Run slow = run(List.of(), List.of(probe.toString()), env, null, RUN_TIMEOUT_S);
            assertEquals(0, slow.exit(), slow.toString());
            assertFalse(slow.out().contains("home " + image), slow.toString());
            assertTrue(slow.out().contains("engine GraalVM CE"), slow.toString());

            // ... while the launcher remakes the image in the background, for the runs after it
            Path building = Path.of(image + ".building");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(900);
            while (Files.exists(building) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertFalse(Files.exists(building), "the background refresh did not end in 900 s");
            Run again = run(List.of(), List.of(probe.toString()), env, null, RUN_TIMEOUT_S);
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.out().contains("home " + image.resolve("image")), "remade and used: " + again);
        } finally {
            deleteTree(image);
        }
    }

    // ---------------------------------------------------------------- the daemon

    private static final String ISOLATION_PROBE = """
            import builtins, os, sys, threading, time
            print("pid", os.getpid())
            print("env", os.environ.get("PROBE_VALUE"), os.environ.get("PROBE_ONLY_FIRST"),
                  os.environ.get("PROBE_SET_BY_FIRST"))
            print("cwd", os.getcwd())
            print("argv", sys.argv[1:])
            print("leftovers", "probe_marker" in sys.modules, hasattr(builtins, "probe_leftover"))
            print("stdin", sys.stdin.read().strip(), flush=True)
            if sys.argv[1] == "first":
                sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
                import probe_marker
                builtins.probe_leftover = True
                os.environ["PROBE_SET_BY_FIRST"] = "1"
                os.chdir("/")
                threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
                sys.exit(3)
            import asyncio
            async def unix_socket_here():
                # a relative path counts from the program's directory, not the daemon JVM's
                server = await asyncio.start_unix_server(lambda r, w: w.close(), "probe.sock")
                made_here = os.path.exists("probe.sock")
                reader, writer = await asyncio.open_unix_connection("probe.sock")
                writer.close()
                server.close()
                await server.wait_closed()
                return made_here
            print("unix socket", asyncio.run(unix_socket_here()))
            """;

    /**
     * Two programs in a row on one daemon (same pid): each sees its own command's environment,
     * working directory, arguments and stdin, none of the other's modules, builtins, environment
     * changes, working directory or threads, and each exits with its own status.
     */
    @Test
    void theDaemonRunsEachProgramAsIfInAProcessOfItsOwn() throws Exception {
        awaitDaemon();
        Path probe = script("isolation_probe.py", ISOLATION_PROBE);
        script("probe_marker.py", "MARKER = True\n");
        Path first = Files.createDirectories(dir.resolve("cwd_first"));
        Path second = Files.createDirectories(dir.resolve("cwd_second"));
        Run a = finishWithin(start(List.of(), List.of(probe.toString(), "first"),
                Map.of("PROBE_VALUE", "a", "PROBE_ONLY_FIRST", "yes"), "one\n", first));
        Run b = finishWithin(start(List.of(), List.of(probe.toString(), "second", "x y"),
                Map.of("PROBE_VALUE", "b"), "two\n", second));
        assertEquals(3, a.exit(), a::toString);
        assertEquals(List.of("env a yes None", "cwd " + first.toRealPath(), "argv ['first']",
                "leftovers False False", "stdin one"), lines(a.out()).subList(1, 6), a::toString);
        assertEquals(0, b.exit(), b::toString);
        assertEquals(List.of("env b None None", "cwd " + second.toRealPath(), "argv ['second', 'x y']",
                "leftovers False False", "stdin two", "unix socket True"), lines(b.out()).subList(1, 7),
                b::toString);
        assertEquals(lines(a.out()).get(0), lines(b.out()).get(0), "both ran in the same daemon JVM");
        assertEquals("", a.err() + b.err());
    }

    /**
     * A program that kills its JVM ends only itself: the program running on
     * another daemon meanwhile finishes, and the next command gets a new daemon.
     */
    @Test
    void aProgramThatKillsItsDaemonTakesNoOtherProgramDown() throws Exception {
        script("slow.py", """
                import os, time
                print("ready", os.getpid(), flush=True)
                time.sleep(6)
                print("done", flush=True)
                """);
        // (GraalPy's os.kill reaches only processes it started; Java's halt ends the JVM at once)
        script("killer.py", """
                import os, java
                print("killing", os.getpid(), flush=True)
                java.type("java.lang.Runtime").getRuntime().halt(9)
                """);
        awaitDaemon();
        Launched slow = start(List.of(), List.of("slow.py"), Map.of(), null);
        try {
            awaitOutput(slow, "ready");
            Run killer = launch("killer.py"); // the first daemon is busy: a second one runs it
            assertEquals(1, killer.exit(), killer::toString);
            assertTrue(killer.err().contains("the daemon ended before the program did"), killer::toString);
            Run slowRun = finishWithin(slow);
            assertEquals(0, slowRun.exit(), slowRun::toString);
            assertEquals("done", lines(slowRun.out()).get(1), slowRun::toString);
            assertFalse(killer.out().contains(lines(slowRun.out()).get(0).substring("ready ".length())),
                    "the two ran in different daemons");
        } finally {
            destroy(slow.process());
        }
        Run after = launch("-c", "print('still serving')");
        assertEquals(0, after.exit(), after::toString);
        assertEquals("still serving\n", after.out(), after::toString);
    }

    /** SIGTERM reaches a handler the program installed; without one it ends the command by SIGTERM (143 to Java). */
    @Test
    void sigtermThroughTheDaemon() throws Exception {
        script("term_handled.py", """
                import signal, time
                signal.signal(signal.SIGTERM, lambda *a: print("handled", flush=True))
                print("ready", flush=True)
                time.sleep(4)
                print("after", flush=True)
                """);
        script("term_default.py", """
                import time
                print("ready", flush=True)
                time.sleep(60)
                print("slept a minute", flush=True)
                """);
        awaitDaemon();
        for (String name : List.of("term_handled.py", "term_default.py")) {
            Launched l = start(List.of(), List.of(name), Map.of(), null);
            try {
                awaitOutput(l, "ready");
                Process kill = new ProcessBuilder("/bin/kill", "-TERM", Long.toString(l.process().pid())).start();
                assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
                Run r = finishWithin(l);
                if (name.equals("term_handled.py")) {
                    assertEquals(0, r.exit(), r::toString);
                    assertEquals(List.of("ready", "handled", "after"), lines(r.out()), r::toString);
                } else {
                    assertEquals(143, r.exit(), r::toString);
                    assertEquals(List.of("ready"), lines(r.out()), r::toString);
                }
            } finally {
                destroy(l.process());
            }
        }
    }

    /** RLOOP_DAEMON=0 and --no-daemon run the program in the JVM the launcher execs, as before the daemon. */
    @Test
    void withoutTheDaemonTheProgramRunsInTheLaunchersOwnJvm() throws Exception {
        String code = "import os; print(os.getpid())";
        for (Map.Entry<List<String>, Map<String, String>> way : Map.of(
                List.of("-c", code), Map.of("RLOOP_DAEMON", "0"),
                List.of("--no-daemon", "-c", code), Map.<String, String>of()).entrySet()) {
            Launched l = start(List.of(), way.getKey(), way.getValue(), null);
            Run r = finishWithin(l);
            assertEquals(0, r.exit(), r::toString);
            assertEquals(Long.toString(l.process().pid()), r.out().strip(), "the launcher's own pid: " + r);
        }
    }

    private static final String PIPES_PROBE = """
            import asyncio, sys

            async def main():
                loop = asyncio.get_running_loop()
                # the program's own stdin, read line by line through a pipe transport
                reader = asyncio.StreamReader()
                await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
                lines = [line async for line in reader]
                # a child Python on rloop, its stdout inherited (None), its stderr piped
                child = await asyncio.create_subprocess_exec(
                    sys.executable, "-c",
                    "import asyncio, sys; print('child loop', type(asyncio.new_event_loop()).__module__);"
                    "print('child err', file=sys.stderr)",
                    stderr=asyncio.subprocess.PIPE)
                _, err = await child.communicate()
                sys.stderr.write(f"child said {err!r}, exit {child.returncode}\\n")
                # the program's own stdout, written through a pipe transport (which, as in
                # CPython, closes stdout when it closes)
                transport, _ = await loop.connect_write_pipe(asyncio.Protocol, sys.stdout)
                transport.write(f"read {len(lines)} lines, last {lines[-1]!r}\\n".encode())
                transport.close()

            asyncio.run(main())
            """;

    /**
     * connect_read_pipe on the program's own stdin when the launcher is fed from a pipe,
     * connect_write_pipe on its stdout, and a child process running {@code sys.executable}
     * (the launcher) with an inherited stdout: in the launcher's own JVM and through the daemon.
     */
    @Test
    void stdinAndStdoutAsPipesAndAChildPythonWithInheritedStdout() throws Exception {
        Path probe = script("pipes_probe.py", PIPES_PROBE);
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            input.append("line ").append(i).append('\n');
        }
        for (List<String> args : List.of(List.of("--no-daemon", probe.toString()), List.of(probe.toString()))) {
            Run r = run(List.of(), args, Map.of(), input.toString(), RUN_TIMEOUT_S);
            assertEquals(0, r.exit(), r::toString);
            assertEquals(List.of("child loop rloop.loop", "read 2000 lines, last b'line 1999\\n'"),
                    lines(r.out()), r::toString);
            assertTrue(r.err().contains("child said b'child err\\n', exit 0"), r::toString);
        }
    }

    private static final String OUTPUT_THEN_END = """
            import asyncio, sys

            async def main():
                loop = asyncio.get_running_loop()
                transport, _ = await loop.connect_write_pipe(asyncio.Protocol, sys.stdout)
                for i in range(64):
                    transport.write(b"%05d " % i + b"x" * 65530 + b"\\n")
                transport.write(b"end\\n")
                # close and end at once: the loop closes while most of it is still queued
                transport.close()

            asyncio.run(main())
            """;

    /**
     * What a program hands to a pipe transport on its own stdout is all written even when the
     * program ends (and its loop closes) before the pump has written it, as CPython, which writes
     * at once, would have it. The launcher's stdout is a pipe whose reader starts two seconds
     * late, so much of the 4 MiB is still queued when the loop closes: in the launcher's own JVM
     * and through the daemon. (It guards the path; the loss it would catch needs the pump to be
     * scheduled late, and did not show here with the old code.)
     */
    @Test
    void outputQueuedOnStdoutIsWrittenWhenTheProgramEndsFirst() throws Exception {
        Path probe = script("output_then_end.py", OUTPUT_THEN_END);
        List<String> slowReader = List.of("sh", "-c", "\"$0\" \"$@\" | { sleep 2; cat; }");
        for (List<String> args : List.of(List.of("--no-daemon", probe.toString()), List.of(probe.toString()))) {
            Run r = run(slowReader, args, Map.of(), null, RUN_TIMEOUT_S);
            assertEquals(0, r.exit(), r::toString);
            List<String> lines = lines(r.out());
            assertEquals(65, lines.size(), () -> args + ": " + lines.size() + " lines; stderr: " + r.err());
            assertEquals("00063 ", lines.get(63).substring(0, 6));
            assertEquals("end", lines.get(64));
        }
    }

    /**
     * A JFR recording started on the command line (before the first loop exists) gets the
     * loop's events: the slow callback, with asyncio's description of it, and the iteration
     * counts.
     */
    @Test
    void aRecordingFromTheCommandLineGetsTheLoopsEvents() throws Exception {
        Path recording = dir.resolve("app.jfr");
        Path app = script("jfr_app.py", """
                import asyncio, time

                def hog():
                    time.sleep(0.2)

                async def main():
                    asyncio.get_running_loop().call_soon(hog)
                    for _ in range(300):
                        await asyncio.sleep(0.005)

                asyncio.run(main())
                print("done")
                """);
        Run r = run(List.of(), List.of("--no-daemon", app.toString()),
                Map.of("RLOOP_JAVA_OPTS", "-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true"),
                null, RUN_TIMEOUT_S);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("done"), r::toString);
        List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(recording);
        List<String> slow = events.stream().filter(e -> e.getEventType().getName().equals("dev.rloop.SlowCallback"))
                .map(e -> e.getString("callback")).toList();
        assertEquals(1, slow.size(), slow::toString);
        assertTrue(slow.get(0).contains("hog"), slow::toString);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.rloop.LoopIteration")
                && e.getLong("iterations") > 0), "LoopIteration events");
    }

    /**
     * Makes sure the daemon serves: a first command runs in a JVM of its own and starts the daemon
     * to begin after it; this waits until the daemon's socket is there.
     */
    private static void awaitDaemon() throws Exception {
        Run first = launch("-c", "pass");
        assertEquals(0, first.exit(), first::toString);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            try (var sockets = Files.list(daemons)) {
                if (sockets.anyMatch(p -> p.toString().endsWith("-0.sock"))) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        fail("no daemon began serving within " + RUN_TIMEOUT_S + " s of the first command");
    }

    /** The first command after a build (no daemon yet) runs in the launcher's own JVM and starts the daemon. */
    @Test
    void theFirstCommandRunsInAJvmOfItsOwnAndStartsTheDaemon() throws Exception {
        Path own = Files.createDirectories(dir.resolve("daemons_first"));
        Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("RLOOP_DAEMON_DIR", own.toString());
        String code = "import os; print(os.getpid())";
        try {
            Launched first = start(List.of(), List.of("-c", code), env, null);
            Run r = finishWithin(first);
            assertEquals(0, r.exit(), r::toString);
            assertEquals(Long.toString(first.process().pid()), r.out().strip(), "its own JVM: " + r);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
            boolean serving = false;
            while (!serving && System.nanoTime() < deadline) {
                try (var sockets = Files.list(own)) {
                    serving = sockets.anyMatch(p -> p.toString().endsWith("-0.sock"));
                }
                Thread.sleep(200);
            }
            assertTrue(serving, "the daemon did not begin after the first command");
            Launched second = start(List.of(), List.of("-c", code), env, null);
            Run s2 = finishWithin(second);
            assertEquals(0, s2.exit(), s2::toString);
            assertFalse(s2.out().strip().equals(Long.toString(second.process().pid())), "in the daemon: " + s2);
        } finally {
            run(List.of(), List.of("--stop-daemons"), env, null, RUN_TIMEOUT_S);
        }
    }

    private static Run finishWithin(Launched l) throws Exception {
        try {
            if (!l.process().waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                fail("the launcher did not finish within " + RUN_TIMEOUT_S + " s\n" + snapshot(l));
            }
            return finish(l);
        } finally {
            destroy(l.process());
        }
    }

    private static void awaitOutput(Launched l, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
        while (!read(l.out()).contains(line)) {
            if (!l.process().isAlive()) {
                fail("the program ended before it printed '" + line + "'\n" + finish(l));
            }
            if (System.nanoTime() > deadline) {
                fail("no '" + line + "' within " + RUN_TIMEOUT_S + " s\n" + snapshot(l));
            }
            Thread.sleep(100);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path script(String name, String source) throws IOException {
        return Files.writeString(dir.resolve(name), source);
    }

    private static Run launch(String... args) throws Exception {
        return run(List.of(), List.of(args), Map.of(), null, RUN_TIMEOUT_S);
    }

    /** Runs the launcher in the temp dir with {@code args}; {@code stdin} null means /dev/null. */
    private static Run run(List<String> prefix, List<String> args, Map<String, String> env, String stdin,
            long timeoutSeconds) throws Exception {
        Launched l = start(prefix, args, env, stdin);
        try {
            if (!l.process().waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                fail("launcher " + args + " did not finish within " + timeoutSeconds + " s\n" + snapshot(l));
            }
            return finish(l);
        } finally {
            destroy(l.process());
        }
    }

    private static Launched start(List<String> prefix, List<String> args, Map<String, String> env, String stdin)
            throws IOException {
        return start(prefix, args, env, stdin, dir);
    }

    private static Launched start(List<String> prefix, List<String> args, Map<String, String> env, String stdin,
            Path cwd) throws IOException {
        int n = RUNS.incrementAndGet();
        Path out = dir.resolve("run" + n + ".out");
        Path err = dir.resolve("run" + n + ".err");
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.redirectInput(stdin == null ? Redirect.from(new File("/dev/null")) : Redirect.PIPE);
        launcherEnvironment(pb.environment(), daemons, env);
        Process p = pb.start();
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                destroy(p);
                throw e;
            }
        }
        return new Launched(p, out, err);
    }

    /**
     * A launcher run's environment: this JDK, the test's daemon directory, no PYTHONPATH or
     * RLOOP_JAVA_OPTS from outside, then {@code env}.
     */
    static void launcherEnvironment(Map<String, String> environment, Path daemons, Map<String, String> env) {
        environment.remove("PYTHONPATH");
        environment.remove("RLOOP_JAVA_OPTS");
        // The JDK running the tests is a JDK 25 (the code is compiled for 25); let the launcher use it.
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("RLOOP_DAEMON_DIR", daemons.toString());
        environment.put("RLOOP_DAEMON_IDLE", "900"); // stopped after the tests; this is in case that fails
        environment.putAll(env);
    }

    private static Run finish(Launched l) throws InterruptedException {
        int exit = l.process().waitFor();
        return new Run(exit, read(l.out()), read(l.err()));
    }

    private static String snapshot(Launched l) {
        return "--- stdout so far ---\n" + read(l.out()) + "\n--- stderr so far ---\n" + read(l.err());
    }

    private static void destroy(Process p) {
        // The launcher execs java, but while it builds the project it has mvn children.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(Process p) {
        try {
            return p.getInputStream().readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    /** The SigIgn mask of process {@code pid}, from /proc. */
    private static long sigIgnMask(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
            }
        }
        throw new IOException("no SigIgn line for pid " + pid);
    }

    private static Boolean envResets;

    /** Whether {@code env --default-signal=INT} works here (GNU coreutils 8.31 or newer). */
    private static synchronized boolean envCanResetSigint() throws Exception {
        if (envResets == null) {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true")
                    .redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
            envResets = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            p.destroyForcibly();
        }
        return envResets;
    }
}
