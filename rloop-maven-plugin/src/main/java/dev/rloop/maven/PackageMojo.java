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
 * Packages the Python app, rloop and GraalPy into one jar, which runs with {@code java -jar} on a
 * JDK 25 (the Graal JIT on, set up by the jar itself). With packaging jar it becomes the project's
 * artifact, {@code target/<build finalName>.jar}; with packaging pom it is
 * {@code target/<finalName>.jar} (see {@link AppJarTarget}).
 *
 * <p>Bound to the package phase, it runs after maven-jar-plugin's jar goal there: Maven runs the
 * packaging's own bindings of a phase before the executions a pom adds to it. So the plain jar is
 * already written when this goal replaces it.
 */
@Mojo(name = "package", defaultPhase = LifecyclePhase.PACKAGE,
        requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class PackageMojo extends AppMojo {
    /**
     * With packaging pom only: the jar's name, without {@code .jar}; default the artifactId. With
     * packaging jar the name is {@code <build><finalName>}, as for any jar artifact.
     */
    @Parameter(property = "rloop.finalName")
    String finalName;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    File outputDirectory;

    @Override
    void execute(AppCommand.Entry entry, Path tree, RuntimeJars jars)
            throws MojoExecutionException, MojoFailureException {
        AppJarTarget target = AppJarTarget.of(project.getPackaging(), outputDirectory.toPath(),
                project.getBuild().getFinalName(), project.getArtifactId(), finalName);
        Path jar = target.jar();
        try {
            if (target.mainArtifact()) {
                PlainJar.setAside(jar).ifPresent(plain -> getLog().info("rloop: the plain jar is " + plain));
            }
            AppJarWriter.write(jar, target.name(), entry, jvmArgs, jars, tree);
            if (target.mainArtifact()) {
                // what install and deploy publish as the project's jar
                project.getArtifact().setFile(jar.toFile());
            }
            getLog().info(String.format("rloop: %s (%s %s, %.1f MB): run it with java -jar %s",
                    jar, entry.module() ? "module" : "script", entry.target(),
                    Files.size(jar) / 1e6, jar));
        } catch (IOException e) {
            throw new MojoExecutionException("rloop: cannot write " + jar + ": " + e.getMessage(), e);
        }
    }
}
