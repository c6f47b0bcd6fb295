package dev.rloop.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rloop.RLoop;

/** The launcher's command-line parsing and option mapping, without starting GraalPy. */
class CommandLineTest {
    private static CommandLine.Parsed parse(String... args) throws CommandLine.UsageError {
        return CommandLine.parse(args);
    }

    @Test
    void combinedShortOptionsAndGluedArguments() throws Exception {
        CommandLine.Parsed p = parse("-Esu", "-Wd", "-Werror::UserWarning", "-Xdev", "-X", "utf8", "-cprint(1)", "a");
        assertEquals(CommandLine.Action.RUN, p.action());
        assertEquals(RLoop.Kind.CODE, p.kind());
        assertEquals("print(1)", p.target());
        assertEquals(List.of("a"), p.args());
        PythonFlags f = p.flags();
        assertTrue(f.ignoreEnvironment && f.noUserSite && f.unbuffered && f.devMode);
        assertEquals(List.of("d", "error::UserWarning"), f.warnOptions);
        assertEquals(List.of("dev", "utf8"), f.xOptionStrings());
        // dev mode's filter comes first (lowest priority); PYTHONWARNINGS is ignored under -E
        assertEquals(List.of("default", "d", "error::UserWarning"), f.allWarnOptions(Map.of("PYTHONWARNINGS", "x")));
    }

    @Test
    void moduleGluedAndOptionsEndAtProgram() throws Exception {
        CommandLine.Parsed m = parse("-OO", "-mhttp.server", "-E", "8000");
        assertEquals(RLoop.Kind.MODULE, m.kind());
        assertEquals("http.server", m.target());
        assertEquals(List.of("-E", "8000"), m.args()); // options after -m belong to the module
        assertEquals(2, m.flags().optimize);
        assertFalse(m.flags().ignoreEnvironment);

        CommandLine.Parsed s = parse("-u", "app.py", "-c", "x");
        assertEquals(RLoop.Kind.SCRIPT, s.kind());
        assertEquals(List.of("-c", "x"), s.args());
    }

    @Test
    void theLaunchersExecutableIsSysExecutable() throws Exception {
        CommandLine.Parsed p = parse("--executable=/venv/bin/python", "-u", "app.py");
        assertEquals("/venv/bin/python", p.flags().executable);
        assertEquals("app.py", p.target());
        assertEquals("/x/python3", parse("--executable", "/x/python3", "-c", "1").flags().executable);
        assertEquals(null, parse("app.py").flags().executable);
        assertThrows(CommandLine.UsageError.class, () -> parse("--executable"));
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        CommandLine.Parsed p = parse("-E", "--", "-weird-name.py", "-x");
        assertEquals(RLoop.Kind.SCRIPT, p.kind());
        assertEquals("-weird-name.py", p.target());
        assertEquals(List.of("-x"), p.args());

        CommandLine.Parsed stdin = parse("-q", "--");
        assertEquals(RLoop.Kind.STDIN, stdin.kind());
        assertEquals(RLoop.Kind.STDIN, parse("-", "z").kind());
        assertEquals(List.of("z"), parse("-", "z").args());
    }

    @Test
    void rloopLongOptionsStillWork() throws Exception {
        assertTrue(parse("--loop", "asyncio", "-E", "x.py").stdlibLoop());
        assertTrue(parse("--loop=asyncio", "x.py").stdlibLoop());
        assertEquals(CommandLine.Action.HELP, parse("-h").action());
        assertEquals(CommandLine.Action.HELP, parse("-E", "--help").action());
        assertEquals(CommandLine.Action.VERSION, parse("-V").action());
        assertEquals(CommandLine.Action.VERSION, parse("--version").action());
    }

    @Test
    void badCommandLines() {
        assertEquals("unknown option -Z", assertThrows(CommandLine.UsageError.class, () -> parse("-EZ")).getMessage());
        assertEquals("unknown option --bogus",
                assertThrows(CommandLine.UsageError.class, () -> parse("--bogus", "x.py")).getMessage());
        assertEquals("Argument expected for the -W option",
                assertThrows(CommandLine.UsageError.class, () -> parse("-W")).getMessage());
        assertEquals("Argument expected for the -m option",
                assertThrows(CommandLine.UsageError.class, () -> parse("-Em")).getMessage());
        assertThrows(CommandLine.UsageError.class, () -> parse("--loop", "uvloop", "x.py"));
    }

    @Test
    void isolatedImpliesIgnoreEnvironmentSafePathAndNoUserSite() throws Exception {
        PythonFlags f = parse("-I", "x.py").flags();
        f.applyEnvironment(Map.of("PYTHONUNBUFFERED", "1", "PYTHONDEVMODE", "1"));
        Map<String, String> o = f.contextOptions();
        assertEquals("true", o.get("python.IsolateFlag"));
        assertEquals("true", o.get("python.IgnoreEnvironmentFlag"));
        assertEquals("true", o.get("python.SafePathFlag"));
        assertEquals("true", o.get("python.NoUserSiteFlag"));
        assertEquals("false", o.get("python.UnbufferedIO"));
        assertFalse(f.devMode);
        assertEquals("", f.pythonPath(Map.of("PYTHONPATH", "/lib")));
    }

    @Test
    void environmentCountsWithoutDashE() throws Exception {
        PythonFlags f = parse("x.py").flags();
        Map<String, String> env = Map.of("PYTHONUNBUFFERED", "1", "PYTHONOPTIMIZE", "2", "PYTHONDEVMODE", "1",
                "PYTHONPATH", "/lib", "PYTHONWARNINGS", "error::UserWarning, ignore");
        f.applyEnvironment(env);
        assertEquals("true", f.contextOptions().get("python.UnbufferedIO"));
        assertEquals("true", f.contextOptions().get("python.PythonOptimizeFlag"));
        assertTrue(f.devMode);
        assertEquals("/lib", f.pythonPath(env));
        assertEquals(List.of("default", "error::UserWarning", "ignore"), f.allWarnOptions(env));
    }

    @Test
    void bytesWarningAndXOptionsMapToGraalPyOptions() throws Exception {
        PythonFlags f = parse("-bb", "-X", "int_max_str_digits=9000", "-X", "warn_default_encoding", "x.py").flags();
        assertEquals(2, f.bytesWarning);
        assertEquals(List.of("error::BytesWarning"), f.allWarnOptions(Map.of()));
        assertEquals("9000", f.contextOptions().get("python.IntMaxStrDigits"));
        assertEquals("true", f.contextOptions().get("python.WarnDefaultEncodingFlag"));
    }
}
