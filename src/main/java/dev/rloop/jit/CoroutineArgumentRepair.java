package dev.rloop.jit;

import java.lang.ref.WeakReference;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.compiler.TruffleCompilable;
import com.oracle.truffle.compiler.TruffleCompilerListener.CompilationResultInfo;
import com.oracle.truffle.compiler.TruffleCompilerListener.GraphInfo;
import com.oracle.truffle.runtime.AbstractCompilationTask;
import com.oracle.truffle.runtime.OptimizedCallTarget;
import com.oracle.truffle.runtime.OptimizedTruffleRuntime;
import com.oracle.truffle.runtime.OptimizedTruffleRuntimeListener;

/**
 * Keeps a Python coroutine (or generator) that reads an {@code int}, {@code float} or {@code bool}
 * argument after its first suspension from being left to the interpreter for good by a
 * deoptimization cycle in GraalPy 25.0's bytecode interpreter.
 *
 * <p>GraalPy types each local variable of a code object ({@code variableTypes} of its
 * {@code PBytecodeRootNode}, read as a compilation constant) and stores an {@code int} argument
 * unboxed in the frame in compiled code. A coroutine's arguments are copied into its frame by the
 * code that creates the coroutine, the coroutine function's own call target
 * ({@code PBytecodeGeneratorFunctionRootNode}, often inlined into its callers); the body runs in
 * separate call targets, one per point of resumption. When a resumption finds the argument's slot
 * holding what its type does not expect, it generalizes the variable to "object" and deoptimizes
 * itself, but not the creating code, which was compiled with the old type and goes on storing the
 * argument unboxed. The resumption, compiled again for "object", meets the unboxed slot again:
 * deoptimization, recompilation, and after 15 rounds Graal's deopt-cycle detection fails it for
 * good. Measured with {@code async def echo(v): await asyncio.sleep(0); return v} called with ints
 * and compiled in the foreground: its resumption was compiled 16 times and given up, while the
 * coroutine function's target was compiled once and never again. asyncio's {@code sleep},
 * {@code wait_for}, {@code open_connection} and a gather of {@code one(i)} coroutines ran
 * interpreted in the benchmarks for this reason.
 *
 * <p>The repair is the invalidation GraalPy leaves out: a compilation listener remembers the
 * argument types each coroutine function's target was compiled with (on its own, or inlined into
 * a caller), and when one of its resumptions comes to be compiled again after those types
 * changed, it invalidates that target, and with it (through Truffle's node-rewriting assumption)
 * every compiled caller that inlined it. The next creating code is compiled with the generalized
 * type and stores the argument boxed, which is what the resumption expects.
 *
 * <p>The types are GraalPy-internal: reaching them needs
 * {@code --add-opens org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED} and the
 * Truffle runtime's package (the launcher, the daemon and packaged apps pass both). Without them,
 * or without an optimizing runtime, or when GraalPy's classes are not what is expected, nothing is
 * installed and {@link #install()} says why. {@code RLOOP_COROUTINE_ARGUMENT_REPAIR=0} (or the
 * system property {@code rloop.coroutineArgumentRepair=false}) turns it off.
 */
public final class CoroutineArgumentRepair {
    private static final String BYTECODE_PACKAGE = "com.oracle.graal.python.nodes.bytecode.";

    private static String status;

    private CoroutineArgumentRepair() {
    }

    /**
     * Installs the repair once per JVM; returns null when it is installed, else why it is not.
     * Later calls return the first call's answer.
     */
    public static synchronized String install() {
        if (status == null) {
            status = tryInstall();
        }
        return status.isEmpty() ? null : status;
    }

    private static String tryInstall() {
        try {
            OptimizedTruffleRuntime runtime = OptimizingRuntime.forRepair(
                    "RLOOP_COROUTINE_ARGUMENT_REPAIR", "rloop.coroutineArgumentRepair");
            ClassLoader loader = runtime.getClass().getClassLoader();
            GraalPyBytecode bytecode = new GraalPyBytecode(
                    findClass(BYTECODE_PACKAGE + "PBytecodeRootNode", loader),
                    findClass(BYTECODE_PACKAGE + "PBytecodeGeneratorFunctionRootNode", loader),
                    findClass(BYTECODE_PACKAGE + "PBytecodeGeneratorRootNode", loader));
            runtime.addListener(new Listener(bytecode));
        } catch (OptimizingRuntime.Unavailable e) {
            return e.getMessage();
        } catch (ClassNotFoundException e) {
            return "GraalPy's bytecode interpreter is not visible to rloop: " + e.getMessage();
        } catch (ReflectiveOperationException e) {
            return "this GraalPy's bytecode interpreter is not the one the repair knows: " + e;
        } catch (LinkageError | RuntimeException e) {
            return "GraalPy's or Truffle's internals are out of rloop's reach: " + e;
        }
        return "";
    }

