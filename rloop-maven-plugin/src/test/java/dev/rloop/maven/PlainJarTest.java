package dev.rloop.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rloop.boot.AppJarLayout;

class PlainJarTest {
    @TempDir
    Path dir;

    @Test
    void thePlainJarIsRenamedOutOfTheWay() throws IOException {
        Path jar = dir.resolve("app-1.0.jar");
        writeJar(jar, "META-INF/maven/plain.txt");
        assertEquals(Optional.of(dir.resolve("app-1.0.jar.original")), PlainJar.setAside(jar));
        assertFalse(Files.exists(jar));
        assertTrue(Files.isRegularFile(dir.resolve("app-1.0.jar.original")));
    }

    @Test
    void aNewPlainJarReplacesTheOldOriginal() throws IOException {
        Path jar = dir.resolve("app-1.0.jar");
        Files.writeString(dir.resolve("app-1.0.jar.original"), "stale");
        writeJar(jar, "fresh.txt");
        PlainJar.setAside(jar);
        assertFalse(PlainJar.isAppJar(dir.resolve("app-1.0.jar.original")));
        assertTrue(Files.size(dir.resolve("app-1.0.jar.original")) > "stale".length());
    }

    /** The second package run without clean, when the jar plugin left the app jar alone. */
    @Test
    void anAppJarFromTheLastBuildStaysAndSoDoesItsOriginal() throws IOException {
        Path jar = dir.resolve("app-1.0.jar");
        Path original = dir.resolve("app-1.0.jar.original");
        writeJar(jar, AppJarLayout.PROPERTIES);
        writeJar(original, "plain.txt");
        byte[] plain = Files.readAllBytes(original);
        assertEquals(Optional.of(original), PlainJar.setAside(jar));
        assertTrue(PlainJar.isAppJar(jar));
        assertEquals(new String(plain, "ISO-8859-1"), new String(Files.readAllBytes(original), "ISO-8859-1"));
    }

    @Test
    void nothingToSetAside() throws IOException {
        assertEquals(Optional.empty(), PlainJar.setAside(dir.resolve("absent.jar")));
        Path jar = dir.resolve("app.jar");
        writeJar(jar, AppJarLayout.PROPERTIES);
        assertEquals(Optional.empty(), PlainJar.setAside(jar)); // an app jar with no plain jar beside it
        assertTrue(Files.exists(jar));
    }

    @Test
    void aFileThatIsNoZipIsNotAnAppJar() throws IOException {
        Path jar = dir.resolve("app.jar");
        Files.writeString(jar, "not a zip");
        assertFalse(PlainJar.isAppJar(jar));
        assertEquals(Optional.of(dir.resolve("app.jar.original")), PlainJar.setAside(jar));
    }

    private static void writeJar(Path file, String entry) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             JarOutputStream out = new JarOutputStream(os, new Manifest())) {
            out.putNextEntry(new ZipEntry(entry));
            out.write(1);
            out.closeEntry();
        }
    }
}
