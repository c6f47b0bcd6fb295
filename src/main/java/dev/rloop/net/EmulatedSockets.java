package dev.rloop.net;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the {@code java.nio} channel behind a socket that Python code made.
 *
 * <p>Embedded GraalPy emulates POSIX in Java: a Python socket's descriptor is an index into the
 * context's table of Java channels ({@code EmulatedPosixSupport}), and {@code select.select}
 * opens, fills and closes a fresh {@link java.nio.channels.Selector} on every call (20-28 us
 * here). GraalPy has no API for that table, so this reads it by reflection: the current
 * context's POSIX support, its {@code getFileChannel(fd)}, and the socket channel inside
 * GraalPy's socket object (a field of a {@link SelectableChannel} type). All of it is
 * GraalPy-internal, so every step is checked and anything unexpected makes the resolver
 * unavailable (or one descriptor unresolvable); the loop then waits in {@code select.select} as
 * before. Reaching the internals needs
 * {@code --add-opens org.graalvm.py/com.oracle.graal.python.runtime=ALL-UNNAMED} when GraalPy is
 * on the module path (the launcher and packaged apps pass it); on the class path it needs
 * nothing.
 */
final class EmulatedSockets {
    private static final String RUNTIME = "com.oracle.graal.python.runtime.";
    private static final EmulatedSockets INSTANCE = find();

    private final MethodHandle currentContext;  // () -> PythonContext of this thread
    private final MethodHandle posixSupport;    // PythonContext -> its POSIX support
    private final MethodHandle fileChannel;     // (PosixResources, int fd) -> Channel
    private final Class<?> emulated;            // EmulatedPosixSupport
    private final String unavailable;
    private final ClassValue<Field[]> channelFields = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> found = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers())
                            && SelectableChannel.class.isAssignableFrom(f.getType())
                            && f.trySetAccessible()) {
                        found.add(f);
                    }
                }
            }
            return found.toArray(new Field[0]);
        }
    };

    private EmulatedSockets(MethodHandle currentContext, MethodHandle posixSupport,
                            MethodHandle fileChannel, Class<?> emulated, String unavailable) {
        this.currentContext = currentContext;
        this.posixSupport = posixSupport;
        this.fileChannel = fileChannel;
        this.emulated = emulated;
        this.unavailable = unavailable;
    }

    private static EmulatedSockets find() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> context = Class.forName(RUNTIME + "PythonContext");
            Class<?> node = Class.forName("com.oracle.truffle.api.nodes.Node");
            Class<?> resources = Class.forName(RUNTIME + "PosixResources");
            Class<?> emulated = Class.forName(RUNTIME + "EmulatedPosixSupport");
            Method get = context.getMethod("get", node);
            Method posix = context.getMethod("getPosixSupport");
            Method channel = resources.getDeclaredMethod("getFileChannel", int.class);
            if (!get.trySetAccessible() || !posix.trySetAccessible() || !channel.trySetAccessible()) {
                return unavailable("GraalPy's runtime package is not open to rloop (add "
                        + "--add-opens org.graalvm.py/com.oracle.graal.python.runtime=ALL-UNNAMED)");
            }
            MethodHandle current = MethodHandles.insertArguments(lookup.unreflect(get), 0, (Object) null)
                    .asType(MethodType.methodType(Object.class));
            return new EmulatedSockets(current,
                    lookup.unreflect(posix).asType(MethodType.methodType(Object.class, Object.class)),
                    lookup.unreflect(channel).asType(MethodType.methodType(Object.class, Object.class, int.class)),
                    emulated, null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return unavailable("this GraalPy's POSIX emulation is not the one rloop knows (" + e + ")");
        }
    }

    private static EmulatedSockets unavailable(String why) {
        return new EmulatedSockets(null, null, null, null, why);
    }

    /** Null when sockets can be resolved; else why not. */
    static String unavailableReason() {
        return INSTANCE.unavailable;
    }

    /**
     * The selectable channel behind descriptor {@code fd} of the calling thread's Python context,
     * or null when there is none (not a socket, not yet connected or listening, a native POSIX
     * backend, or the resolver is unavailable). Call with the context entered (from Python).
     */
    static SelectableChannel channelOf(int fd) {
        return INSTANCE.resolve(fd);
    }

    private SelectableChannel resolve(int fd) {
        if (unavailable != null) {
            return null;
        }
        try {
            Object posix = posixSupport.invoke(currentContext.invoke());
            if (!emulated.isInstance(posix)) {
                return null;  // a native or logging POSIX backend: its descriptors are its own
            }
            Object channel = fileChannel.invoke(posix, fd);
            if (channel instanceof SelectableChannel selectable) {
                return selectable;
            }
            if (!(channel instanceof Channel)) {
                return null;
            }
            // GraalPy's socket object connects or listens under its own lock; read the same way
            synchronized (channel) {
                for (Field f : channelFields.get(channel.getClass())) {
                    if (f.get(channel) instanceof SelectableChannel selectable) {
                        return selectable;
                    }
                }
            }
            return null;
        } catch (LinkageError e) {
            return null;
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            return null;  // a socket closed meanwhile, or a field that is not what it was
        }
    }
}
