package dev.rloop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import dev.rloop.TestCertificates;

/**
 * What every user gets by default, {@code launcher/rloop-graalpy app.py} through the daemon, must
 * behave as a JVM of the program's own ({@code --no-daemon}) and as {@code python}: here on a
 * daemon that has already run other programs, with real libraries (h11's metaclass, uvicorn +
 * Starlette, aiohttp, the third-party suite) and real signals read by a CPython parent.
 */
@EnabledOnOs(OS.LINUX)
class DefaultPathIT {
    private static final long RUN_TIMEOUT_S = Long.getLong("rloop.launcher.timeout", 300);
    private static final long FIRST_RUN_TIMEOUT_S = Long.getLong("rloop.launcher.buildTimeout", 1800);
    /** Debian's python3-* packages, which the apps import (PYTHONPATH, as a user would). */
    private static final String DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages";

    /** h11's Sentinel, reduced: the class's class is set to itself in the metaclass's __new__. */
    private static final String SENTINEL = """
            class Sentinel(type):
                def __new__(cls, name, bases, namespace, **kwds):
                    v = super().__new__(cls, name, bases, namespace, **kwds)
                    v.__class__ = v
                    return v
            class CLIENT(Sentinel, metaclass=Sentinel):
                pass
            print(type(CLIENT) is CLIENT)
            """;

