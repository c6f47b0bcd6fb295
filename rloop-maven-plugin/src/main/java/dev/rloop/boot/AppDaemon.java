package dev.rloop.boot;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The app jar's way to the rloop-graalpy daemon ({@code dev.rloop.daemon} in the rloop jar): the
 * app runs in a fresh context of a long-lived JVM that already compiled what it needs, reached
 * through the daemon's small client JVM, exactly as {@code launcher/rloop-graalpy} does. The
 * daemon runs the app's own JVM command with the daemon's main class, so it has the app's class
 * path and Python root; a daemon serves one app jar (its path and JVM command are in the key).
 *
 * <p>Off with {@code RLOOP_DAEMON=0} (or {@code -Drloop.daemon=off}); also off, falling back to a
 * JVM of the app's own, without {@code setsid} or when the socket directory
 * ({@code RLOOP_DAEMON_DIR}, else {@code $XDG_RUNTIME_DIR/rloop-graalpy-<uid>}, else under
 * {@code /tmp}) is not this user's alone.
 */
final class AppDaemon {
    private final Path dir;
    private final String key;
    private final Path java;
    private final Path rloopJar;
    private final List<String> server;

    private AppDaemon(Path dir, String key, AppCommand command, List<String> server) {
        this.dir = dir;
        this.key = key;
        this.java = command.java();
        this.rloopJar = command.rloopJar();
        this.server = server;
    }

    static boolean wanted() {
        return !"0".equals(System.getenv("RLOOP_DAEMON")) && !"off".equalsIgnoreCase(System.getProperty("rloop.daemon"));
    }

    /** The app's daemon, or empty when it cannot be used here. */
    static Optional<AppDaemon> of(AppCommand command, Path pythonRoot, Path appJar) throws IOException {
        Optional<Path> dir = socketDirectory();
        if (dir.isEmpty() || !onPath("setsid") || !onPath("tail")) {
            return Optional.empty();
        }
        List<String> server = command.jvm(pythonRoot);
        server.add("dev.rloop.daemon.DaemonServer");
        StringBuilder build = new StringBuilder(String.join("\n", server));
        build.append('\n').append(Files.getLastModifiedTime(appJar)).append('\n').append(Files.size(appJar));
        for (String name : List.of("LANG", "LC_ALL", "LC_CTYPE", "TZ")) {
            build.append('\n').append(System.getenv().getOrDefault(name, ""));
        }
        String key = crc(appJar.toString()) + "-" + crc(build.toString());
        return Optional.of(new AppDaemon(dir.get(), key, command, server));
    }

    /** Whether a daemon serves the first slot (else this run starts one, see {@link #startAfter}). */
    boolean running() {
        return Files.exists(socket(), LinkOption.NOFOLLOW_LINKS);
    }

    /** The client's command, which runs {@code programArgs} in a daemon. */
    List<String> clientCommand(List<String> programArgs) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED",
                "-cp", rloopJar.toString(),
                "dev.rloop.daemon.DaemonClient", dir.toString(), key, env("RLOOP_DAEMON_SLOTS", "4"),
                env("RLOOP_DAEMON_IDLE", "1800"), env("RLOOP_DAEMON_WARMUPS", "12"),
                Integer.toString(server.size())));
        cmd.addAll(server);
        cmd.add("--");
        cmd.addAll(programArgs);
        return cmd;
    }

    /**
     * Starts the daemon to begin once process {@code pid} (this run) has ended, as the launcher
     * does on a first run: until then only a {@code tail} waits, so the run has the machine.
     */
    void startAfter(long pid) throws IOException {
        // env puts the defaults of SIGINT, SIGTERM and SIGHUP back, should this JVM have started
        // with one ignored (a background job, nohup): a JVM that starts so never handles it, and
        // the daemon could not act on it when later runs forward it
        List<String> cmd = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT,TERM,HUP", "bash", "-c",
                "tail --pid=\"$1\" -s 0.2 -f /dev/null; shift; exec \"$@\"", "rloop-daemon-start",
                Long.toString(pid)));
        cmd.addAll(server);
        cmd.addAll(List.of(socket().toString(), env("RLOOP_DAEMON_IDLE", "1800"), env("RLOOP_DAEMON_WARMUPS", "12")));
        new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(socket() + ".log")))
                .redirectErrorStream(true).start();
    }

    private Path socket() {
        return dir.resolve(key + "-0.sock");
    }

    /** The sockets' directory, made owner-only if new; empty if it is not this user's alone. */
    static Optional<Path> socketDirectory() throws IOException {
        String configured = System.getenv("RLOOP_DAEMON_DIR");
        Path dir;
        if (configured != null && !configured.isEmpty()) {
            dir = Path.of(configured);
        } else {
            String base = System.getenv("XDG_RUNTIME_DIR");
            if (base == null || base.isEmpty()) {
                base = System.getenv().getOrDefault("TMPDIR", "/tmp");
            }
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            dir = Path.of(base, "rloop-graalpy-" + uid);
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                                PosixFilePermission.OWNER_EXECUTE)));
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        boolean ownerOnly = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                && Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                        .equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                && Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(EnumSet.of(
                        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE));
        return ownerOnly ? Optional.of(dir) : Optional.empty();
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }

    private static String crc(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return Long.toString(crc.getValue());
    }
}