    private static Class<?> findClass(String name, ClassLoader runtimeLoader) throws ClassNotFoundException {
        try {
            return Class.forName(name, false, CoroutineArgumentRepair.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Class.forName(name, false, runtimeLoader);
        }
    }

    /** The members of GraalPy's bytecode root nodes the repair reads, opened once. */
    static final class GraalPyBytecode {
        final Class<?> functionRoot;
        final Class<?> resumeRoot;
        private final Field variableTypes;
        private final Method bytecodeOfFunction;
        private final Method bytecodeOfResume;

        GraalPyBytecode(Class<?> bytecodeRoot, Class<?> functionRoot, Class<?> resumeRoot)
                throws ReflectiveOperationException {
            this.functionRoot = functionRoot;
            this.resumeRoot = resumeRoot;
            variableTypes = bytecodeRoot.getDeclaredField("variableTypes");
            if (variableTypes.getType() != byte[].class) {
                throw new NoSuchFieldException("PBytecodeRootNode.variableTypes is a " + variableTypes.getType());
            }
            bytecodeOfFunction = functionRoot.getMethod("getBytecodeRootNode");
            bytecodeOfResume = resumeRoot.getMethod("getBytecodeRootNode");
            for (var member : new AccessibleObject[] {variableTypes, bytecodeOfFunction, bytecodeOfResume}) {
                if (!member.trySetAccessible()) {
                    throw new IllegalStateException("GraalPy's bytecode package is not open to rloop (add "
                            + "--add-opens org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED)");
                }
            }
        }

        /** The shared bytecode root behind a coroutine function's target or a resumption's, else null. */
        Object bytecodeRootOf(RootNode root) throws ReflectiveOperationException {
            if (functionRoot.isInstance(root)) {
                return bytecodeOfFunction.invoke(root);
            }
            if (resumeRoot.isInstance(root)) {
                return bytecodeOfResume.invoke(root);
            }
            return null;
        }

        /**
         * A copy of the types of the code's local variables now, or null before its first call.
         * The arguments come first; the other variables are compared too, since the argument
         * count is in a GraalPy package the repair is not opened to (a change to another
         * variable costs the creating code one needless compilation: types only widen).
         */
        byte[] variableTypes(Object bytecodeRoot) throws ReflectiveOperationException {
            byte[] types = (byte[]) variableTypes.get(bytecodeRoot);
            return types == null ? null : types.clone();
        }
    }

    /**
     * Invalidates a coroutine function's compiled creating code once the argument types it was
     * compiled with have changed, when one of the coroutine's resumptions is compiled again.
     */
    private static final class Listener implements OptimizedTruffleRuntimeListener {
        private final GraalPyBytecode bytecode;
        /**
         * Per bytecode root: the creating target and the argument types the oldest of its still
         * valid compilations used (weak: code comes and goes; the target is held weakly too, since
         * it holds its bytecode root).
         */
        private final Map<Object, Compiled> compiled = new WeakHashMap<>();

        private record Compiled(WeakReference<OptimizedCallTarget> creator, byte[] variableTypes) {
        }

        Listener(GraalPyBytecode bytecode) {
            this.bytecode = bytecode;
        }

        @Override
        public void onCompilationStarted(OptimizedCallTarget target, AbstractCompilationTask task) {
            // a resumption compiled again is the sign of a possible cycle; the check is cheap
            // and runs once per compilation, never on the loop's path
            if (bytecode.resumeRoot.isInstance(target.getRootNode())) {
                try {
                    invalidateStaleCreator(bytecode.bytecodeRootOf(target.getRootNode()));
                } catch (ReflectiveOperationException e) {
                    // GraalPy changed under the repair: leave the code as it is
                }
            }
        }

        @Override
        public void onCompilationSuccess(OptimizedCallTarget target, AbstractCompilationTask task,
                                         GraphInfo graph, CompilationResultInfo result) {
            noteCreator(target);
            // the creating code is usually inlined into the caller that awaits the coroutine
            for (TruffleCompilable inlined : task.inlinedTargets()) {
                if (inlined instanceof OptimizedCallTarget t) {
                    noteCreator(t);
                }
            }
        }

        private void noteCreator(OptimizedCallTarget target) {
            RootNode root = target.getRootNode();
            if (!bytecode.functionRoot.isInstance(root)) {
                return;
            }
            try {
                Object code = bytecode.bytecodeRootOf(root);
                byte[] types = bytecode.variableTypes(code);
                if (types == null) {
                    return;
                }
                synchronized (compiled) {
                    // keep the oldest types: code compiled with them may still run somewhere
                    compiled.putIfAbsent(code, new Compiled(new WeakReference<>(target), types));
                }
            } catch (ReflectiveOperationException e) {
                // GraalPy changed under the repair: leave the code as it is
            }
        }

        private void invalidateStaleCreator(Object code) throws ReflectiveOperationException {
            if (code == null) {
                return;
            }
            Compiled seen;
            synchronized (compiled) {
                seen = compiled.get(code);
            }
            if (seen == null || Arrays.equals(seen.variableTypes(), bytecode.variableTypes(code))) {
                return;
            }
            synchronized (compiled) {
                compiled.remove(code);
            }
            OptimizedCallTarget creator = seen.creator().get();
            if (creator != null) {
                // invalidates the target's code and, through its node-rewriting assumption, every
                // caller's code that inlined it; no node is replaced, so none is passed
                creator.nodeReplaced(null, null, "rloop: a coroutine's argument types were generalized");
            }
        }
    }
}
