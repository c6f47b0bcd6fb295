package dev.rloop.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The directory where app jars unpack what the JVM and GraalPy need as real files.
 *
 * <p>A JVM can only put files on its module path, and Python code expects {@code __file__},
 * {@code sys.path} and package data to be ordinary paths, so an app jar's runtime jars and Python
 * tree are unpacked once and reused by every later start:
 * <ul>
 * <li>{@code jars/<crc>-<size>/<name>.jar}: each runtime jar, keyed by its content (the CRC and
 * size the jar's directory already records), so all apps and rebuilds share one copy of GraalPy's
 * 160 MB;</li>
 * <li>{@code apps/<name>-<build id>/python/}: the app's Python tree, keyed by a hash of the app
 * computed at build time.</li>
 * </ul>
 * Every file is written under a temporary name and moved into place, so a crashed or concurrent
 * start never leaves a half-written file where a later start would use it.
 */
public final class AppCache {
    private static final String COMPLETE = ".complete";

    private final Path root;

    public AppCache(Path root) {
        this.root = root;
    }

    /** {@code $RLOOP_APP_CACHE}, else {@code $XDG_CACHE_HOME/rloop-graalpy}, else {@code ~/.cache/rloop-graalpy}. */
    public static Path defaultRoot() {
        String explicit = System.getenv("RLOOP_APP_CACHE");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("rloop-graalpy");
    }

    /** The unpacked copy of the runtime jar stored in {@code jar} under {@code entryName}. */
    public Path jar(JarFile jar, String entryName) throws IOException {
        JarEntry entry = requireEntry(jar, entryName);
        String key = String.format("%08x-%d", entry.getCrc(), entry.getSize());
        Path target = root.resolve("jars").resolve(key).resolve(baseName(entryName));
        if (Files.isRegularFile(target) && Files.size(target) == entry.getSize()) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".part-", ".jar");
        try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The directory holding the app's unpacked Python tree (its sys.path root). */
    public Path python(JarFile jar, AppJarLayout.App app) throws IOException {
        Path appDir = root.resolve("apps").resolve(app.name() + "-" + app.buildId());
        Path python = appDir.resolve("python");
        if (Files.exists(appDir.resolve(COMPLETE))) {
            return python;
        }
        Files.createDirectories(appDir.getParent());
        Path tmp = Files.createTempDirectory(appDir.getParent(), ".part-" + app.name() + "-");
        try {
            Path tmpPython = tmp.resolve("python");
            Files.createDirectories(tmpPython);
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String name = entry.getName();
                if (!name.startsWith(AppJarLayout.PYTHON) || name.equals(AppJarLayout.PYTHON)) {
                    continue;
                }
                Path out = tmpPython.resolve(name.substring(AppJarLayout.PYTHON.length())).normalize();
                if (!out.startsWith(tmpPython)) {
                    throw new IOException("app jar entry outside the Python tree: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, out);
                    }
                }
            }
            Files.createFile(tmp.resolve(COMPLETE));
            try {
                Files.move(tmp, appDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // another start of the same app may have unpacked it first: then use that copy
                if (!Files.exists(appDir.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } finally {
            deleteTree(tmp);
        }
        return python;
    }

    static JarEntry requireEntry(JarFile jar, String name) throws IOException {
        JarEntry entry = jar.getJarEntry(name);
        if (entry == null) {
            throw new IOException(jar.getName() + " has no " + name + ": not an app jar built by the rloop plugin");
        }
        return entry;
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String baseName(String entryName) {
        return entryName.substring(entryName.lastIndexOf('/') + 1);
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
