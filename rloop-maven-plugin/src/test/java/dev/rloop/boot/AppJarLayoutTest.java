package dev.rloop.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AppJarLayoutTest {
    private static AppJarLayout.App app(AppCommand.Entry entry, List<String> jvmArgs, List<String> modules) {
        return new AppJarLayout.App("demo", "0123abcd", entry, jvmArgs, modules,
                List.of("rloop-app/lib/extra.jar"), "rloop-app/lib/rloop-graalpy.jar",
                "rloop-app/jit/compiler.jar");
    }

    @Test
    void roundTripKeepsListsInOrder() throws IOException {
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < 23; i++) { // more than ten: the keys must not sort 10 before 2
            modules.add("rloop-app/lib/m" + i + ".jar");
        }
        AppJarLayout.App written = app(new AppCommand.Entry(true, "pkg.cli"),
                List.of("-Xmx1g", "-Dkey=a value with = and : and \\"), modules);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AppJarLayout.write(written, out);
        assertEquals(written, AppJarLayout.read(new ByteArrayInputStream(out.toByteArray())));

        AppJarLayout.App script = app(new AppCommand.Entry(false, "bin/run.py"), List.of(), List.of());
        out.reset();
        AppJarLayout.write(script, out);
        assertEquals(script, AppJarLayout.read(new ByteArrayInputStream(out.toByteArray())));
    }

    @Test
    void equalAppsWriteEqualBytes() throws IOException {
        AppJarLayout.App a = app(new AppCommand.Entry(false, "x.py"), List.of("-Da=1"), List.of("rloop-app/lib/a.jar"));
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        AppJarLayout.write(a, one);
        AppJarLayout.write(a, two);
        assertArrayEquals(one.toByteArray(), two.toByteArray());
        assertTrue(!one.toString(StandardCharsets.ISO_8859_1).contains("#"), "no time stamp comment");
    }

    @Test
    void missingKeysAreReported() {
        byte[] text = "main.module=app\nname=demo\n".getBytes(StandardCharsets.ISO_8859_1);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> AppJarLayout.read(new ByteArrayInputStream(text)));
        assertTrue(e.getMessage().contains("rloop-app/app.properties has no build.id"), e.getMessage());
    }
}
