package dev.rloop.jit;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.compiler.TruffleCompilerListener.CompilationResultInfo;
import com.oracle.truffle.compiler.TruffleCompilerListener.GraphInfo;
import com.oracle.truffle.runtime.AbstractCompilationTask;
import com.oracle.truffle.runtime.OptimizedCallTarget;
import com.oracle.truffle.runtime.OptimizedTruffleRuntime;
import com.oracle.truffle.runtime.OptimizedTruffleRuntimeListener;

/**
 * Keeps Python coroutines (and generators) whose local variables hold {@code int}, {@code float}
 * or {@code bool} values across a suspension from being left to the interpreter for good by a
 * deoptimization cycle in GraalPy 25.0's bytecode interpreter.
 *
 * <p>GraalPy types each local variable of a code object ({@code variableTypes} of its
 * {@code PBytecodeRootNode}, read as a compilation constant) and in compiled code stores such
 * values unboxed in the frame. A coroutine's code runs in several call targets that share one
 * frame and one set of types: the coroutine function's own target, which creates the coroutine and
 * copies the arguments into its frame ({@code PBytecodeGeneratorFunctionRootNode}, often inlined
 * into the caller that awaits it), and one target per point of resumption
 * ({@code PBytecodeGeneratorRootNode}). When one of them meets a slot holding what it was not
 * compiled for, it generalizes the variable to "object" and deoptimizes itself, but not the
 * others: those compiled with the old type go on storing the value unboxed, the code compiled
 * again for "object" meets an unboxed slot again, and after 15 rounds Graal's deopt-cycle
 * detection fails it for good. Measured with {@code async def echo(v): await pause(); return v}
 * called with ints and compiled in the foreground: its resumption was compiled 16 times and given
 * up, while the coroutine function's target, which stores {@code v}, was compiled once and never
 * again. asyncio's {@code sleep}, {@code wait_for}, {@code open_connection} and a gather of
 * {@code one(i)} coroutines ran interpreted in the benchmarks for this reason.
 *
 * <p>The repair is the invalidation GraalPy leaves out: a compilation listener remembers the
 * variable types each such target was compiled with (on its own, or inlined into a caller), and
 * when any target of the same code object comes to be compiled again after those types changed,
 * it invalidates the targets compiled with the old ones, and with them (through Truffle's
 * node-rewriting assumption) every compiled caller that inlined one. Their next compilation uses
 * the generalized types, which is what the code that generalized them expects.
 *
 * <p>The types are GraalPy-internal: reaching them needs
 * {@code --add-opens org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED}, and
 * invalidating a target's inlined copies {@code --add-opens
 * org.graalvm.truffle.runtime/com.oracle.truffle.runtime=ALL-UNNAMED} (launcher/jvm-flags has
 * both). Without them, or without an optimizing runtime, or when GraalPy's classes are not what is
 * expected, nothing is installed and {@link #install()} says why.
 * {@code RLOOP_COROUTINE_TYPES_REPAIR=0} (or the system property
 * {@code rloop.coroutineTypesRepair=false}) turns it off.
 */
public final class CoroutineTypesRepair {
    private static final String BYTECODE_PACKAGE = "com.oracle.graal.python.nodes.bytecode.";

    private static final OptimizingRuntime.Once INSTALLED = new OptimizingRuntime.Once(CoroutineTypesRepair::tryInstall);

    private CoroutineTypesRepair() {
    }

    /**
     * Installs the repair once per JVM; returns null when it is installed, else why it is not.
     * Later calls return the first call's answer.
     */
    public static String install() {
        return INSTALLED.answer();
    }

    private static String tryInstall() {
        try {
            OptimizedTruffleRuntime runtime = OptimizingRuntime.forRepair(
                    "RLOOP_COROUTINE_TYPES_REPAIR", "rloop.coroutineTypesRepair");
            ClassLoader loader = runtime.getClass().getClassLoader();
            GraalPyBytecode bytecode = new GraalPyBytecode(
                    findClass(BYTECODE_PACKAGE + "PBytecodeRootNode", loader),
                    findClass(BYTECODE_PACKAGE + "PBytecodeGeneratorFunctionRootNode", loader),
                    findClass(BYTECODE_PACKAGE + "PBytecodeGeneratorRootNode", loader));
            Method inlinedCopies = OptimizedCallTarget.class.getDeclaredMethod("invalidateNodeRewritingAssumption");
            if (!inlinedCopies.trySetAccessible()) {
                return "Truffle's runtime package is not open to rloop (add --add-opens "
                        + "org.graalvm.truffle.runtime/com.oracle.truffle.runtime=ALL-UNNAMED)";
            }
            runtime.addListener(new Listener(bytecode, inlinedCopies));
        } catch (OptimizingRuntime.Unavailable e) {
            return e.getMessage();
        } catch (ClassNotFoundException e) {
            return "GraalPy's bytecode interpreter is not visible to rloop: " + e.getMessage();
        } catch (ReflectiveOperationException e) {
            return "this GraalPy or Truffle is not the one the repair knows: " + e;
        } catch (LinkageError | RuntimeException e) {
            return "GraalPy's or Truffle's internals are out of rloop's reach: " + e;
        }
        return "";
    }

