package dev.rloop;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import dev.rloop.jvm.GeneratorPublisher;
import dev.rloop.jvm.JavaCompletions;
import dev.rloop.jvm.PublisherItems;
import dev.rloop.process.ChildProcess;
import dev.rloop.process.StandardStreams;

/**
 * The one Java object the {@code rloop} Python package needs: it is put into the context's
 * polyglot bindings as {@value #BINDING}, so Python reaches the loop core without host class
 * lookup (which {@code GraalPyResources} contexts do not allow).
 */
public final class PythonBridge {
    public static final String BINDING = "rloop.bridge";

    private final StandardStreams streams;

    /** The bridge of a program whose standard streams are {@code streams}. */
    PythonBridge(StandardStreams streams) {
        this.streams = streams;
    }

    @HostAccess.Export
    public LoopCore newCore() {
        return new LoopCore();
    }

    /** Returns null on success, or the reason the JVM refuses to handle the signal. */
    @HostAccess.Export
    public String installSignal(int number, String name, Value deliver) {
        try {
            SignalBridge.install(number, name, deliver);
            return null;
        } catch (IllegalArgumentException e) {
            return String.valueOf(e.getMessage());
        }
    }

    @HostAccess.Export
    public void uninstallSignal(int number, String name) {
        SignalBridge.uninstall(number, name);
    }

    /** The JVM's working directory (a program's own may differ in the launcher's daemon). */
    @HostAccess.Export
    public String jvmWorkingDirectory() {
        return System.getProperty("user.dir");
    }

    /** Java outcomes for the loop of {@code core} ({@code rloop.java}). */
    @HostAccess.Export
    public JavaCompletions newCompletions(LoopCore core) {
        return new JavaCompletions(core);
    }

    /** {@code rloop.java.aiter}: a subscriber of {@code publisher}, or null if it is no publisher. */
    @HostAccess.Export
    public PublisherItems subscribeTo(JavaCompletions completions, Object publisher, int batch) {
        return PublisherItems.subscribe(completions, publisher, batch);
    }

    /** {@code rloop.java.publisher}: the Java face of an async generator's publishing task. */
    @HostAccess.Export
    public GeneratorPublisher newGeneratorPublisher(JavaCompletions completions, String description) {
        return GeneratorPublisher.create(completions, description);
    }

    /**
     * {@code loop.subprocess_exec}: starts a child process ({@link ChildProcess#start}); the
     * {@link ChildProcess}, or the errno when it did not start.
     */
    @HostAccess.Export
    public Object spawn(LoopCore core, int id, int[] pipeIds, String[] argv, String cwd, String[] env,
                        int[] modes, String[] paths) {
        return ChildProcess.start(core, id, pipeIds, argv, cwd, env, modes, paths, streams);
    }

    /** The program's standard streams, for {@code connect_read_pipe(sys.stdin)} and the like. */
    @HostAccess.Export
    public StandardStreams standardStreams() {
        return streams;
    }
}
