package dev.rloop.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPython's interpreter options ({@code -E}, {@code -u}, {@code -W}, {@code -X dev}, ...) and the
 * {@code PYTHON*} environment variables that stand for them, as one value the launcher turns into
 * GraalPy context options ({@link #contextOptions}) and into the few settings GraalPy has no
 * option for, which {@code rloop_launcher} applies inside the context (dev mode, BytesWarning
 * level, {@code sys._xoptions}, faulthandler).
 *
 * <p>Programs re-run {@code sys.executable} with these flags (test runners, multiprocessing-style
 * tools), so the launcher must accept them; each is honoured where GraalPy can, see README.md.
 *
 * <p>Public, and so are the members {@link dev.rloop.RLoop#runProgram} reads, only because that
 * method (in the core package) turns the flags into its context; {@link CommandLine}, in this
 * package, sets the rest.
 */
public final class PythonFlags {
    boolean ignoreEnvironment;   // -E
    boolean isolated;            // -I (implies -E -s -P)
    boolean noUserSite;          // -s
    boolean noSite;              // -S
    boolean safePath;            // -P
    boolean unbuffered;          // -u
    boolean dontWriteBytecode;   // -B
    int optimize;                // -O, -OO
    boolean quiet;               // -q
    public int bytesWarning;     // -b, -bb
    int verbose;                 // -v, -vv
    boolean inspect;             // -i
    public boolean devMode;      // -X dev
    public boolean faultHandler; // -X faulthandler
    String checkHashPycs;        // --check-hash-based-pycs MODE
    public String executable;    // --executable PATH: sys.executable (the launcher passes its own path)
    /** {@code -W} arguments, in command-line order. */
    final List<String> warnOptions = new ArrayList<>();
    /** {@code -X} options as {@code sys._xoptions} gets them: name to value, or to null for a bare name. */
    final Map<String, String> xOptions = new LinkedHashMap<>();

    /** Records {@code -X name[=value]}; names with a meaning on GraalPy turn their setting on. */
    void addXOption(String option) {
        int eq = option.indexOf('=');
        String name = eq < 0 ? option : option.substring(0, eq);
        xOptions.put(name, eq < 0 ? null : option.substring(eq + 1));
        switch (name) {
            case "dev" -> devMode = true;
            case "faulthandler" -> faultHandler = true;
            default -> {
                // the rest (utf8, importtime, tracemalloc, frozen_modules, ...) only land in sys._xoptions
            }
        }
    }

    /** -E, or -I, which implies it. */
    boolean ignoresEnvironment() {
        return ignoreEnvironment || isolated;
    }

    /**
     * Folds in the {@code PYTHON*} variables CPython reads at start-up, unless {@code -E}/{@code -I}
     * says to ignore them. Embedded GraalPy reads none of them itself, so the launcher must.
     * (PYTHONASYNCIODEBUG is not here: asyncio reads it itself, guarded by
     * {@code sys.flags.ignore_environment}, which {@code python.IgnoreEnvironmentFlag} sets.)
     */
    public void applyEnvironment(Map<String, String> env) {
        if (ignoresEnvironment()) {
            return;
        }
        noUserSite |= isSet(env, "PYTHONNOUSERSITE");
        safePath |= isSet(env, "PYTHONSAFEPATH");
        unbuffered |= isSet(env, "PYTHONUNBUFFERED");
        dontWriteBytecode |= isSet(env, "PYTHONDONTWRITEBYTECODE");
        inspect |= isSet(env, "PYTHONINSPECT");
        devMode |= isSet(env, "PYTHONDEVMODE");
        faultHandler |= isSet(env, "PYTHONFAULTHANDLER");
        optimize = Math.max(optimize, level(env.get("PYTHONOPTIMIZE")));
        verbose = Math.max(verbose, level(env.get("PYTHONVERBOSE")));
    }

    /** The PYTHONPATH entries to put on sys.path, or "" when the environment is ignored. */
    public String pythonPath(Map<String, String> env) {
        String p = ignoresEnvironment() ? null : env.get("PYTHONPATH");
        return p == null ? "" : p;
    }

    /**
     * {@code sys.warnoptions} in CPython's order, lowest priority first (the warnings module
     * inserts each at the front): dev mode's {@code default}, then PYTHONWARNINGS, then {@code -W},
     * then {@code -b}/{@code -bb}'s BytesWarning filter.
     */
    public List<String> allWarnOptions(Map<String, String> env) {
        List<String> all = new ArrayList<>();
        if (devMode) {
            all.add("default");
        }
        String fromEnv = ignoresEnvironment() ? null : env.get("PYTHONWARNINGS");
        if (fromEnv != null) {
            for (String w : fromEnv.split(",")) {
                if (!w.isBlank()) {
                    all.add(w.strip());
                }
            }
        }
        all.addAll(warnOptions);
        if (bytesWarning > 0) {
            all.add(bytesWarning > 1 ? "error::BytesWarning" : "default::BytesWarning");
        }
        return all;
    }

    /** The GraalPy context options that carry these flags; PYTHONPATH and warnings are separate. */
    public Map<String, String> contextOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("python.IgnoreEnvironmentFlag", bool(ignoresEnvironment()));
        o.put("python.IsolateFlag", bool(isolated));
        o.put("python.NoUserSiteFlag", bool(noUserSite || isolated));
        o.put("python.NoSiteFlag", bool(noSite));
        o.put("python.SafePathFlag", bool(safePath || isolated));
        o.put("python.UnbufferedIO", bool(unbuffered));
        o.put("python.QuietFlag", bool(quiet));
        o.put("python.InspectFlag", bool(inspect));
        o.put("python.VerboseFlag", bool(verbose > 0));
        o.put("python.PythonOptimizeFlag", bool(optimize > 0));
        // GraalPy's embedded default is true (no .pyc written); only -B could ask for what is already so
        o.put("python.DontWriteBytecodeFlag", "true");
        if (xOptions.containsKey("warn_default_encoding")) {
            o.put("python.WarnDefaultEncodingFlag", "true");
        }
        String digits = xOptions.get("int_max_str_digits");
        if (digits != null && digits.matches("\\d+")) {
            o.put("python.IntMaxStrDigits", digits);
        }
        String pycachePrefix = xOptions.get("pycache_prefix");
        if (pycachePrefix != null) {
            o.put("python.PyCachePrefix", pycachePrefix);
        }
        if (checkHashPycs != null) {
            o.put("python.CheckHashPycsMode", checkHashPycs);
        }
        return o;
    }

    /** {@code -X} options as "name=value" / "name" strings, for sys._xoptions inside the context. */
    public List<String> xOptionStrings() {
        List<String> s = new ArrayList<>();
        xOptions.forEach((k, v) -> s.add(v == null ? k : k + "=" + v));
        return s;
    }

    private static boolean isSet(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isEmpty();
    }

    /** CPython's reading of PYTHONOPTIMIZE-style variables: a number, or any other non-empty text as 1. */
    private static int level(String v) {
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String bool(boolean b) {
        return Boolean.toString(b);
    }
}
