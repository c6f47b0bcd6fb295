package dev.rloop;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.rloop.jit.CoroutineTypesRepair;
import dev.rloop.jit.ExceptionProfileRepair;
import dev.rloop.launcher.ProgramHost;
import dev.rloop.launcher.PythonFlags;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import dev.rloop.process.StandardStreams;

/**
 * The Java host API: builds GraalPy contexts in which {@code import rloop} works and runs Python
 * programs with rloop installed as the asyncio loop. The launcher is a thin command line over
 * {@link #runProgram}.
 *
 * <pre>{@code
 * try (Context ctx = RLoop.newContext(List.of("app.py"))) {
 *     ctx.eval("python", "import asyncio, rloop; rloop.run(main())");
 * }
 * }</pre>
 */
public final class RLoop {
    public static final String VERSION = "0.1.0";

    /** What {@link #runProgram} runs: a script, a module ({@code -m}), code ({@code -c}) or stdin. */
    public enum Kind { SCRIPT, MODULE, CODE, STDIN }

    /** System property: directories (path-separated) put on {@code sys.path} after rloop's own. */
    public static final String APP_PATH_PROPERTY = "rloop.app.path";

    private RLoop() {
    }

    /**
     * A context builder for Python with the rloop package on {@code sys.path}, host access for the
     * loop core, threads and I/O allowed, and the bridge object installed once built (call
     * {@link #install(Context)} after {@code build()}).
     *
     * @param argv {@code sys.argv}
     * @param extraPath directories put on {@code sys.path} after rloop's own
     */
    public static Context.Builder contextBuilder(List<String> argv, List<String> extraPath) {
        return contextBuilder(null, argv, extraPath, environmentPythonPath());
    }

    /**
     * {@link #contextBuilder(List, List)} for a context on a shared {@link Engine}: contexts of
     * one engine share parsed and compiled code, so later ones start faster. Engine options
     * belong to the engine then (a context on a shared engine refuses them), so none is set here.
     */
    public static Context.Builder contextBuilder(Engine engine, List<String> argv, List<String> extraPath) {
        return contextBuilder(engine, argv, extraPath, environmentPythonPath());
    }

    private static String environmentPythonPath() {
        String pythonPath = System.getenv("PYTHONPATH");
        return pythonPath == null ? "" : pythonPath;
    }

