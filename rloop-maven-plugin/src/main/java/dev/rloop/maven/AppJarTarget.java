package dev.rloop.maven;

import java.nio.file.Path;

import org.apache.maven.plugin.MojoFailureException;

/**
 * Where the package goal writes the app jar, which depends on the project's packaging.
 *
 * <ul>
 * <li>{@code jar}, Maven's default: the app jar <em>is</em> the project's artifact. It takes the
 *     path maven-jar-plugin wrote the plain jar to, {@code <build dir>/<build finalName>.jar}, so
 *     {@code target/<artifactId>-<version>.jar} runs with {@code java -jar}, and install and deploy
 *     publish the runnable jar. The name follows {@code <build><finalName>}, the one setting Maven
 *     users already know for it; the plugin's own {@code finalName} is refused here, because a
 *     second name would leave the non-runnable plain jar where users look first.
 * <li>{@code pom}: the project's artifact is its pom, so the app jar is a file beside it,
 *     {@code <build dir>/<finalName>.jar} (default: the artifactId), not installed or deployed.
 * </ul>
 *
 * Any other packaging (war, ear, maven-plugin, ...) has an artifact of its own that an app jar
 * must not replace, and no app needs one, so it fails the build with a message saying what to use.
 *
 * @param jar          the app jar's path
 * @param name         the app's name in the jar (its unpacked copy in the cache is named after it)
 * @param mainArtifact whether the app jar replaces the plain jar as the project's artifact
 */
record AppJarTarget(Path jar, String name, boolean mainArtifact) {
    /**
     * The target for a project.
     *
     * @param packaging      the project's packaging
     * @param buildDirectory {@code ${project.build.directory}}
     * @param buildFinalName {@code ${project.build.finalName}}, the plain jar's name without .jar
     * @param artifactId     the project's artifactId
     * @param finalName      the plugin's {@code finalName}, null or blank when not set
     */
    static AppJarTarget of(String packaging, Path buildDirectory, String buildFinalName,
                           String artifactId, String finalName) throws MojoFailureException {
        boolean named = finalName != null && !finalName.isBlank();
        switch (packaging) {
            case "jar" -> {
                if (named) {
                    throw new MojoFailureException("rloop: <finalName> (rloop.finalName) is for packaging pom"
                            + " only; with packaging jar the app jar is the project's artifact, "
                            + buildDirectory.resolve(buildFinalName + ".jar")
                            + ": rename it with <build><finalName>");
                }
                return new AppJarTarget(buildDirectory.resolve(buildFinalName + ".jar"), buildFinalName, true);
            }
            case "pom" -> {
                String name = named ? finalName.strip() : artifactId;
                return new AppJarTarget(buildDirectory.resolve(name + ".jar"), name, false);
            }
            default -> throw new MojoFailureException("rloop: packaging " + packaging + " is not supported:"
                    + " use jar (Maven's default: the runnable jar becomes the project's artifact) or pom"
                    + " (the runnable jar is target/<finalName>.jar beside it)");
        }
    }
}
