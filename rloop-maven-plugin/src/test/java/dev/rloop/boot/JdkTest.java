package dev.rloop.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkTest {
    @Test
    void featureVersions() {
        assertEquals(25, Jdk.parseFeature("25"));
        assertEquals(25, Jdk.parseFeature("25.0.1"));
        assertEquals(17, Jdk.parseFeature("17.0.15"));
        assertEquals(26, Jdk.parseFeature("26-ea"));
        assertEquals(-1, Jdk.parseFeature("jdk"));
        assertEquals(-1, Jdk.parseFeature(""));
    }

    @Test
    void readsTheReleaseFile(@TempDir Path home) throws IOException {
        assertEquals(-1, Jdk.featureVersion(home));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.1\"\n");
        assertEquals(25, Jdk.featureVersion(home));
    }

    @Test
    void theOneFoundIsRecentEnough() {
        // this build's machine has a JDK 25 (the root project compiles with one)
        Path java = Jdk.find().orElseThrow();
        assertTrue(Files.isExecutable(java));
        assertTrue(Jdk.featureVersion(java.getParent().getParent()) >= Jdk.MIN_FEATURE, java.toString());
    }
}
