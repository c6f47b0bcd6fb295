package dev.rloop.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import dev.rloop.boot.AppCommand;
import dev.rloop.boot.ChildJvm;
import dev.rloop.boot.Jdk;

/** What both goals share: the app's entry point, its Python tree and its runtime jars. */
abstract class AppMojo extends AbstractMojo {
    /** The module to run, as {@code python -m mainModule} would (a .py file or a package with __main__.py). */
    @Parameter(property = "rloop.mainModule")
    String mainModule;

    /** The script to run, relative to {@code pythonSources}, as {@code python mainScript} would. */
    @Parameter(property = "rloop.mainScript")
    String mainScript;

    /** The app's Python sources: the root of its {@code sys.path}. */
    @Parameter(property = "rloop.pythonSources", defaultValue = "${project.basedir}/src/main/python")
    File pythonSources;

    /** Extra files or directories, copied into the Python root under their own names. */
    @Parameter
    List<File> resources = new ArrayList<>();

    /**
     * Python packages to install into the app with GraalPy's pip, as pip spells them
     * ({@code aiohttp==3.8.4}, {@code h11>=0.14}).
     */
    @Parameter
    List<String> packages = new ArrayList<>();

    /** A pip requirements file whose packages are installed too. */
    @Parameter(property = "rloop.requirementsFile")
    File requirementsFile;

    /** pip's options for installing them: {@code --no-index}, {@code --find-links=DIR}, {@code --index-url=URL}... */
    @Parameter
    List<String> pipArgs = new ArrayList<>();

    /** Arguments for the JVM that runs the app (heap size, system properties, ...). */
    @Parameter
    List<String> jvmArgs = new ArrayList<>();

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
    List<Artifact> pluginArtifacts;

    /**
     * Checks the entry point, installs the Python packages (when the requirement set changed),
     * stages the Python tree and picks the jars, then does the goal's work.
     */
    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        AppCommand.Entry entry = EntryPoint.resolve(mainModule, mainScript, pythonSources.toPath());
        RuntimeJars jars = RuntimeJars.from(pluginArtifacts, project.getArtifacts());
        Requirements requirements = new Requirements(packages,
                requirementsFile == null ? null : requirementsFile.toPath(), pipArgs);
        Path installed = null;
        if (!requirements.isEmpty()) {
            Path root = Path.of(project.getBuild().getDirectory(), "rloop-packages");
            installed = PipInstall.installed(requirements, command(jars), jars.runtimeId(), root, getLog());
        }
        execute(entry, stagePythonTree(installed), jars);
    }

    /** The goal's own work, for an app whose inputs have been checked. */
    abstract void execute(AppCommand.Entry entry, Path pythonTree, RuntimeJars jars)
            throws MojoExecutionException, MojoFailureException;

    /** The command that runs Python with {@code jars} on a JDK 25+, as the app's JVM will. */
    AppCommand command(RuntimeJars jars) throws MojoExecutionException {
        Path java = Jdk.find().orElseThrow(() -> new MojoExecutionException(
                "rloop: running Python needs a JDK " + Jdk.MIN_FEATURE
                        + " or newer (JAVA_HOME or /usr/lib/jvm); none was found"));
        return new AppCommand(java, jars.modulePath(), jars.rloopJar(), jars.compilerJar())
                .classPath(jars.classPath())
                .jvmArgs(jvmArgs);
    }

    /** Runs {@code command} (a JVM running {@code what}) to its end; returns its exit status. */
    static int runJvm(List<String> command, Map<String, String> environment, String what, Log log)
            throws MojoExecutionException {
        log.debug("rloop: " + String.join(" ", command));
        try {
            return ChildJvm.run(command, environment);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot start " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("rloop: interrupted while " + what + " ran", e);
        }
    }

    /** Copies the packages, the Python sources and resources into {@code target/rloop-app/python}. */
    private Path stagePythonTree(Path installedPackages) throws MojoExecutionException {
        List<Path> extra = new ArrayList<>();
        for (File f : resources) {
            extra.add(f.toPath());
        }
        Path staging = Path.of(project.getBuild().getDirectory(), "rloop-app", "python");
        try {
            return AppTree.stage(installedPackages, pythonSources.toPath(), extra, staging);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot stage the Python sources: " + e.getMessage(), e);
        }
    }
}
