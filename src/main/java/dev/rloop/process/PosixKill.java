package dev.rloop.process;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * {@code kill(2)}: any signal to any process, where {@link Process} offers only SIGTERM
 * ({@code destroy}) and SIGKILL ({@code destroyForcibly}).
 *
 * <p>Through the FFM API (JDK 22+): one downcall, about a microsecond, with errno captured.
 * Where native access is refused (a JVM run with {@code --illegal-native-access=deny} and
 * without {@code --enable-native-access}), it falls back to the {@code kill} command, a process
 * of its own per signal (about 1-2 ms), whose exit status tells only whether it worked.
 */
final class PosixKill {
    static final int ESRCH = 3;
    static final int EPERM = 1;
    static final int EINVAL = 22;

    private static final MethodHandle KILL;
    private static final VarHandle ERRNO;
    private static final StructLayout STATE;

    static {
        MethodHandle kill = null;
        VarHandle errno = null;
        StructLayout state = null;
        try {
            Linker linker = Linker.nativeLinker();
            state = Linker.Option.captureStateLayout();
            errno = state.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
            kill = linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
        } catch (Throwable e) {
            kill = null; // no native access: the kill command below
        }
        KILL = kill;
        ERRNO = errno;
        STATE = state;
    }

    private PosixKill() {}

    /** Sends {@code signal} to {@code pid}: 0, or the errno ({@link #ESRCH}: no such process). */
    static int kill(long pid, int signal) {
        if (KILL != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment captured = arena.allocate(STATE);
                int r = (int) KILL.invokeExact(captured, (int) pid, signal);
                return r == 0 ? 0 : (int) ERRNO.get(captured, 0L);
            } catch (Throwable e) {
                // a refused native call (IllegalCallerException): the command does it
            }
        }
        return killCommand(pid, signal);
    }

    private static int killCommand(long pid, int signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return EINVAL;
            }
            if (p.exitValue() == 0) {
                return 0;
            }
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? EPERM : ESRCH;
        } catch (IOException e) {
            return EINVAL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EINVAL;
        }
    }
}
