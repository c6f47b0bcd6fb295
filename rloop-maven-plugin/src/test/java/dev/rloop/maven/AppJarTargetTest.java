package dev.rloop.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

class AppJarTargetTest {
    private static final Path TARGET = Path.of("/p/target");

    @Test
    void jarPackagingReplacesTheProjectArtifactUnderTheBuildFinalName() throws MojoFailureException {
        assertEquals(new AppJarTarget(TARGET.resolve("greeter-1.0.jar"), "greeter-1.0", true),
                AppJarTarget.of("jar", TARGET, "greeter-1.0", "greeter", null));
        assertEquals(new AppJarTarget(TARGET.resolve("greeter.jar"), "greeter", true),
                AppJarTarget.of("jar", TARGET, "greeter", "greeter", " "));
    }

    @Test
    void pomPackagingWritesAFileNamedByTheArtifactIdOrFinalName() throws MojoFailureException {
        assertEquals(new AppJarTarget(TARGET.resolve("greeter.jar"), "greeter", false),
                AppJarTarget.of("pom", TARGET, "greeter-1.0", "greeter", null));
        assertEquals(new AppJarTarget(TARGET.resolve("greeter.jar"), "greeter", false),
                AppJarTarget.of("pom", TARGET, "greeter-1.0", "greeter", ""));
        assertEquals(new AppJarTarget(TARGET.resolve("hello.jar"), "hello", false),
                AppJarTarget.of("pom", TARGET, "greeter-1.0", "greeter", "hello"));
    }

    @Test
    void aSecondNameUnderJarPackagingIsRefused() {
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> AppJarTarget.of("jar", TARGET, "greeter-1.0", "greeter", "hello"));
        assertTrue(e.getMessage().startsWith("rloop: <finalName> (rloop.finalName) is for packaging pom only;"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("greeter-1.0.jar: rename it with <build><finalName>"), e.getMessage());
    }

    @Test
    void otherPackagingsAreRefused() {
        for (String packaging : new String[] {"war", "ear", "maven-plugin", "bundle"}) {
            MojoFailureException e = assertThrows(MojoFailureException.class,
                    () -> AppJarTarget.of(packaging, TARGET, "greeter-1.0", "greeter", null));
            assertTrue(e.getMessage().startsWith("rloop: packaging " + packaging + " is not supported: use jar"),
                    e.getMessage());
        }
    }
}
