package dev.rloop.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import dev.rloop.boot.AppCommand;

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

    /** Arguments for the JVM that runs the app (heap size, system properties, ...). */
    @Parameter
    List<String> jvmArgs = new ArrayList<>();

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
    List<Artifact> pluginArtifacts;

    /** Checks the entry point, stages the Python tree and picks the jars, then does the goal's work. */
    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        AppCommand.Entry entry = EntryPoint.resolve(mainModule, mainScript, pythonSources.toPath());
        Path tree = stagePythonTree();
        execute(entry, tree, RuntimeJars.from(pluginArtifacts, project.getArtifacts()));
    }

    /** The goal's own work, for an app whose inputs have been checked. */
    abstract void execute(AppCommand.Entry entry, Path pythonTree, RuntimeJars jars)
            throws MojoExecutionException, MojoFailureException;

    /** Copies the Python sources and resources into {@code target/rloop-app/python}. */
    private Path stagePythonTree() throws MojoExecutionException {
        List<Path> extra = new ArrayList<>();
        for (File f : resources) {
            extra.add(f.toPath());
        }
        Path staging = Path.of(project.getBuild().getDirectory(), "rloop-app", "python");
        try {
            return AppTree.stage(pythonSources.toPath(), extra, staging);
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot stage the Python sources: " + e.getMessage(), e);
        }
    }
}
