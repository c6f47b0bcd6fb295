package dev.rloop.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import dev.rloop.boot.AppJarLayout;

/**
 * Keeps the plain jar maven-jar-plugin made (compiled classes and resources, no Main-Class) when
 * the app jar takes its path: it is renamed to {@code <name>.jar.original}, out of the way of
 * {@code java -jar target/*.jar} and of install, but still there for anyone who wants it.
 *
 * <p>A second {@code mvn package} without clean may find the app jar still at that path: the jar
 * plugin leaves an archive alone when it is newer than everything it would hold, and the app jar
 * is. That file must not be taken for the plain jar, or the real plain jar in {@code .original}
 * would be overwritten by an app jar; the one from the build that made it is still valid then.
 */
final class PlainJar {
    static final String SUFFIX = ".original";

    private PlainJar() {
    }

    /**
     * Moves the plain jar at {@code jar} to {@code jar.original}, replacing an older one; returns
     * where the plain jar now is, or empty when there is none (no file, as when the goal runs
     * without the jar plugin, or the app jar from a previous build and no .original beside it).
     */
    static Optional<Path> setAside(Path jar) throws IOException {
        Path original = jar.resolveSibling(jar.getFileName() + SUFFIX);
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        if (isAppJar(jar)) {
            return Files.isRegularFile(original) ? Optional.of(original) : Optional.empty();
        }
        Files.move(jar, original, StandardCopyOption.REPLACE_EXISTING);
        return Optional.of(original);
    }

    /** Whether {@code file} is an app jar this plugin wrote: it holds the app description. */
    static boolean isAppJar(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(AppJarLayout.PROPERTIES) != null;
        } catch (ZipException e) {
            return false; // not a zip at all: certainly not ours, so it is set aside like a plain jar
        }
    }
}
