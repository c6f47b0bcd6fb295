package dev.rloop.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the JVM that runs a Python app on rloop: the same JVM set-up as the
 * {@code rloop-graalpy} launcher (GraalPy's jars on the module path, the Graal compiler on the
 * upgrade module path so Truffle's optimizing runtime compiles Python), with the app's Python root
 * on {@code sys.path} and {@code dev.rloop.launcher.Main} running the entry point as
 * {@code python} would.
 *
 * <p>The JIT needs JVM flags ({@code -XX:+EnableJVMCI}, {@code --upgrade-module-path}) that a jar's
 * manifest cannot carry, and Truffle only compiles when it runs as a named module, so the app
 * always runs in a JVM started with this command: by {@link AppJarLauncher} for a packaged jar, by
 * the plugin's {@code run} goal in a build tree.
 */
public final class AppCommand {
    /** The app's entry point: a module run like {@code python -m}, or a script file. */
    public record Entry(boolean module, String target) {
        /**
         * The {@code dev.rloop.launcher.Main} arguments that run this entry point from
         * {@code pythonRoot}.
         */
        List<String> mainArguments(Path pythonRoot) {
            return module ? List.of("-m", target) : List.of(pythonRoot.resolve(target).toString());
        }

        /** The same followed by the program's own arguments. */
        List<String> mainArguments(Path pythonRoot, List<String> args) {
            List<String> all = new ArrayList<>(mainArguments(pythonRoot));
            all.addAll(args);
            return all;
        }
    }

    /**
     * The JVM flags rloop on GraalPy needs however it is started ({@code jvm-flags} next to this
     * class, copied from the launcher's directory at build time, so both use one list).
     */
    static final List<String> RLOOP_FLAGS = readFlags();

    private static List<String> readFlags() {
        try (InputStream in = AppCommand.class.getResourceAsStream("jvm-flags")) {
            if (in == null) {
                throw new IllegalStateException("dev/rloop/boot/jvm-flags is missing from the rloop boot classes");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rloop JVM flags", e);
        }
    }

    /** rloop's command-line entry point, which runs its arguments as {@code python} would. */
    static final String MAIN_CLASS = "dev.rloop.launcher.Main";

    private final Path java;
    private final List<Path> modulePath;
    private final Path rloopJar;
    private final Path compilerJar;
    private final List<Path> classPath = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();

    /**
     * @param java the {@code java} binary of a JDK 25+
     * @param modulePath GraalPy's runtime jars (polyglot, Truffle, the Python language)
     * @param rloopJar the rloop-graalpy jar (class path: it holds {@code dev.rloop.launcher.Main})
     * @param compilerJar the Graal compiler jar, or null to run without the JIT
     */
    public AppCommand(Path java, List<Path> modulePath, Path rloopJar, Path compilerJar) {
        this.java = java;
        this.modulePath = List.copyOf(modulePath);
        this.rloopJar = rloopJar;
        this.compilerJar = compilerJar;
    }

    /** Extra jars for the class path (the app's own Java dependencies). */
    public AppCommand classPath(List<Path> jars) {
        classPath.addAll(jars);
        return this;
    }

    /** Extra JVM arguments, after the ones this command needs (so they can override heap sizes). */
    public AppCommand jvmArgs(List<String> args) {
        jvmArgs.addAll(args);
        return this;
    }

    public boolean jit() {
        return compilerJar != null;
    }

    /** The full command: {@code java ... dev.rloop.launcher.Main <entry> <args>}. */
    public List<String> build(Path pythonRoot, Entry entry, List<String> args) {
        return python(pythonRoot, entry.mainArguments(pythonRoot, args));
    }

    /** {@code java ... dev.rloop.launcher.Main <pythonArgs>}: what {@code python <pythonArgs>} would run. */
    public List<String> python(Path pythonRoot, List<String> pythonArgs) {
        List<String> cmd = jvm(pythonRoot);
        cmd.add(MAIN_CLASS);
        cmd.addAll(pythonArgs);
        return cmd;
    }

    /** The JVM part of the command, up to and including the class path (a main class follows). */
    public List<String> jvm(Path pythonRoot) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        if (compilerJar != null) {
            cmd.add("-XX:+UnlockExperimentalVMOptions");
            cmd.add("-XX:+EnableJVMCI");
            cmd.add("--upgrade-module-path=" + compilerJar);
        }
        cmd.add("--module-path=" + join(modulePath));
        cmd.add("--add-modules=org.graalvm.polyglot");
        // native access, stack size and the packages rloop opens: the launcher's own list
        cmd.addAll(RLOOP_FLAGS);
        cmd.add("-Drloop.app.path=" + pythonRoot);
        cmd.addAll(jvmArgs);
        List<Path> cp = new ArrayList<>();
        cp.add(rloopJar);
        cp.addAll(classPath);
        cmd.add("-cp");
        cmd.add(join(cp));
        return cmd;
    }

    public Path java() {
        return java;
    }

    public Path rloopJar() {
        return rloopJar;
    }

    /** {@code line} split at runs of whitespace (RLOOP_JAVA_OPTS, {@code -Drloop.args}); none if blank. */
    public static List<String> words(String line) {
        if (line == null || line.isBlank()) {
            return List.of();
        }
        return List.of(line.trim().split("\\s+"));
    }

    private static String join(List<Path> paths) {
        List<String> parts = new ArrayList<>();
        for (Path p : paths) {
            parts.add(p.toString());
        }
        return String.join(File.pathSeparator, parts);
    }
}
