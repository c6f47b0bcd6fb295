package dev.rloop.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * What an app jar holds besides the boot classes, written by the plugin and read by
 * {@link AppJarLauncher}: one properties file describing the app, the runtime jars, and the app's
 * Python tree.
 *
 * <pre>
 * META-INF/MANIFEST.MF          Main-Class: dev.rloop.boot.AppJarLauncher
 * dev/rloop/boot/*.class        this package (Java 17 bytecode, no dependencies)
 * rloop-app/app.properties      name, build id, entry point, JVM arguments, jar lists
 * rloop-app/lib/*.jar           GraalPy, Truffle and rloop-graalpy (stored, not recompressed)
 * rloop-app/jit/compiler.jar    the Graal compiler, for the JIT
 * rloop-app/python/...          the app's Python sources and resources
 * </pre>
 */
public final class AppJarLayout {
    public static final String ROOT = "rloop-app/";
    public static final String PROPERTIES = ROOT + "app.properties";
    public static final String LIB = ROOT + "lib/";
    public static final String JIT = ROOT + "jit/";
    public static final String PYTHON = ROOT + "python/";

    private static final String NAME = "name";
    private static final String BUILD_ID = "build.id";
    private static final String MAIN_MODULE = "main.module";
    private static final String MAIN_SCRIPT = "main.script";
    private static final String JVM_ARG = "jvm.arg.";
    private static final String MODULE_JAR = "module.jar.";
    private static final String CLASS_JAR = "class.jar.";
    private static final String RLOOP_JAR = "rloop.jar";
    private static final String COMPILER_JAR = "compiler.jar";

    /** The app as the properties file describes it; jar names are entry names inside the app jar. */
    public record App(String name, String buildId, AppCommand.Entry entry, List<String> jvmArgs,
                      List<String> moduleJars, List<String> classJars, String rloopJar,
                      String compilerJar) {
    }

    private AppJarLayout() {
    }

    public static void write(App app, OutputStream out) throws IOException {
        Properties p = new Properties();
        p.setProperty(NAME, app.name());
        p.setProperty(BUILD_ID, app.buildId());
        p.setProperty(app.entry().module() ? MAIN_MODULE : MAIN_SCRIPT, app.entry().target());
        putList(p, JVM_ARG, app.jvmArgs());
        putList(p, MODULE_JAR, app.moduleJars());
        putList(p, CLASS_JAR, app.classJars());
        p.setProperty(RLOOP_JAR, app.rloopJar());
        p.setProperty(COMPILER_JAR, app.compilerJar());
        // Properties.store writes a time stamp comment; leave it out so equal apps give equal jars
        StringWriter text = new StringWriter();
        p.store(text, null);
        String body = text.toString().lines().filter(l -> !l.startsWith("#")).sorted()
                .collect(Collectors.joining("\n", "", "\n"));
        out.write(body.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static App read(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        String module = p.getProperty(MAIN_MODULE);
        AppCommand.Entry entry = module != null ? new AppCommand.Entry(true, module)
                : new AppCommand.Entry(false, required(p, MAIN_SCRIPT));
        return new App(required(p, NAME), required(p, BUILD_ID), entry, getList(p, JVM_ARG),
                getList(p, MODULE_JAR), getList(p, CLASS_JAR), required(p, RLOOP_JAR),
                required(p, COMPILER_JAR));
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new UncheckedIOException(new IOException(PROPERTIES + " has no " + key));
        }
        return v;
    }

    private static void putList(Properties p, String prefix, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            // zero-padded so the sorted file keeps the list's order
            p.setProperty(prefix + String.format("%03d", i), values.get(i));
        }
    }

    private static List<String> getList(Properties p, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 0; ; i++) {
            String v = p.getProperty(prefix + String.format("%03d", i));
            if (v == null) {
                return values;
            }
            values.add(v);
        }
    }
}
