package dev.rloop.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppTreeTest {
    @TempDir
    Path dir;

    private Path write(String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void packagesSourcesAndResourcesMakeOneTree() throws IOException {
        write("pkgs/demo_dep/__init__.py", "X = 1\n");
        write("pkgs/demo_dep/__pycache__/__init__.cpython-312.pyc", "compiled");
        write("pkgs/demo_dep-1.0.dist-info/METADATA", "Name: demo-dep\n");
        write("pkgs/bin/demo", "#!/usr/bin/python\n");
        write("src/app.py", "import demo_dep\n");
        write("src/tool/bin/keep.txt", "a source's own bin/ below the top is kept\n");
        write("conf/settings.ini", "[a]\n");
        Path tree = AppTree.stage(dir.resolve("pkgs"), dir.resolve("src"), List.of(dir.resolve("conf")),
                dir.resolve("staging"));
        assertEquals("X = 1\n", Files.readString(tree.resolve("demo_dep/__init__.py")));
        assertTrue(Files.isRegularFile(tree.resolve("demo_dep-1.0.dist-info/METADATA")));
        assertTrue(Files.isRegularFile(tree.resolve("app.py")));
        assertTrue(Files.isRegularFile(tree.resolve("tool/bin/keep.txt")));
        assertTrue(Files.isRegularFile(tree.resolve("conf/settings.ini")));
        assertFalse(Files.exists(tree.resolve("bin")), "pip's launch scripts name an interpreter the jar lacks");
        assertFalse(Files.exists(tree.resolve("demo_dep/__pycache__")));
    }

    @Test
    void aSourceThatWouldReplaceAPackagesFileIsRefused() throws IOException {
        write("pkgs/demo_dep/__init__.py", "X = 1\n");
        Path mine = write("src/demo_dep/__init__.py", "X = 2\n");
        IOException e = assertThrows(IOException.class,
                () -> AppTree.stage(dir.resolve("pkgs"), dir.resolve("src"), List.of(), dir.resolve("staging")));
        assertEquals(mine + " has the same path as a file of an installed Python package ("
                + Path.of("demo_dep/__init__.py") + "); rename it, or drop the package", e.getMessage());
    }

    @Test
    void withoutPackagesTheTreeIsTheSourcesAsBefore() throws IOException {
        write("src/app.py", "print(1)\n");
        write("staging/stale.py", "left from an earlier build\n");
        Path tree = AppTree.stage(null, dir.resolve("src"), List.of(), dir.resolve("staging"));
        assertTrue(Files.isRegularFile(tree.resolve("app.py")));
        assertFalse(Files.exists(tree.resolve("stale.py")));
    }
}
