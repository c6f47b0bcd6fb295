package dev.rloop.maven;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import dev.rloop.boot.AppCommand;

/**
 * Runs the app from the build tree, for development: the same JVM and Python set-up as the packaged
 * jar (rloop as asyncio's loop, the Graal JIT on), with the jars straight from the local Maven
 * repository. The build fails if the app exits with a non-zero status.
 */
@Mojo(name = "run", requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class RunMojo extends AppMojo {
    /** Arguments for the app ({@code sys.argv[1:]}). */
    @Parameter
    List<String> args = new ArrayList<>();

    /** Arguments for the app as one space-separated string, from the command line. */
    @Parameter(property = "rloop.args")
    String argLine;

    @Override
    void execute(AppCommand.Entry entry, Path tree, RuntimeJars jars)
            throws MojoExecutionException, MojoFailureException {
        List<String> appArgs = new ArrayList<>(args);
        appArgs.addAll(AppCommand.words(argLine));
        List<String> command = command(jars).build(tree, entry, appArgs);
        int status = runJvm(command, Map.of(), "the app", getLog());
        if (status != 0) {
            throw new MojoFailureException("rloop: the app exited with status " + status);
        }
    }
}
