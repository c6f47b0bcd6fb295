package dev.rloop.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;

/**
 * The process a program believes it runs in: its environment, working directory and standard
 * streams. For the launcher's own JVM that is this process ({@link #thisProcess}); in the
 * launcher's daemon ({@code dev.rloop.daemon}) each program gets the ones of the command that
 * asked for it, in a context with an engine of its own, so that it cannot tell the two apart
 * (docs/ARCHITECTURE.md, "The daemon").
 *
 * @param environment what {@code os.environ} starts as
 * @param workingDirectory what {@code os.getcwd()} starts as, or null for this process's
 * @param in standard input, or null for this process's
 * @param out standard output, or null for this process's
 * @param err standard error, or null for this process's
 * @param started told of the program's context once it is built, before the program runs (the
 *        daemon cancels it when the command goes away), or null
 */
public record ProgramHost(Map<String, String> environment, Path workingDirectory,
                          InputStream in, OutputStream out, OutputStream err, Consumer<Context> started) {

    /** This JVM's own environment, directory and streams. */
    public static ProgramHost thisProcess() {
        return new ProgramHost(System.getenv(), null, null, null, null, null);
    }

    /**
     * Puts what differs from this process into a context builder. Public only for
     * {@link dev.rloop.RLoop#runProgram}, which builds the program's context in the core package.
     */
    public Context.Builder configure(Context.Builder builder) {
        if (workingDirectory == null && in == null) {
            return builder; // this process: GraalPy inherits everything
        }
        builder.allowEnvironmentAccess(EnvironmentAccess.NONE).environment(environment);
        if (workingDirectory != null) {
            builder.currentWorkingDirectory(workingDirectory);
        }
        if (in != null) {
            builder.in(in);
        }
        if (out != null) {
            builder.out(out);
        }
        if (err != null) {
            builder.err(err);
        }
        return builder;
    }
}
