package dev.rloop;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * The one Java object the {@code rloop} Python package needs: it is put into the context's
 * polyglot bindings as {@value #BINDING}, so Python reaches the loop core without host class
 * lookup (which {@code GraalPyResources} contexts do not allow).
 */
public final class PythonBridge {
    public static final String BINDING = "rloop.bridge";

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
}