    /** The builder, on {@code engine} when one is given, with the PYTHONPATH entries given ("" for none). */
    private static Context.Builder contextBuilder(Engine engine, List<String> argv, List<String> extraPath,
                                                  String pythonPath) {
        ExceptionProfileRepair.install();
        CoroutineTypesRepair.install();
        List<String> path = new ArrayList<>();
        path.add(PythonPackage.locate().toString());
        path.addAll(extraPath);
        // An application's own Python root, set by the jars the rloop Maven plugin builds
        String appPath = System.getProperty(APP_PATH_PROPERTY, "");
        if (!appPath.isEmpty()) {
            path.add(appPath);
        }
        if (!pythonPath.isEmpty()) {
            path.add(pythonPath);
        }
        Context.Builder builder = Context.newBuilder("python")
                .allowAllAccess(true)
                .option("python.PythonPath", String.join(File.pathSeparator, path))
                .arguments("python", argv.toArray(new String[0]));
        if (engine != null) {
            builder.engine(engine);
        } else {
            builder.option("engine.WarnInterpreterOnly", "false");
            // rloop.java.run_blocking may run a bound Java method through polyglot on a virtual
            // thread, which Truffle supports but warns about on every context (an experimental
            // option: allowAllAccess above allows it)
            builder.option("engine.WarnVirtualThreadSupport", "false");
        }
        // Extra polyglot options for development, e.g. -Drloop.context.options=cpusampler=true
        String extra = System.getProperty("rloop.context.options", "");
        for (String kv : extra.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                builder.option(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return builder;
    }

    /** Makes {@code import rloop} work in a context built elsewhere (for example by GraalPyResources). */
    public static void install(Context context) {
        install(context, StandardStreams.thisProcess());
    }

    /** {@link #install(Context)} for a program whose standard streams are {@code streams}. */
    static void install(Context context, StandardStreams streams) {
        context.getPolyglotBindings().putMember(PythonBridge.BINDING, new PythonBridge(streams));
    }

    /**
     * Starts an rloop event loop on a thread of its own in {@code context} (one made by this
     * class, or one {@link #install}ed), for Java threads to {@link LoopService#submit} coroutines
     * to; close it to stop the loop. Returns once the loop runs.
     */
    public static LoopService startLoop(Context context) {
        return LoopService.start(context);
    }

    /** A ready context: rloop importable, nothing imported yet. */
    public static Context newContext(List<String> argv) {
        Context ctx = contextBuilder(argv, List.of()).build();
        install(ctx);
        return ctx;
    }

    /**
     * Runs a program as {@code python} would, with rloop as the asyncio loop unless
     * {@code useStdlibLoop}; returns the process exit code, or {@code -2} when an uncaught
     * KeyboardInterrupt ended it (CPython then ends its process by SIGINT; the launcher does).
     * SIGINT raises KeyboardInterrupt in the program, as in CPython. The {@code PYTHON*}
     * environment variables count as they do for {@code python} without options.
     */
    public static int runProgram(Kind kind, String target, List<String> args, boolean useStdlibLoop) {
        return runProgram(kind, target, args, useStdlibLoop, new PythonFlags());
    }

    /** {@link #runProgram(Kind, String, List, boolean)} with CPython's interpreter options. */
    static int runProgram(Kind kind, String target, List<String> args, boolean useStdlibLoop, PythonFlags flags) {
        return runProgram(kind, target, args, useStdlibLoop, flags, ProgramHost.thisProcess());
    }

    /**
     * The same in the process {@code host} describes: its environment, working directory and
     * standard streams (the launcher's daemon gives each program the command's).
     * Public only for the launcher ({@code dev.rloop.launcher.Main}, a package of its own):
     * {@link PythonFlags} is what the launcher parsed from its command line.
     */
    public static int runProgram(Kind kind, String target, List<String> args, boolean useStdlibLoop,
                                 PythonFlags flags, ProgramHost host) {
        List<String> argv = new ArrayList<>();
        argv.add(switch (kind) {
            case SCRIPT -> target;
            case MODULE -> "-m"; // runpy replaces it with the module's file, as CPython does
            case CODE -> "-c";
            case STDIN -> "-";
        });
        argv.addAll(args);
        Map<String, String> env = host.environment();
        flags.applyEnvironment(env);
        Context.Builder builder = host.configure(contextBuilder(null, argv, List.of(), flags.pythonPath(env)))
                .option("python.InstallSignalHandlers", "true")
                .option("python.Executable", flags.executable != null ? flags.executable : launcherPath())
                .options(flags.contextOptions());
        List<String> warnOptions = flags.allWarnOptions(env);
        if (!warnOptions.isEmpty()) {
            // GraalPy splits it at commas, as CPython splits PYTHONWARNINGS
            builder.option("python.WarnOptions", String.join(",", warnOptions));
        }
        StandardStreams streams = StandardStreams.of(host.in(), host.out(), host.err());
        try (Context ctx = builder.build()) {
            install(ctx, streams);
            if (host.started() != null) {
                host.started().accept(ctx);
            }
            Value main = ctx.eval("python", "import rloop_launcher\nrloop_launcher.main");
            try {
                return main.execute(kind.name().toLowerCase(), target, !useStdlibLoop, flags.devMode,
                        flags.bytesWarning, flags.xOptionStrings().toArray(new String[0]), flags.faultHandler)
                        .asInt();
            } catch (PolyglotException e) {
                if (e.isExit()) {
                    return e.getExitStatus();
                }
                throw e;
            }
        } finally {
            // output the program handed to a pipe transport on its stdout or stderr before it
            // ended: bounded, for a reader that has stopped reading
            streams.awaitOutput(OUTPUT_DRAIN_MILLIS);
        }
    }

    /** How long a program's end waits for its queued output on stdout and stderr. */
    private static final long OUTPUT_DRAIN_MILLIS = 10_000;

    private static String launcherPath() {
        String p = System.getProperty("rloop.launcher");
        return p != null ? p : Path.of("rloop-graalpy").toAbsolutePath().toString();
    }
}
