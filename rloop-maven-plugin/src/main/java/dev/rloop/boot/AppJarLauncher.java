package dev.rloop.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * The {@code Main-Class} of app jars built by the rloop Maven plugin: {@code java -jar app.jar
 * [args]} unpacks what must be real files into {@link AppCache} (once), then starts the app's JVM
 * with the Graal JIT on ({@link AppCommand}) and returns its exit status.
 *
 * <p>This class and its package are Java 17 bytecode with no dependencies, so a machine whose
 * default {@code java} is older than 25 still gets here and is told (or finds, under
 * {@code /usr/lib/jvm}) which JDK to use.
 *
 * <p>By default the app runs in the rloop-graalpy daemon ({@link AppDaemon}), which keeps the JVM
 * and its compiled code between runs; {@code RLOOP_DAEMON=0} gives it a JVM of its own.
 *
 * <p>Environment: {@code RLOOP_JIT=off} (or {@code -Drloop.jit=off}) runs the app without the JIT,
 * interpreted, with one warning; {@code RLOOP_JAVA_OPTS} adds JVM arguments to the app's JVM;
 * {@code RLOOP_APP_CACHE} moves the cache.
 */
public final class AppJarLauncher {
    private AppJarLauncher() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (LaunchException | IOException e) {
            System.err.println("rloop: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            status = 130;
        }
        System.exit(status);
    }

    static int run(String[] args) throws IOException, InterruptedException {
        Path java = Jdk.find().orElseThrow(() -> new LaunchException(
                "this app needs a JDK " + Jdk.MIN_FEATURE + " or newer; this is Java "
                        + Runtime.version().feature() + " at " + System.getProperty("java.home")
                        + " and none was found in JAVA_HOME or /usr/lib/jvm"));
        AppCache cache = new AppCache(AppCache.defaultRoot());
        boolean jit = jitWanted();
        AppJarLayout.App app;
        Path pythonRoot;
        AppCommand command;
        try (JarFile jar = new JarFile(ownJar().toFile())) {
            try (InputStream in = jar.getInputStream(AppCache.requireEntry(jar, AppJarLayout.PROPERTIES))) {
                app = AppJarLayout.read(in);
            }
            pythonRoot = cache.python(jar, app);
            command = new AppCommand(java, unpack(cache, jar, app.moduleJars()),
                    cache.jar(jar, app.rloopJar()), jit ? cache.jar(jar, app.compilerJar()) : null)
                    .classPath(unpack(cache, jar, app.classJars()))
                    .jvmArgs(app.jvmArgs())
                    .jvmArgs(AppCommand.words(System.getenv("RLOOP_JAVA_OPTS")));
        }
        if (!jit) {
            System.err.println("rloop: warning: the Graal JIT is off (RLOOP_JIT=off): Python runs "
                    + "interpreted, many times slower");
        }
        List<String> program = Arrays.asList(args);
        if (jit && AppDaemon.wanted()) {
            Optional<AppDaemon> daemon = AppDaemon.of(command, pythonRoot, ownJar());
            if (daemon.isPresent()) {
                if (daemon.get().running()) {
                    return ChildJvm.run(daemon.get().clientCommand(app.entry().mainArguments(pythonRoot, program)));
                }
                // the first run has a JVM of its own, as fast as without the daemon
                daemon.get().startAfter(ProcessHandle.current().pid());
            }
        }
        return ChildJvm.run(command.build(pythonRoot, app.entry(), program));
    }

    private static List<Path> unpack(AppCache cache, JarFile jar, List<String> names) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (String name : names) {
            paths.add(cache.jar(jar, name));
        }
        return paths;
    }

    static boolean jitWanted() {
        String env = System.getenv("RLOOP_JIT");
        String prop = System.getProperty("rloop.jit");
        return !"off".equalsIgnoreCase(env) && !"off".equalsIgnoreCase(prop);
    }

    private static Path ownJar() {
        try {
            return Path.of(AppJarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new LaunchException("cannot tell which jar this is: " + e);
        }
    }

    /** A reason the app cannot start, reported as one line. */
    static final class LaunchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LaunchException(String message) {
            super(message);
        }
    }
}
