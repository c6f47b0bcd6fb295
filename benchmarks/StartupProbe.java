import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;

/**
 * Start-up probe (research for "start in under 2 seconds"): which Truffle runtime a JVM set-up
 * gives, and how long an asyncio hello world on rloop takes, in fresh contexts on one shared engine.
 *
 * <pre>
 *   StartupProbe name         prints the engine's implementation name ("GraalVM CE" = JIT on,
 *                             "Interpreted" = Truffle's fallback runtime) and exits
 *   StartupProbe hello        one context runs the hello world
 *   StartupProbe reuse N      N contexts, one after the other, on the same engine
 * </pre>
 *
 * Not part of the build or the tests. Compile it against the build (javac -d DIR --module-path
 * target/lib --add-modules org.graalvm.polyglot -cp target/rloop-graalpy.jar), jar DIR (an AOT
 * cache refuses directories on the class path), and run it with the launcher's JVM flags.
 * The rloop Python package is taken from {@code -Drloop.python.src} (default src/main/python).
 * A context on a shared engine cannot be made with {@code RLoop.contextBuilder}: that builder
 * sets {@code engine.WarnInterpreterOnly}, an engine option, which such a context refuses.
 */
public final class StartupProbe {
    private static final String HELLO = String.join("\n",
        "import asyncio, rloop",
        "async def main():",
        "    await asyncio.sleep(0)",
        "    print('hello from', type(asyncio.get_running_loop()).__module__, flush=True)",
        "rloop.run(main())");

    private StartupProbe() {
    }

    private static double sinceJvmStart() {
        return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
    }

    private static Context.Builder builder(Engine engine) {
        String src = System.getProperty("rloop.python.src", Path.of("src", "main", "python").toAbsolutePath().toString());
        return Context.newBuilder("python").engine(engine).allowAllAccess(true)
            .option("python.PythonPath", src)
            .arguments("python", new String[] {"hello"});
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "name";
        Engine engine = Engine.newBuilder("python")
            .option("engine.WarnInterpreterOnly", String.valueOf(Boolean.getBoolean("probe.warn")))
            .build();
        System.out.printf("runtime: %s (engine built %.2f s after JVM start)%n",
            engine.getImplementationName(), sinceJvmStart());
        if (mode.equals("name")) {
            engine.close();
            return;
        }
        int n = mode.equals("reuse") ? Integer.parseInt(args[1]) : 1;
        for (int i = 1; i <= n; i++) {
            long start = System.nanoTime();
            try (Context ctx = builder(engine).build()) {
                dev.rloop.RLoop.install(ctx);
                long built = System.nanoTime();
                ctx.eval("python", HELLO);
                long done = System.nanoTime();
                System.out.printf("context %2d: build %.3f s, hello %.3f s, total %.3f s (%.2f s since JVM start)%n",
                    i, (built - start) / 1e9, (done - built) / 1e9, (done - start) / 1e9, sinceJvmStart());
            }
        }
        engine.close();
    }
}
