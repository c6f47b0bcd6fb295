package dev.rloop.maven;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;

import dev.rloop.boot.AppCache;

/**
 * The app's Python tree as it will run: the Python packages pip installed for it, the Python
 * sources and the configured resources, copied into one directory under {@code target/}. Both goals
 * use it, so {@code run} sees exactly the files {@code package} puts in the jar. Compiled files
 * ({@code __pycache__}, {@code .pyc}) are left out: GraalPy writes its own. So are the launch
 * scripts pip writes into {@code bin/}: they name a Python interpreter the jar does not have.
 */
final class AppTree {
    private AppTree() {
    }

    /**
     * Rebuilds {@code staging} from {@code packages} (null for none), {@code sources} and
     * {@code resources}; returns it. A source file that would replace a package's file is an error:
     * silently shadowing a library, or being shadowed by it, would change what the app imports.
     */
    static Path stage(Path packages, Path sources, List<Path> resources, Path staging) throws IOException {
        AppCache.deleteTree(staging);
        Files.createDirectories(staging);
        if (packages != null) {
            copyTree(packages, staging, Set.of("bin"), false);
        }
        copyTree(sources, staging, Set.of(), packages != null);
        for (Path resource : resources) {
            if (!Files.exists(resource)) {
                throw new IOException("resource " + resource + " does not exist");
            }
            Path target = staging.resolve(resource.getFileName().toString());
            if (Files.isDirectory(resource)) {
                copyTree(resource, target, Set.of(), false);
            } else {
                Files.copy(resource, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return staging;
    }

    /** Copies {@code from} into {@code to}, leaving out compiled files and {@code skipTopLevel}. */
    private static void copyTree(Path from, Path to, Set<String> skipTopLevel, boolean refuseExisting)
            throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName().toString();
                boolean topLevel = from.equals(dir.getParent());
                if (name.equals("__pycache__") || (topLevel && skipTopLevel.contains(name))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getFileName().toString().endsWith(".pyc")) {
                    return FileVisitResult.CONTINUE;
                }
                Path target = to.resolve(from.relativize(file).toString());
                if (refuseExisting && Files.exists(target)) {
                    throw new IOException(file + " has the same path as a file of an installed Python package ("
                            + from.relativize(file) + "); rename it, or drop the package");
                }
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
