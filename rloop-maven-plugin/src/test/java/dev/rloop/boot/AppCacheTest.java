package dev.rloop.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppCacheTest {
    @TempDir
    Path dir;

    private Path appJar(String mainPy, String libContent) throws IOException {
        Path jar = dir.resolve("app-" + mainPy.hashCode() + "-" + libContent.hashCode() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, AppJarLayout.LIB + "dep.jar", libContent);
            put(out, AppJarLayout.PYTHON + "app/__main__.py", mainPy);
            put(out, AppJarLayout.PYTHON + "app/data/x.txt", "data");
        }
        return jar;
    }

    private static void put(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    private static AppJarLayout.App app(String buildId) {
        return new AppJarLayout.App("demo", buildId, new AppCommand.Entry(true, "app"), List.of(),
                List.of(AppJarLayout.LIB + "dep.jar"), List.of(), AppJarLayout.LIB + "dep.jar", AppJarLayout.LIB + "dep.jar");
    }

    @Test
    void unpacksOnceAndSharesJarsByContent() throws IOException {
        AppCache cache = new AppCache(dir.resolve("cache"));
        Path first;
        try (JarFile jar = new JarFile(appJar("print(1)", "same bytes").toFile())) {
            first = cache.jar(jar, AppJarLayout.LIB + "dep.jar");
            Path python = cache.python(jar, app("b1"));
            assertEquals("print(1)", Files.readString(python.resolve("app/__main__.py")));
            assertEquals("data", Files.readString(python.resolve("app/data/x.txt")));
            // a second start finds everything in place and writes nothing
            long modified = Files.getLastModifiedTime(first).toMillis();
            assertEquals(first, cache.jar(jar, AppJarLayout.LIB + "dep.jar"));
            assertEquals(modified, Files.getLastModifiedTime(first).toMillis());
            assertEquals(python, cache.python(jar, app("b1")));
        }
        try (JarFile other = new JarFile(appJar("print(2)", "same bytes").toFile())) {
            assertEquals(first, cache.jar(other, AppJarLayout.LIB + "dep.jar"), "same content, same file");
            Path python2 = cache.python(other, app("b2"));
            assertEquals("print(2)", Files.readString(python2.resolve("app/__main__.py")));
        }
        try (JarFile changed = new JarFile(appJar("print(3)", "other bytes").toFile())) {
            Path second = cache.jar(changed, AppJarLayout.LIB + "dep.jar");
            assertFalse(second.equals(first));
            assertEquals("other bytes", Files.readString(second));
        }
        try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".part-")), "no leftovers");
        }
    }

    @Test
    void concurrentStartsAgree() throws Exception {
        Path jarPath = appJar("print('race')", "lib");
        AppCache cache = new AppCache(dir.resolve("cache"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    try (JarFile jar = new JarFile(jarPath.toFile())) {
                        cache.jar(jar, AppJarLayout.LIB + "dep.jar");
                        return cache.python(jar, app("race"));
                    }
                }));
            }
            for (Future<Path> f : results) {
                assertEquals("print('race')", Files.readString(f.get().resolve("app/__main__.py")));
            }
        } finally {
            pool.shutdown();
        }
        try (Stream<Path> apps = Files.list(dir.resolve("cache/apps"))) {
            assertEquals(List.of("demo-race"), apps.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void entriesMustStayInsideThePythonTree() throws IOException {
        Path jarPath = dir.resolve("evil.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jarPath))) {
            put(out, AppJarLayout.PYTHON + "../../escape.py", "x");
        }
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            IOException e = assertThrows(IOException.class, () -> new AppCache(dir.resolve("c")).python(jar, app("e")));
            assertTrue(e.getMessage().contains("outside the Python tree"));
        }
        assertFalse(Files.exists(dir.resolve("c/escape.py")));
    }

    @Test
    void notAnAppJar() throws IOException {
        Path jarPath = dir.resolve("plain.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jarPath))) {
            put(out, "x.txt", "x");
        }
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            IOException e = assertThrows(IOException.class,
                    () -> AppCache.requireEntry(jar, AppJarLayout.PROPERTIES));
            assertTrue(e.getMessage().endsWith("has no rloop-app/app.properties: not an app jar built by the rloop plugin"));
        }
    }
}