    private static Class<?> findClass(String name, ClassLoader runtimeLoader) throws ClassNotFoundException {
        try {
            return Class.forName(name, false, CoroutineTypesRepair.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Class.forName(name, false, runtimeLoader);
        }
    }

    /** The members of GraalPy's bytecode root nodes the repair reads, opened once. */
    static final class GraalPyBytecode {
        private final Class<?> functionRoot;
        private final Class<?> resumeRoot;
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
            for (AccessibleObject member : new AccessibleObject[] {variableTypes, bytecodeOfFunction, bytecodeOfResume}) {
                if (!member.trySetAccessible()) {
                    throw new IllegalStateException("GraalPy's bytecode package is not open to rloop (add "
                            + "--add-opens org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED)");
                }
            }
        }

        /**
         * The code object (its shared bytecode root) behind a coroutine function's target or a
         * resumption's, else null: plain functions keep their locals in their own frame and
         * unbox them on entry, so only code split over several targets can disagree.
         */
        Object codeOf(RootNode root) throws ReflectiveOperationException {
            if (functionRoot.isInstance(root)) {
                return bytecodeOfFunction.invoke(root);
            }
            if (resumeRoot.isInstance(root)) {
                return bytecodeOfResume.invoke(root);
            }
            return null;
        }

        /** A copy of the code's variable types now, or null before its first call. */
        byte[] variableTypes(Object code) throws ReflectiveOperationException {
            byte[] types = (byte[]) variableTypes.get(code);
            return types == null ? null : types.clone();
        }
    }

    /**
     * Invalidates the compiled targets of a coroutine's code whose variable types are out of date,
     * when one of its targets is compiled again.
     */
    private static final class Listener implements OptimizedTruffleRuntimeListener {
        private final GraalPyBytecode bytecode;
        private final Method inlinedCopies;
        /**
         * Per code object, per target compiled from it (on its own or inlined): the variable types
         * of the oldest of its compilations that may still run. Weak at both levels: code and
         * targets come and go (a target holds its code, so the code's entry goes with the last).
         */
        private final Map<Object, Map<OptimizedCallTarget, byte[]>> compiled = new WeakHashMap<>();

        Listener(GraalPyBytecode bytecode, Method inlinedCopies) {
            this.bytecode = bytecode;
            this.inlinedCopies = inlinedCopies;
        }

        @Override
        public void onCompilationStarted(OptimizedCallTarget target, AbstractCompilationTask task) {
            // once per compilation, never on the loop's path
            try {
                Object code = bytecode.codeOf(target.getRootNode());
                if (code != null) {
                    invalidateStale(code, target);
                }
            } catch (ReflectiveOperationException e) {
                // GraalPy changed under the repair: leave the code as it is
            }
        }

        @Override
        public void onCompilationSuccess(OptimizedCallTarget target, AbstractCompilationTask task,
                                         GraphInfo graph, CompilationResultInfo result) {
            note(target);
            // a coroutine function's target is usually inlined into the caller that awaits it
            OptimizingRuntime.forEachInlined(task, this::note);
        }

        private void note(OptimizedCallTarget target) {
            try {
                Object code = bytecode.codeOf(target.getRootNode());
                byte[] types = code == null ? null : bytecode.variableTypes(code);
                if (types == null) {
                    return;
                }
                synchronized (compiled) {
                    // keep the oldest types: code compiled with them may still run somewhere
                    compiled.computeIfAbsent(code, c -> new WeakHashMap<>()).putIfAbsent(target, types);
                }
            } catch (ReflectiveOperationException e) {
                // GraalPy changed under the repair: leave the code as it is
            }
        }

        private void invalidateStale(Object code, OptimizedCallTarget compiling)
                throws ReflectiveOperationException {
            byte[] now = bytecode.variableTypes(code);
            if (now == null) {
                return;
            }
            List<OptimizedCallTarget> stale = new ArrayList<>();
            synchronized (compiled) {
                Map<OptimizedCallTarget, byte[]> targets = compiled.get(code);
                if (targets == null) {
                    return;
                }
                for (var it = targets.entrySet().iterator(); it.hasNext(); ) {
                    var entry = it.next();
                    if (!Arrays.equals(entry.getValue(), now)) {
                        stale.add(entry.getKey());
                        it.remove();
                    }
                }
            }
            for (OptimizedCallTarget target : stale) {
                // the callers' copies go through the node-rewriting assumption Graal records for
                // every inlined target; the target's own code, unless it is the one being compiled
                // now (invalidating that would cancel the compilation that brings it up to date)
                inlinedCopies.invoke(target);
                if (target != compiling) {
                    target.invalidate("rloop: a coroutine's variable types were generalized");
                }
            }
        }
    }
}