    @TempDir
    static Path dir;
    private static Path base;
    private static Path launcher;
    private static Path daemons;
    private static final AtomicInteger RUNS = new AtomicInteger();

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    record Launched(Process process, Path out, Path err) {
        String output() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        Run finish(long timeoutSeconds) throws Exception {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("no exit within " + timeoutSeconds + " s\n--- stdout ---\n" + output()
                        + "\n--- stderr ---\n" + Files.readString(err));
            }
            return new Run(process.exitValue(), output(), Files.readString(err, StandardCharsets.UTF_8));
        }
    }

    /** Builds if need be, starts the daemon and lets it run a first program. */
    @BeforeAll
    static void startTheDaemon() throws Exception {
        daemons = Files.createDirectories(dir.resolve("daemons"));
        Files.setPosixFilePermissions(daemons, PosixFilePermissions.fromString("rwx------"));
        base = Path.of(System.getProperty("rloop.basedir", ".")).toAbsolutePath().normalize();
        launcher = base.resolve("launcher").resolve("rloop-graalpy");
        assertTrue(Files.isExecutable(launcher), "launcher not found: " + launcher);
        Run first = start(List.of("-c", "pass"), Map.of()).finish(FIRST_RUN_TIMEOUT_S);
        assertEquals(0, first.exit(), first::toString);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
        while (!Files.exists(daemons.resolve(socketName()))) {
            if (System.nanoTime() > deadline) {
                fail("no daemon began serving within " + RUN_TIMEOUT_S + " s of the first command");
            }
            Thread.sleep(200);
        }
        Run second = start(List.of("-c", "import asyncio"), Map.of()).finish(RUN_TIMEOUT_S);
        assertEquals(0, second.exit(), second::toString);
    }

    private static String socketName() throws IOException {
        try (var files = Files.list(daemons)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-0.sock"))
                    .findFirst().orElse("none-0.sock");
        }
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (daemons != null) {
            start(List.of("--stop-daemons"), Map.of()).finish(RUN_TIMEOUT_S);
        }
    }

    @Test
    void aClassWhoseClassIsItselfOnFiveRunsInARow() throws Exception {
        Path script = Files.writeString(dir.resolve("sentinel.py"), SENTINEL);
        for (int i = 1; i <= 5; i++) {
            Run r = start(List.of(script.toString()), Map.of()).finish(RUN_TIMEOUT_S);
            int run = i;
            assertEquals(0, r.exit(), () -> "run " + run + ": " + r);
            assertEquals("True", r.out().strip(), () -> "run " + run + ": " + r);
        }
    }

    /**
     * A child killed by a signal it installed nothing for ends by that signal, as python does
     * ({@code returncode == -N} for its parent); one with a handler runs it and goes on. The parent
     * is CPython, because a Java parent sees 128 + N either way.
     */
    @Test
    void fatalSignalsEndTheCommandByTheSignalOnBothPaths() throws Exception {
        String python = cpython();
        Path parent = Files.writeString(dir.resolve("signal_parent.py"), """
                import json, signal, subprocess, sys
                launcher, mode = sys.argv[1], sys.argv[2:]
                # a test JVM started in the background (or under nohup) may hand SIGINT (SIGHUP)
                # down ignored; a handler (the default) here makes the children start with the
                # default, as from a terminal
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGHUP, signal.SIG_DFL)
                SLEEPER = 'import time; print("sleeping", flush=True); time.sleep(600)'
                HANDLED = ('import signal, time\\n'
                           'signal.signal(signal.SIGTERM, lambda *a: print("handled", flush=True))\\n'
                           'print("sleeping", flush=True)\\n'
                           'time.sleep(2)\\n'
                           'print("went on", flush=True)')
                def child(sig, code):
                    p = subprocess.Popen([launcher, *mode, '-c', code], stdout=subprocess.PIPE, text=True)
                    first = p.stdout.readline().strip()
                    p.send_signal(sig)
                    try:
                        p.wait(120)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        return [first, 'no exit within 120 s', '']
                    return [first, p.returncode, p.stdout.read().strip()]
                seen = {s.name: child(s, SLEEPER) for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)}
                seen['handled'] = child(signal.SIGTERM, HANDLED)
                print(json.dumps(seen))
                """);
        for (List<String> mode : List.of(List.<String>of(), List.of("--no-daemon"))) {
            List<String> cmd = new ArrayList<>(List.of(python, parent.toString(), launcher.toString()));
            cmd.addAll(mode);
            Run r = run(cmd, Map.of(), RUN_TIMEOUT_S * 4);
            assertEquals(0, r.exit(), r::toString);
            String expected = "{\"SIGHUP\": [\"sleeping\", -1, \"\"], \"SIGTERM\": [\"sleeping\", -15, \"\"], "
                    + "\"SIGINT\": [\"sleeping\", -2, \"\"], \"handled\": [\"sleeping\", 0, \"handled\\nwent on\"]}";
            assertEquals(expected, r.out().strip(), () -> mode + " " + r);
        }
    }

    /** The same with the parent itself an asyncio program on rloop, through the default path. */
    @Test
    void aChildOfAnRloopProgramEndsByTheSignalItIsSent() throws Exception {
        Path parent = Files.writeString(dir.resolve("async_signal_parent.py"), """
                import asyncio, signal, sys
                SLEEPER = 'import time; print("sleeping", flush=True); time.sleep(600)'
                async def child(sig):
                    p = await asyncio.create_subprocess_exec(sys.executable, '-c', SLEEPER,
                                                             stdout=asyncio.subprocess.PIPE)
                    first = (await p.stdout.readline()).decode().strip()
                    p.send_signal(sig)
                    try:
                        return first, await asyncio.wait_for(p.wait(), 120)
                    except asyncio.TimeoutError:
                        p.kill()
                        return first, 'no exit within 120 s'
                async def main():
                    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                        print(s.name, *(await child(s)), flush=True)
                asyncio.run(main())
                """);
        // SIGHUP and SIGINT at their defaults for the parent, should this test JVM run under nohup
        // or in the background: a child inherits an ignored signal, as from CPython, and whether
        // it inherits it from this JVM or from the daemon depends on which runs the parent
        Run r = startCommand(List.of("env", "--default-signal=HUP,INT", launcher.toString(), parent.toString()),
                Map.of())
                .finish(RUN_TIMEOUT_S * 3);
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("SIGHUP sleeping -1", "SIGTERM sleeping -15", "SIGINT sleeping -2"),
                r.out().lines().toList(), r::toString);
    }

    /** src/test/python's third-party tests, run as a program through the launcher. */
    @Test
    void thirdPartyTestsPassThroughTheDefaultPath() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        TestCertificates.write(certs.toString());
        Path harness = base.resolve("src/test/python/_harness.py");
        Run r = start(List.of(harness.toString(), "test_thirdparty"), Map.of("RLOOP_TEST_CERTS", certs.toString()))
                .finish(RUN_TIMEOUT_S * 2);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains(" 0 failed"), r::toString);
    }

    @Test
    void uvicornWithStarletteServesOnTwoRunsInARow() throws Exception {
        requireDebianPackages("uvicorn", "starlette", "h11");
        for (int i = 0; i < 2; i++) {
            serveAndGet("starlette_app.py", List.of("h11"), "/plaintext", "Hello, World!");
        }
    }

    @Test
    void uvicornOnHttptoolsServesWithRloopsParser() throws Exception {
        // httptools' C part does not load on GraalPy; rloop's accelerator stands in for it
        requireDebianPackages("uvicorn", "starlette", "httptools");
        serveAndGet("starlette_app.py", List.of("httptools"), "/plaintext", "Hello, World!");
        serveAndGet("starlette_app.py", List.of("auto"), "/json", "{\"message\":\"Hello, World!\"}");
    }

    @Test
    void aiohttpServesOnTwoRunsInARow() throws Exception {
        requireDebianPackages("aiohttp", "multidict", "yarl");
        for (int i = 0; i < 2; i++) {
            serveAndGet("aiohttp_app.py", List.of(), "/plaintext", "Hello, World!");
            serveAndGet("aiohttp_app.py", List.of(), "/json", "{\"message\": \"Hello, World!\"}");
        }
    }

    @Test
    void aVenvMadeByTheLauncherInstallsWithPipAndRunsItsProgramOnRloop() throws Exception {
        Path wheels = Files.createDirectories(dir.resolve("wheels"));
        writeWheel(wheels, "demo_dep", "1.0", Map.of("demo_dep/__init__.py",
                "VALUE = 'demo 1.0'\n\nasync def answer():\n    return 42\n".getBytes(StandardCharsets.UTF_8)),
                "Metadata-Version: 2.1\nName: demo-dep\nVersion: 1.0\n");
        // a real library too: Debian's h11 0.14.0, as a wheel of its installed sources
        boolean h11 = Files.isRegularFile(Path.of(DEBIAN_PACKAGES, "h11-0.14.0.egg-info", "PKG-INFO"));
        if (h11) {
            debianWheel(wheels, "h11", "0.14.0");
        }
        Path venv = dir.resolve("venv");
        // no look for GraalPy's online patch list: these machines reach no network, and pip would retry
        Map<String, String> offline = Map.of("PIP_GRAALPY_PATCHES_URL", "disabled");
        Run made = run(List.of(launcher.toString(), "-m", "venv", venv.toString()), offline, RUN_TIMEOUT_S * 2);
        assertEquals(0, made.exit(), made::toString);
        Path python = venv.resolve("bin/python");
        assertTrue(Files.isExecutable(python), made::toString);
        assertTrue(Files.isRegularFile(venv.resolve("pyvenv.cfg")), made::toString);

        List<String> install = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install", "--no-index",
                "--find-links", wheels.toString(), "demo-dep"));
        if (h11) {
            install.add("h11");
        }
        Run pip = run(install, offline, RUN_TIMEOUT_S * 2);
        assertEquals(0, pip.exit(), pip::toString);
        assertTrue(pip.out().contains(h11 ? "Successfully installed demo-dep-1.0 h11-0.14.0"
                : "Successfully installed demo-dep-1.0"), pip::toString);
        if (h11) {
            Run parse = run(List.of(python.toString(), "-c", """
                    import h11, sys
                    conn = h11.Connection(h11.SERVER)
                    conn.receive_data(b"GET /x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n")
                    print(conn.next_event().target.decode(), h11.__file__.startswith(sys.prefix))
                    """), Map.of(), RUN_TIMEOUT_S);
            assertEquals("/x True\n", parse.out(), parse::toString);
        }

        Path app = dir.resolve("venv_app.py");
        Files.writeString(app, """
                import asyncio, sys
                import demo_dep

                async def main():
                    print(type(asyncio.get_running_loop()).__module__, await demo_dep.answer())

                asyncio.run(main())
                print(sys.prefix)
                print(sys.executable)
                print(demo_dep.VALUE, demo_dep.__file__.startswith(sys.prefix))
                """);
        Run r = run(List.of(python.toString(), app.toString()), Map.of(), RUN_TIMEOUT_S);
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("rloop.loop 42", venv.toString(), python.toString(), "demo 1.0 True"),
                r.out().lines().toList(), r::toString);

        // -S: the venv is sys.prefix still, but site (and so site-packages) stays out, as in CPython
        Run noSite = run(List.of(python.toString(), "-S", "-c",
                "import sys; print(sys.prefix, 'site' in sys.modules, any('site-packages' in p for p in sys.path))"),
                Map.of(), RUN_TIMEOUT_S);
        assertEquals(venv + " False False\n", noSite.out(), noSite::toString);

        // activate puts the venv's bin first on PATH: python and rloop-graalpy there are the venv's
        for (String command : List.of("python", "rloop-graalpy")) {
            Run activated = run(List.of("bash", "-c", ". " + venv.resolve("bin/activate") + " && " + command
                    + " " + app), Map.of(), RUN_TIMEOUT_S);
            assertEquals(0, activated.exit(), activated::toString);
            assertEquals(List.of("rloop.loop 42", venv.toString(), venv.resolve("bin/" + command).toString(),
                    "demo 1.0 True"), activated.out().lines().toList(), activated::toString);
        }

        // outside the venv the package is not there, as with python
        Run outside = run(List.of(launcher.toString(), "-c", "import demo_dep"), Map.of(), RUN_TIMEOUT_S);
        assertEquals(1, outside.exit(), outside::toString);
        assertTrue(outside.err().contains("ModuleNotFoundError: No module named 'demo_dep'"), outside::toString);
    }

    /**
     * A pure-Python wheel made here, so that pip needs no index and no build: {@code files} are
     * its package's files (path inside the wheel to content), {@code metadata} its METADATA.
     */
    static Path writeWheel(Path folder, String name, String version, Map<String, byte[]> files, String metadata)
            throws Exception {
        String distInfo = name + "-" + version + ".dist-info/";
        Map<String, byte[]> entries = new LinkedHashMap<>(files);
        entries.put(distInfo + "METADATA", metadata.getBytes(StandardCharsets.UTF_8));
        entries.put(distInfo + "WHEEL", ("Wheel-Version: 1.0\nGenerator: rloop-tests\nRoot-Is-Purelib: true\n"
                + "Tag: py3-none-any\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        for (Map.Entry<String, byte[]> f : entries.entrySet()) {
            String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(f.getValue()));
            record.append(f.getKey()).append(",sha256=").append(hash).append(',').append(f.getValue().length)
                    .append('\n');
        }
        record.append(distInfo).append("RECORD,,\n");
        entries.put(distInfo + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        Path wheel = folder.resolve(name + "-" + version + "-py3-none-any.whl");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
            for (Map.Entry<String, byte[]> f : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeEntry();
            }
        }
        return wheel;
    }

    /** A wheel of an installed Debian package's Python sources (its .py files, its PKG-INFO). */
    static Path debianWheel(Path folder, String name, String version) throws Exception {
        Path source = Path.of(DEBIAN_PACKAGES, name);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var paths = Files.walk(source)) {
            for (Path f : paths.filter(p -> p.toString().endsWith(".py")).sorted().toList()) {
                files.put(name + "/" + source.relativize(f).toString().replace(File.separatorChar, '/'),
                        Files.readAllBytes(f));
            }
        }
        String metadata = Files.readString(Path.of(DEBIAN_PACKAGES, name + "-" + version + ".egg-info", "PKG-INFO"));
        return writeWheel(folder, name, version, files, metadata);
    }

    /**
     * Serves benchmarks/web/{@code app} through the default path, GETs {@code path} over HTTP,
     * checks the body, then ends the server with SIGTERM, which its handler turns into a clean exit.
     */
    private static void serveAndGet(String app, List<String> args, String path, String body) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(base.resolve("benchmarks/web").resolve(app).toString(),
                Integer.toString(port)));
        command.addAll(args);
        Launched server = start(command, Map.of("PYTHONPATH", DEBIAN_PACKAGES));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_S);
            while (!server.output().contains("listening on " + port + " (rloop.loop")) {
                if (!server.process().isAlive() || System.nanoTime() > deadline) {
                    fail(app + " is not listening\n" + server.finish(1));
                }
                Thread.sleep(100);
            }
            // HTTP/1.1 only: the JDK client's default asks plain-text servers to upgrade to h2c, which
            // uvicorn refuses (400, "Unsupported upgrade request.")
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response::body);
            assertEquals(body, response.body());
            server.process().toHandle().destroy(); // SIGTERM, handled by the server: a clean end
            Run r = server.finish(RUN_TIMEOUT_S);
            assertEquals(0, r.exit(), r::toString);
        } finally {
            server.process().descendants().forEach(ProcessHandle::destroyForcibly);
            server.process().destroyForcibly();
        }
    }

    private static void requireDebianPackages(String... modules) {
        for (String m : modules) {
            Assumptions.assumeTrue(Files.isDirectory(Path.of(DEBIAN_PACKAGES, m)),
                    m + " is not installed: apt-get install python3-" + m + " (.ci/run installs it)");
        }
    }

    private static String cpython() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        Assumptions.abort("no CPython (python3) to read how the child ended: apt-get install python3");
        return null;
    }

    private static Launched start(List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        return startCommand(command, env);
    }

    private static Run run(List<String> command, Map<String, String> env, long timeoutSeconds) throws Exception {
        return startCommand(command, env).finish(timeoutSeconds);
    }

    private static Launched startCommand(List<String> command, Map<String, String> env) throws IOException {
        int n = RUNS.incrementAndGet();
        Path out = dir.resolve("run" + n + ".out");
        Path err = dir.resolve("run" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(Redirect.from(new File("/dev/null")));
        LauncherIT.launcherEnvironment(pb.environment(), daemons, env);
        return new Launched(pb.start(), out, err);
    }
}
