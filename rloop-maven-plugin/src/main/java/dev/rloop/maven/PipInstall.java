package dev.rloop.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

import dev.rloop.boot.AppCache;
import dev.rloop.boot.AppCommand;

/**
 * Installs an app's {@link Requirements} with GraalPy's own pip into
 * {@code target/rloop-packages/<hash>/}, once per requirement set.
 *
 * <p>pip is the wheel GraalPy ships for {@code ensurepip}, run from that wheel on {@code sys.path}
 * in the same JVM set-up as the app ({@link AppCommand}): so what pip builds or refuses is what
 * GraalPy's standalone pip would, and the build needs no Python of its own. A fresh JVM runs pip
 * for one local wheel in about 25 s on a 2-core machine, which is why an installed set is reused:
 * pip writes into {@code <hash>.part}, renamed to {@code <hash>} only when pip succeeds, so an
 * existing {@code <hash>} directory is a complete install.
 */
final class PipInstall {
    /**
     * Puts the bundled pip wheel on {@code sys.path} and runs pip's main module (the wheel is
     * importable as it is: pip supports running from a zip).
     */
    static final String RUN_BUNDLED_PIP = String.join("\n",
            "import glob, os, runpy, sys, ensurepip",
            "wheels = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))",
            "if not wheels: sys.exit('rloop: this GraalPy ships no pip wheel for ensurepip')",
            "sys.path.insert(0, wheels[-1])",
            "sys.argv[0] = 'pip'",
            "runpy.run_module('pip', run_name='__main__', alter_sys=True)");

    private PipInstall() {
    }

    /**
     * The directory holding {@code requirements} installed by {@code command}'s GraalPy under
     * {@code root}, running pip only when that set is not installed yet. Other sets' directories
     * are removed once this one is complete, so {@code root} holds one install.
     */
    static Path installed(Requirements requirements, AppCommand command, String runtime, Path root, Log log)
            throws MojoExecutionException, MojoFailureException {
        String hash;
        try {
            hash = requirements.hash(runtime);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: " + e.getMessage(), e);
        }
        Path done = root.resolve(hash);
        if (Files.isDirectory(done)) {
            log.info("rloop: Python packages already installed for this requirement set: " + done);
            return done;
        }
        Path part = root.resolve(hash + ".part");
        try {
            AppCache.deleteTree(part);
            Files.createDirectories(part);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot make " + part + ": " + e.getMessage(), e);
        }
        List<String> pip = new ArrayList<>(List.of("-c", RUN_BUNDLED_PIP, "install",
                // no version check online, no prompt, no .pyc (GraalPy writes its own) and no
                // root warning: the target is this build's directory, not a system's packages
                "--disable-pip-version-check", "--no-input", "--no-compile", "--root-user-action=ignore",
                "--target", part.toString()));
        pip.addAll(requirements.installArguments());
        log.info("rloop: installing Python packages with GraalPy's pip: " + String.join(" ",
                requirements.installArguments()));
        int status = AppMojo.runJvm(command.python(root, pip), environment(requirements), "pip", log);
        if (status != 0) {
            deleteQuietly(part);
            throw new MojoFailureException("rloop: pip install failed (exit status " + status
                    + "); its messages are above");
        }
        try {
            Files.move(part, done);
            removeOtherSets(root, hash);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot keep the installed packages in " + done
                    + ": " + e.getMessage(), e);
        }
        return done;
    }

    /**
     * GraalPy's pip first fetches a list of its patches for known packages from the network, and
     * retries five times without one; when the pip arguments rule out the network
     * ({@code --no-index}) that lookup is turned off, unless the build's environment sets it.
     */
    private static Map<String, String> environment(Requirements requirements) {
        if (requirements.offline() && System.getenv("PIP_GRAALPY_PATCHES_URL") == null) {
            return Map.of("PIP_GRAALPY_PATCHES_URL", "disabled");
        }
        return Map.of();
    }

    private static void removeOtherSets(Path root, String keep) throws IOException {
        try (Stream<Path> sets = Files.list(root)) {
            for (Path set : sets.toList()) {
                if (!set.getFileName().toString().equals(keep)) {
                    AppCache.deleteTree(set);
                }
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            AppCache.deleteTree(dir);
        } catch (IOException e) {
            // a failed install's leftovers: the next build deletes them before it runs pip again
        }
    }
}
