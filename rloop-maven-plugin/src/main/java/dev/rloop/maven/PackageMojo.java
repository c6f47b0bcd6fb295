package dev.rloop.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import dev.rloop.boot.AppCommand;

/**
 * Packages the Python app, rloop and GraalPy into {@code target/<finalName>.jar}, which runs with
 * {@code java -jar} on a JDK 25 (the Graal JIT on, set up by the jar itself).
 */
@Mojo(name = "package", defaultPhase = LifecyclePhase.PACKAGE,
        requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class PackageMojo extends AppMojo {
    /** The jar's name, without {@code .jar}. */
    @Parameter(property = "rloop.finalName", defaultValue = "${project.artifactId}")
    String finalName;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    File outputDirectory;

    @Override
    void execute(AppCommand.Entry entry, Path tree, RuntimeJars jars)
            throws MojoExecutionException, MojoFailureException {
        Path jar = outputDirectory.toPath().resolve(finalName + ".jar");
        try {
            AppJarWriter.write(jar, finalName, entry, jvmArgs, jars, tree);
            getLog().info(String.format("rloop: %s (%s %s, %.1f MB): run it with java -jar %s",
                    jar, entry.module() ? "module" : "script", entry.target(),
                    Files.size(jar) / 1e6, jar));
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot write " + jar + ": " + e.getMessage(), e);
        }
    }
}
