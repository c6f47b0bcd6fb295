package dev.rloop.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class AppCommandTest {
    private final Path root = Path.of("/cache/apps/demo/python");

    @Test
    void jitFlagsModulePathAndEntryPoint() {
        List<String> cmd = new AppCommand(Path.of("/jdk/bin/java"),
                List.of(Path.of("/c/a.jar"), Path.of("/c/b.jar")), Path.of("/c/rloop.jar"), Path.of("/c/compiler.jar"))
                .classPath(List.of(Path.of("/c/extra.jar")))
                .jvmArgs(List.of("-Xmx1g"))
                .build(root, new AppCommand.Entry(true, "pkg.cli"), List.of("--flag", "x"));
        assertEquals("/jdk/bin/java", cmd.get(0));
        assertTrue(cmd.contains("-XX:+EnableJVMCI"));
        assertTrue(cmd.contains("--upgrade-module-path=/c/compiler.jar"));
        assertTrue(cmd.contains("--module-path=/c/a.jar:/c/b.jar"));
        assertTrue(cmd.contains("-Drloop.app.path=" + root));
        int cp = cmd.indexOf("-cp");
        assertEquals("/c/rloop.jar:/c/extra.jar", cmd.get(cp + 1));
        assertTrue(cmd.indexOf("-Xmx1g") < cp, "JVM arguments come before the main class");
        assertEquals(List.of("dev.rloop.launcher.Main", "-m", "pkg.cli", "--flag", "x"),
                cmd.subList(cp + 2, cmd.size()));
    }

    @Test
    void pythonArgumentsFollowTheMainClassAsPythonWouldTakeThem() {
        AppCommand command = new AppCommand(Path.of("java"), List.of(), Path.of("r.jar"), null);
        List<String> cmd = command.python(root, List.of("-c", "print(1)", "install", "x"));
        int cp = cmd.indexOf("-cp");
        assertEquals(List.of(AppCommand.MAIN_CLASS, "-c", "print(1)", "install", "x"), cmd.subList(cp + 2, cmd.size()));
        assertEquals(command.jvm(root), cmd.subList(0, cp + 2));
    }

    @Test
    void theLaunchersJvmFlagsComeFromItsOwnList() throws Exception {
        // the launcher's list, read here straight from the source tree
        List<String> launcher = Files.readAllLines(Path.of("../launcher/jvm-flags")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(launcher.contains("--add-opens=org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED"),
                launcher::toString);
        assertEquals(launcher, AppCommand.RLOOP_FLAGS);
        List<String> cmd = new AppCommand(Path.of("java"), List.of(), Path.of("r.jar"), null)
                .build(root, new AppCommand.Entry(true, "m"), List.of());
        assertTrue(cmd.containsAll(launcher), cmd::toString);
        assertTrue(cmd.indexOf(launcher.get(0)) < cmd.indexOf("-cp"));
    }

    @Test
    void scriptsRunByPathAndNoJitWithoutACompiler() {
        AppCommand command = new AppCommand(Path.of("java"), List.of(), Path.of("r.jar"), null);
        List<String> cmd = command.build(root, new AppCommand.Entry(false, "bin/tool.py"), List.of());
        assertFalse(command.jit());
        assertFalse(cmd.stream().anyMatch(a -> a.contains("JVMCI") || a.contains("upgrade-module-path")));
        assertEquals(root.resolve("bin/tool.py").toString(), cmd.get(cmd.size() - 1));
    }

    @Test
    void wordsSplitAtWhitespaceRuns() {
        assertEquals(List.of("-Xmx1g", "-Da=b"), AppCommand.words("  -Xmx1g \t  -Da=b\n"));
        assertEquals(List.of(), AppCommand.words(null));
        assertEquals(List.of(), AppCommand.words("   "));
    }
}
