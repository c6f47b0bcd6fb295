package dev.rloop.boot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a JDK that can run GraalPy 25 with the Graal JIT: feature version 25 or newer.
 *
 * <p>The JVM running this class may be older (a machine's default {@code java} can be 17, and Maven
 * may run on it), so the search looks, in order, at this JVM, at {@code JAVA_HOME} and at every JDK
 * under {@code /usr/lib/jvm}. A JDK's version is read from its {@code release} file, which costs a
 * file read instead of starting a JVM.
 */
public final class Jdk {
    /** The oldest feature version GraalPy 25 and its JIT run on. */
    public static final int MIN_FEATURE = 25;

    private Jdk() {
    }

    /** The {@code java} binary of the first JDK 25+ found, or empty. */
    public static Optional<Path> find() {
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of(System.getProperty("java.home")));
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isEmpty()) {
            homes.add(Path.of(javaHome));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
                List<Path> sorted = new ArrayList<>();
                dirs.forEach(sorted::add);
                sorted.sort(null);
                homes.addAll(sorted);
            } catch (IOException e) {
                // an unreadable /usr/lib/jvm only means fewer candidates
            }
        }
        for (Path home : homes) {
            Path java = home.resolve("bin").resolve("java");
            if (Files.isExecutable(java) && featureVersion(home) >= MIN_FEATURE) {
                return Optional.of(java);
            }
        }
        return Optional.empty();
    }

    /** The feature version of the JDK at {@code home} (25 for "25.0.1"), or -1 if unknown. */
    static int featureVersion(Path home) {
        if (home.equals(Path.of(System.getProperty("java.home")))) {
            return Runtime.version().feature();
        }
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return parseFeature(line.substring("JAVA_VERSION=".length()).replace("\"", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no release file, or an unreadable one: not a JDK this search can vouch for
        }
        return -1;
    }

    static int parseFeature(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Integer.parseInt(version.substring(0, end));
    }
}
