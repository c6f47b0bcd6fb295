package dev.rloop.boot;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs the app's JVM as a child that shares this process's standard streams, and passes its exit
 * status on.
 *
 * <p>Ctrl-C in a terminal sends SIGINT to the whole foreground process group, so the child (where
 * Python turns it into KeyboardInterrupt) gets it directly; this JVM ignores SIGINT so that it
 * stays to report the child's exit status instead of dying first. When this JVM is asked to stop
 * by other means (SIGTERM, SIGHUP), its shutdown hook stops the child too, so no app outlives its
 * launcher. The plugin's {@code run} goal starts apps the same way, from Maven's JVM.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Runs {@code command} to its end; returns its exit status (128 + N if killed by signal N). */
    public static int run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    /** The same, with {@code environment} added to this process's environment for the child. */
    public static int run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(environment);
        Process child = builder.start();
        ignoreSigint();
        Thread stopChild = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "rloop-stop-app");
        Runtime.getRuntime().addShutdownHook(stopChild);
        int status = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException shuttingDown) {
            // this JVM is exiting (SIGTERM) and the hook has stopped the child: nothing to undo
        }
        return status;
    }

    private static void ignoreSigint() {
        try {
            Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT on this platform (or the JVM runs with -Xrs): nothing to ignore
        }
    }
}
