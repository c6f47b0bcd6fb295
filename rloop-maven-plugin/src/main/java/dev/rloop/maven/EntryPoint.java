package dev.rloop.maven;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.maven.plugin.MojoFailureException;

import dev.rloop.boot.AppCommand;

/** Checks the configured entry point against the Python sources, before anything is built. */
final class EntryPoint {
    private EntryPoint() {
    }

    /**
     * The entry point for {@code mainModule} or {@code mainScript} (exactly one of them set), which
     * must exist under {@code sources}: a script file, or a module as a {@code .py} file or a package
     * with {@code __main__.py}.
     */
    static AppCommand.Entry resolve(String mainModule, String mainScript, Path sources)
            throws MojoFailureException {
        boolean hasModule = mainModule != null && !mainModule.isBlank();
        boolean hasScript = mainScript != null && !mainScript.isBlank();
        if (!Files.isDirectory(sources)) {
            throw new MojoFailureException("rloop: the Python sources directory " + sources
                    + " does not exist; put the app there or set <pythonSources>");
        }
        if (hasModule == hasScript) {
            throw new MojoFailureException(hasModule
                    ? "rloop: set either <mainModule> or <mainScript>, not both"
                    : "rloop: no entry point: set <mainModule> (run like python -m) or <mainScript>"
                            + " (a file under " + sources + ")");
        }
        if (hasScript) {
            Path script = sources.resolve(mainScript).normalize();
            if (!script.startsWith(sources.normalize()) || !Files.isRegularFile(script)) {
                throw new MojoFailureException("rloop: mainScript " + mainScript + " not found: "
                        + script + " is not a file under " + sources);
            }
            return new AppCommand.Entry(false, sources.normalize().relativize(script).toString());
        }
        if (!mainModule.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new MojoFailureException("rloop: mainModule " + mainModule
                    + " is not a dotted Python module name");
        }
        Path base = sources.resolve(mainModule.replace('.', '/'));
        Path file = base.resolveSibling(base.getFileName() + ".py");
        if (!Files.isRegularFile(file) && !Files.isRegularFile(base.resolve("__main__.py"))) {
            throw new MojoFailureException("rloop: mainModule " + mainModule + " not found: neither "
                    + file + " nor " + base.resolve("__main__.py") + " exists"
                    + (mainModule.endsWith(".py") ? " (a file name belongs in <mainScript>)" : ""));
        }
        return new AppCommand.Entry(true, mainModule);
    }
}
