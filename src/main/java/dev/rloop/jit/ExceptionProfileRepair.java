package dev.rloop.jit;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.WeakHashMap;

import com.oracle.truffle.compiler.TruffleCompilerListener.CompilationResultInfo;
import com.oracle.truffle.compiler.TruffleCompilerListener.GraphInfo;
import com.oracle.truffle.runtime.AbstractCompilationTask;
import com.oracle.truffle.runtime.OptimizedCallTarget;
import com.oracle.truffle.runtime.OptimizedTruffleRuntime;
import com.oracle.truffle.runtime.OptimizedTruffleRuntimeListener;

/**
 * Keeps a Python coroutine that both returns and raises from being left to the interpreter for
 * good by a deoptimization cycle in Truffle's exception profile (seen in the bytecode of Truffle
 * 25.0.3, 25.0.4 and 25.2.4).
 *
 * <p>Each compiled call target profiles the exceptions that leave it ({@code exceptionProfile} in
 * {@code OptimizedCallTarget}): 1 when only Truffle exceptions (a Python exception, a
 * {@code PException}) have left, 2 when only control-flow exceptions have, 3 for anything. A
 * profile that meets the other kind is not widened to 3 but switched to that kind, with a
 * deoptimization. GraalPy ends a generator or coroutine step that returns with a control-flow
 * exception ({@code GeneratorReturnException}) and one that raises with a {@code PException}, so a
 * coroutine that usually returns and sometimes raises (asyncio's {@code readexactly}, raising
 * {@code IncompleteReadError} when a peer closes) deoptimizes at every switch, is compiled again,
 * and after 15 compilations Graal's deopt-cycle detection fails it permanently: it then runs in
 * the interpreter for the rest of the process. Measured on the streams echo benchmark (one
 * {@code IncompleteReadError} per round, on the server side): {@code readexactly}'s resumption
 * failed within the first minute, and 16% of the loop thread's samples on a warmed 50-connection
 * echo were in the interpreter under it (perf, with {@code -XX:+DumpPerfMapAtExit}).
 *
 * <p>The repair is the widening Truffle leaves out: a compilation listener notes each call
 * target's profile kind when it is compiled (on its own, or inlined into a caller), and when the
 * target comes to be compiled again with the other kind, sets its profile to 3 (any exception),
 * so that the code compiled next is stable. Only targets that have seen both kinds change; code
 * for them treats the exceptions that leave them as any {@code Throwable}, which is what Truffle
 * does for every other mix.
 *
 * <p>The field is Truffle-internal: reaching it needs
 * {@code --add-opens org.graalvm.truffle.runtime/com.oracle.truffle.runtime=ALL-UNNAMED} (the
 * launcher, the daemon and packaged apps pass it). Without it, or without an optimizing runtime
 * (interpreted Truffle), or when the field is not what is expected, nothing is installed and
 * {@link #install()} says why. {@code RLOOP_EXCEPTION_PROFILE_REPAIR=0} (or the system property
 * {@code rloop.exceptionProfileRepair=false}) turns it off.
 */
public final class ExceptionProfileRepair {
    /** The profile values of Truffle 25.0-25.2's {@code OptimizedCallTarget.exceptionProfile}. */
    static final byte TRUFFLE_EXCEPTIONS = 1;
    static final byte CONTROL_FLOW = 2;
    static final byte ANY = 3;

    private static final OptimizingRuntime.Once INSTALLED = new OptimizingRuntime.Once(ExceptionProfileRepair::tryInstall);

    private ExceptionProfileRepair() {
    }

    /**
     * Installs the repair once per JVM; returns null when it is installed, else why it is not.
     * Later calls return the first call's answer.
     */
    public static String install() {
        return INSTALLED.answer();
    }

    private static String tryInstall() {
        Field profile;
        try {
            OptimizedTruffleRuntime runtime = OptimizingRuntime.forRepair(
                    "RLOOP_EXCEPTION_PROFILE_REPAIR", "rloop.exceptionProfileRepair");
            profile = OptimizedCallTarget.class.getDeclaredField("exceptionProfile");
            if (profile.getType() != byte.class) {
                return "OptimizedCallTarget.exceptionProfile is a " + profile.getType() + ", not a byte";
            }
            if (!profile.trySetAccessible()) {
                return "Truffle's runtime package is not open to rloop (add --add-opens "
                        + "org.graalvm.truffle.runtime/com.oracle.truffle.runtime=ALL-UNNAMED)";
            }
            runtime.addListener(new Listener(profile));
        } catch (OptimizingRuntime.Unavailable e) {
            return e.getMessage();
        } catch (NoSuchFieldException e) {
            return "this Truffle has no OptimizedCallTarget.exceptionProfile";
        } catch (LinkageError | RuntimeException e) {
            return "Truffle's runtime is out of rloop's reach: " + e;
        }
        return "";
    }

    /**
     * Widens a call target's profile once it has been compiled (on its own or inlined into a
     * caller) with one kind and is about to be, or has just been, compiled with the other.
     */
    private static final class Listener implements OptimizedTruffleRuntimeListener {
        private final Field profile;
        /** The profile kind each target had when last compiled (weak: targets come and go). */
        private final Map<OptimizedCallTarget, Byte> compiledWith = new WeakHashMap<>();

        Listener(Field profile) {
            this.profile = profile;
        }

        @Override
        public void onCompilationStarted(OptimizedCallTarget target, AbstractCompilationTask task) {
            note(target);
        }

        @Override
        public void onCompilationSuccess(OptimizedCallTarget target, AbstractCompilationTask task,
                                         GraphInfo graph, CompilationResultInfo result) {
            // a target inlined into a caller switches its profile in the caller's code, and may
            // never be compiled on its own: the caller's compilation is where it is seen again
            OptimizingRuntime.forEachInlined(task, this::note);
        }

        private void note(OptimizedCallTarget target) {
            try {
                byte now = profile.getByte(target);
                if (now != TRUFFLE_EXCEPTIONS && now != CONTROL_FLOW) {
                    return;
                }
                Byte before;
                synchronized (compiledWith) {
                    before = compiledWith.put(target, now);
                }
                if (before != null && before != now) {
                    profile.setByte(target, ANY);
                }
            } catch (IllegalAccessException e) {
                // cannot happen once trySetAccessible succeeded; leave the target as it is
            }
        }
    }
}
