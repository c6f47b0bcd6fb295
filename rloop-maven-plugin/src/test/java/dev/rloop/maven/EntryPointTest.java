package dev.rloop.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rloop.boot.AppCommand;

class EntryPointTest {
    @TempDir
    Path sources;

    @BeforeEach
    void tree() throws IOException {
        Files.writeString(sources.resolve("tool.py"), "print('tool')\n");
        Files.createDirectories(sources.resolve("pkg/sub"));
        Files.writeString(sources.resolve("pkg/__init__.py"), "");
        Files.writeString(sources.resolve("pkg/__main__.py"), "");
        Files.writeString(sources.resolve("pkg/sub/__init__.py"), "");
        Files.writeString(sources.resolve("pkg/sub/cli.py"), "");
    }

    @Test
    void scriptsAndModulesThatExist() throws MojoFailureException {
        assertEquals(new AppCommand.Entry(false, "tool.py"), EntryPoint.resolve(null, "tool.py", sources));
        assertEquals(new AppCommand.Entry(false, "tool.py"), EntryPoint.resolve("", "./tool.py", sources));
        assertEquals(new AppCommand.Entry(true, "pkg"), EntryPoint.resolve("pkg", null, sources));
        assertEquals(new AppCommand.Entry(true, "pkg.sub.cli"), EntryPoint.resolve("pkg.sub.cli", " ", sources));
        assertEquals(new AppCommand.Entry(true, "tool"), EntryPoint.resolve("tool", null, sources));
    }

    @Test
    void noEntryPointOrBoth() {
        assertMessage("rloop: no entry point: set <mainModule>", null, null);
        assertMessage("rloop: no entry point", " ", "");
        assertMessage("rloop: set either <mainModule> or <mainScript>, not both", "pkg", "tool.py");
    }

    @Test
    void entryPointsThatDoNotExist() {
        assertMessage("rloop: mainScript nothere.py not found", null, "nothere.py");
        assertMessage("rloop: mainScript pkg not found", null, "pkg"); // a directory is not a script
        assertMessage("rloop: mainScript ../outside.py not found", null, "../outside.py");
        assertMessage("rloop: mainModule pkg.missing not found: neither", "pkg.missing", null);
        assertMessage("rloop: mainModule pkg.sub not found", "pkg.sub", null); // no __main__.py
        assertMessage("rloop: mainModule pkg/sub is not a dotted Python module name", "pkg/sub", null);
        assertMessage("rloop: mainModule tool.py not found", "tool.py", null);
    }

    @Test
    void missingSourcesDirectory() {
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> EntryPoint.resolve("pkg", null, sources.resolve("absent")));
        assertTrue(e.getMessage().startsWith("rloop: the Python sources directory "), e.getMessage());
        assertTrue(e.getMessage().endsWith("absent does not exist; put the app there or set <pythonSources>"));
    }

    @Test
    void aFileNameGivenAsModuleGetsAHint() {
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> EntryPoint.resolve("tool.py", null, sources));
        assertTrue(e.getMessage().endsWith("(a file name belongs in <mainScript>)"), e.getMessage());
    }

    private void assertMessage(String prefix, String module, String script) {
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> EntryPoint.resolve(module, script, sources));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }
}
