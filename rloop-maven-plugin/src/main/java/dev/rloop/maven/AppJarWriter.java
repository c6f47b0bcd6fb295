package dev.rloop.maven;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

import dev.rloop.boot.AppCommand;
import dev.rloop.boot.AppJarLauncher;
import dev.rloop.boot.AppJarLayout;

/**
 * Writes an app jar ({@link AppJarLayout}): the boot classes, the app description, the runtime
 * jars and the staged Python tree.
 *
 * <p>Runtime jars are stored, not deflated: they are compressed already, so deflating them again
 * would cost seconds per build for nothing, and a stored entry unpacks at copy speed on first run.
 * Every entry gets the same fixed time stamp and the build id is a hash of the content, so an
 * unchanged app gives a byte-identical jar and reuses its unpacked copy in the cache.
 */
final class AppJarWriter {
    /** 2000-01-01T00:00:00Z: entries get a fixed time so equal inputs give equal jars. */
    private static final long FIXED_TIME = 946684800000L;
    private static final String BOOT_PACKAGE = AppJarLauncher.class.getPackageName().replace('.', '/') + "/";

    private AppJarWriter() {
    }

    static void write(Path jarFile, String name, AppCommand.Entry entry, List<String> jvmArgs,
                      RuntimeJars jars, Path pythonTree) throws IOException {
        List<Path> pythonFiles = listFiles(pythonTree);
        MessageDigest id = sha256();
        List<String> moduleJars = libEntries(jars.modulePath());
        List<String> classJars = libEntries(jars.classPath());
        String rloopJar = AppJarLayout.LIB + jars.rloopJar().getFileName();
        String compilerJar = AppJarLayout.JIT + jars.compilerJar().getFileName();

        Files.createDirectories(jarFile.getParent());
        // a sibling name rather than createTempFile, whose owner-only permissions would stick
        Path tmp = jarFile.resolveSibling(jarFile.getFileName() + ".part");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), manifest())) {
            writeBootClasses(out);
            List<Path> runtime = new ArrayList<>(jars.modulePath());
            runtime.addAll(jars.classPath());
            runtime.add(jars.rloopJar());
            Set<String> names = new HashSet<>();
            for (Path jar : runtime) {
                String entryName = AppJarLayout.LIB + jar.getFileName();
                if (!names.add(entryName)) {
                    throw new IOException("two runtime jars are both named " + jar.getFileName());
                }
                id.update(storeEntry(out, entryName, jar));
            }
            id.update(storeEntry(out, compilerJar, jars.compilerJar()));
            for (Path file : pythonFiles) {
                String rel = pythonTree.relativize(file).toString().replace('\\', '/');
                byte[] bytes = Files.readAllBytes(file);
                id.update(rel.getBytes(UTF_8));
                id.update(bytes);
                putEntry(out, AppJarLayout.PYTHON + rel, bytes);
            }
            id.update(String.join("\n", jvmArgs).getBytes(UTF_8));
            id.update(entry.toString().getBytes(UTF_8));
            String buildId = HexFormat.of().formatHex(id.digest(), 0, 8);
            AppJarLayout.App app = new AppJarLayout.App(name, buildId, entry, jvmArgs,
                    moduleJars, classJars, rloopJar, compilerJar);
            ByteArrayOutputStream props = new ByteArrayOutputStream();
            AppJarLayout.write(app, props);
            putEntry(out, AppJarLayout.PROPERTIES, props.toByteArray());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jarFile, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Manifest manifest() {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, AppJarLauncher.class.getName());
        a.putValue("Created-By", "rloop-maven-plugin");
        return m;
    }

    /** Copies this plugin's {@code dev/rloop/boot/} classes, from its jar or its class directory. */
    private static void writeBootClasses(JarOutputStream out) throws IOException {
        Path source;
        try {
            source = Path.of(AppJarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the rloop boot classes", e);
        }
        if (Files.isDirectory(source)) {
            copyBootClasses(source, out);
        } else {
            try (FileSystem fs = FileSystems.newFileSystem(source, Map.of())) {
                copyBootClasses(fs.getPath("/"), out);
            }
        }
    }

    private static void copyBootClasses(Path root, JarOutputStream out) throws IOException {
        Path dir = root.resolve(BOOT_PACKAGE);
        List<Path> classes = listFiles(dir);
        if (classes.isEmpty()) {
            throw new IOException("no boot classes under " + dir);
        }
        for (Path c : classes) {
            putEntry(out, BOOT_PACKAGE + dir.relativize(c).toString(), Files.readAllBytes(c));
        }
    }

    /** Stores {@code file} uncompressed; returns bytes that identify its content (name, CRC, size). */
    private static byte[] storeEntry(JarOutputStream out, String name, Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        JarEntry e = new JarEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(Files.size(file));
        e.setCompressedSize(Files.size(file));
        e.setCrc(crc.getValue());
        e.setTime(FIXED_TIME);
        out.putNextEntry(e);
        Files.copy(file, out);
        out.closeEntry();
        return (name + ":" + crc.getValue() + ":" + e.getSize()).getBytes(UTF_8);
    }

    private static void putEntry(JarOutputStream out, String name, byte[] bytes) throws IOException {
        JarEntry e = new JarEntry(name);
        e.setTime(FIXED_TIME);
        out.putNextEntry(e);
        out.write(bytes);
        out.closeEntry();
    }

    private static List<String> libEntries(List<Path> jars) {
        List<String> names = new ArrayList<>();
        for (Path p : jars) {
            names.add(AppJarLayout.LIB + p.getFileName());
        }
        return names;
    }

    private static List<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
