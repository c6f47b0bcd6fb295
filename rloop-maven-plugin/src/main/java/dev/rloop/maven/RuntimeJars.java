package dev.rloop.maven;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * The jars an app runs with, sorted by where the JVM needs them: the plugin's own dependencies
 * (rloop-graalpy, which pulls in GraalPy and Truffle, and the Graal compiler) and the app project's
 * runtime dependencies. Taking rloop and GraalPy from the plugin's dependencies means a plugin
 * version always packages the rloop it was built and tested with.
 */
record RuntimeJars(Path rloopJar, Path compilerJar, List<Path> modulePath, List<Path> classPath) {
    static final String RLOOP = "dev.rloop:rloop-graalpy";
    static final String COMPILER = "org.graalvm.compiler:compiler";
    static final String PLUGIN = "dev.rloop:rloop-maven-plugin";

    static RuntimeJars from(Collection<Artifact> pluginArtifacts, Collection<Artifact> projectArtifacts)
            throws MojoExecutionException {
        Path rloop = null;
        Path compiler = null;
        List<Path> modules = new ArrayList<>();
        Set<String> provided = new HashSet<>();
        for (Artifact a : pluginArtifacts) {
            String key = a.getGroupId() + ":" + a.getArtifactId();
            provided.add(key);
            if (key.equals(PLUGIN) || !"jar".equals(a.getType()) || a.getFile() == null) {
                continue;
            }
            switch (key) {
                case RLOOP -> rloop = a.getFile().toPath();
                case COMPILER -> compiler = a.getFile().toPath();
                default -> modules.add(a.getFile().toPath());
            }
        }
        if (rloop == null || compiler == null) {
            throw new MojoExecutionException("rloop: the plugin's dependencies lack " + RLOOP + " or "
                    + COMPILER + "; is the plugin's own pom intact?");
        }
        List<Path> classes = new ArrayList<>();
        for (Artifact a : projectArtifacts) {
            String scope = a.getScope();
            boolean runtime = Artifact.SCOPE_COMPILE.equals(scope) || Artifact.SCOPE_RUNTIME.equals(scope);
            // a project dependency the runtime already has (GraalPy itself, say) is not loaded twice
            boolean duplicate = provided.contains(a.getGroupId() + ":" + a.getArtifactId());
            if (runtime && !duplicate && "jar".equals(a.getType()) && a.getFile() != null) {
                classes.add(a.getFile().toPath());
            }
        }
        return new RuntimeJars(rloop, compiler, modules, classes);
    }

    /**
     * What identifies the Python runtime these jars make (GraalPy's, Truffle's and rloop's jar names,
     * which carry their versions): packages pip installed for one runtime are not reused by another.
     */
    String runtimeId() {
        List<String> names = new ArrayList<>();
        modulePath.forEach(p -> names.add(p.getFileName().toString()));
        names.add(rloopJar.getFileName().toString());
        return String.join(",", names);
    }
}
