package dev.rloop.maven;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import dev.rloop.boot.AppCache;

/**
 * The app's Python tree as it will run: the Python sources plus the configured resources, copied
 * into one directory under {@code target/}. Both goals use it, so {@code run} sees exactly the files
 * {@code package} puts in the jar. Compiled files ({@code __pycache__}, {@code .pyc}) are left out:
 * GraalPy writes its own.
 */
final class AppTree {
    private AppTree() {
    }

    /** Rebuilds {@code staging} from {@code sources} and {@code resources}; returns it. */
    static Path stage(Path sources, List<Path> resources, Path staging) throws IOException {
        AppCache.deleteTree(staging);
        Files.createDirectories(staging);
        copyTree(sources, staging);
        for (Path resource : resources) {
            if (!Files.exists(resource)) {
                throw new IOException("resource " + resource + " does not exist");
            }
            Path target = staging.resolve(resource.getFileName().toString());
            if (Files.isDirectory(resource)) {
                copyTree(resource, target);
            } else {
                Files.copy(resource, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return staging;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals("__pycache__")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!file.getFileName().toString().endsWith(".pyc")) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
