package dev.rloop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the directory that holds the {@code rloop} Python package.
 *
 * <p>In a build tree the package is a plain directory ({@code target/classes/rloop-python}). In a
 * jar it is copied once into a per-user cache keyed by the jar's size and time stamp, because
 * GraalPy imports from real directories (or its own virtual filesystem, which needs a build step
 * of its own).
 */
final class PythonPackage {
    static final String RESOURCE_DIR = "rloop-python";

    private PythonPackage() {
    }

    static Path locate() {
        String override = System.getProperty("rloop.python.src");
        if (override != null && Files.isDirectory(Path.of(override, "rloop"))) {
            return Path.of(override);
        }
        URL marker = PythonPackage.class.getResource("/" + RESOURCE_DIR + "/rloop/__init__.py");
        if (marker == null) {
            throw new IllegalStateException("rloop: the rloop Python package is not on the class path");
        }
        try {
            if ("file".equals(marker.getProtocol())) {
                return Path.of(marker.toURI()).getParent().getParent();
            }
            return extractFromJar(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path extractFromJar(URL marker) throws IOException, URISyntaxException {
        String spec = marker.toString();
        Path jar = Path.of(new URL(spec.substring("jar:".length(), spec.indexOf("!/"))).toURI());
        String key = Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis();
        Path base = Path.of(System.getProperty("user.home"), ".cache", "rloop-graalpy", key);
        Path done = base.resolve(".complete");
        if (Files.exists(done)) {
            return base;
        }
        try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of());
             Stream<Path> files = Files.walk(fs.getPath("/" + RESOURCE_DIR))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = fs.getPath("/" + RESOURCE_DIR).relativize(p);
                Path out = base.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = Files.newInputStream(p)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        Files.writeString(done, key);
        return base;
    }
}
