package dev.rloop.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.SelectionKey;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.HostAccess;

import dev.rloop.LoopCore;

/**
 * A child process of the loop ({@code loop.subprocess_exec}): a {@link ProcessBuilder} process
 * whose pipes are {@link ReadPipe}s and a {@link WritePipe} pumped by virtual threads, and whose
 * exit ({@link Process#onExit()}) is posted to the loop under the process transport's id.
 *
 * <p>The return code follows CPython: the exit status, or {@code -N} for a death by signal N.
 * Java reports a death by signal as {@code 128 + N}, the same number as {@code exit(128 + N)};
 * so {@code -N} is reported when the loop itself sent signal N to the child (terminate, kill,
 * send_signal) and the status is {@code 128 + N}, and {@code 128 + N} otherwise.
 */
public final class ChildProcess {
    /** Where a standard stream goes; {@code rloop._process} uses the same numbers. */
    static final int PIPE = 0, DEVNULL = 1, INHERIT = 2, STDOUT = 3, FILE_READ = 4, FILE_APPEND = 5;
    private static final Pattern ERRNO = Pattern.compile("error[=:] ?(\\d+)");
    private static final File DEV_NULL = new File("/dev/null");

    private final Process process;
    private final WritePipe stdin;
    private final ReadPipe stdout;
    private final ReadPipe stderr;
    private final Set<Integer> signalled = ConcurrentHashMap.newKeySet();

    private ChildProcess(Process process, WritePipe stdin, ReadPipe stdout, ReadPipe stderr) {
        this.process = process;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code argv} in {@code cwd} with exactly {@code env} ("NAME=value" entries).
     * {@code modes} and {@code paths} say where stdin, stdout and stderr go; a {@code PIPE} gets
     * a pipe object under the id in {@code pipeIds}, and the exit is posted under {@code id}.
     * Returns the {@link ChildProcess}, or the errno (an {@code Integer}) when it did not start.
     */
    public static Object start(LoopCore core, int id, int[] pipeIds, String[] argv, String cwd, String[] env,
                               int[] modes, String[] paths, StandardStreams host) {
        ProcessBuilder pb = new ProcessBuilder(Arrays.asList(argv)).directory(new File(cwd));
        Map<String, String> environment = pb.environment();
        environment.clear();
        for (String entry : env) {
            int eq = entry.indexOf('=', 1);
            if (eq > 0) {
                environment.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        // a standard stream the child cannot inherit (the daemon's program's) is piped and
        // pumped into the program's own by Java
        boolean[] relay = new boolean[3];
        for (int fd = 0; fd < 3; fd++) {
            relay[fd] = modes[fd] == INHERIT && !host.inheritable();
        }
        pb.redirectInput(relay[0] ? Redirect.PIPE : input(modes[0], paths[0]));
        pb.redirectOutput(relay[1] ? Redirect.PIPE : output(modes[1], paths[1]));
        if (modes[2] == STDOUT) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(relay[2] ? Redirect.PIPE : output(modes[2], paths[2]));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Matcher m = ERRNO.matcher(String.valueOf(e.getMessage()));
            return m.find() ? Integer.parseInt(m.group(1)) : 5; // EIO when Java gives no errno
        }
        String name = p.pid() + "";
        WritePipe in = modes[0] == PIPE ? new WritePipe(core, pipeIds[0], p.getOutputStream(), name + "-stdin") : null;
        ReadPipe out = modes[1] == PIPE ? new ReadPipe(core, pipeIds[1], p.getInputStream(), name + "-stdout") : null;
        ReadPipe err = modes[2] == PIPE ? new ReadPipe(core, pipeIds[2], p.getErrorStream(), name + "-stderr") : null;
        if (relay[0]) {
            relay(host.in(), p.getOutputStream(), name + "-stdin-relay", true);
        }
        if (relay[1]) {
            relay(p.getInputStream(), host.out(), name + "-stdout-relay", false);
        }
        if (relay[2]) {
            relay(p.getErrorStream(), host.err(), name + "-stderr-relay", false);
        }
        ChildProcess child = new ChildProcess(p, in, out, err);
        p.onExit().thenRun(() -> {
            if (in != null) {
                in.readerGone();
            }
            core.post(id, SelectionKey.OP_READ);
        });
        return child;
    }

    private static Redirect input(int mode, String path) {
        return switch (mode) {
            case PIPE -> Redirect.PIPE;
            case DEVNULL -> Redirect.from(DEV_NULL);
            case FILE_READ -> Redirect.from(new File(path));
            default -> Redirect.INHERIT;
        };
    }

    private static Redirect output(int mode, String path) {
        return switch (mode) {
            case PIPE -> Redirect.PIPE;
            case DEVNULL -> Redirect.DISCARD;
            case FILE_APPEND -> Redirect.appendTo(new File(path));
            default -> Redirect.INHERIT;
        };
    }

    /** Copies {@code from} into {@code to} on a virtual thread until either ends. */
    private static void relay(InputStream from, OutputStream to, String name, boolean closeTo) {
        Thread.ofVirtual().name("rloop-relay-" + name).start(() -> {
            byte[] buf = new byte[ReadPipe.CHUNK];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException ignored) {
                // the child or the program's stream has gone: nothing more to copy
            } finally {
                try {
                    if (closeTo) {
                        to.close();
                    } else {
                        from.close();
                    }
                } catch (IOException ignored) {
                    // closing a pipe that already failed
                }
            }
        });
    }

    @HostAccess.Export
    public long pid() {
        return process.pid();
    }

    @HostAccess.Export
    public WritePipe stdin() {
        return stdin;
    }

    @HostAccess.Export
    public ReadPipe stdout() {
        return stdout;
    }

    @HostAccess.Export
    public ReadPipe stderr() {
        return stderr;
    }

    /** Whether the child has exited (and been reaped). */
    @HostAccess.Export
    public boolean exited() {
        return !process.isAlive();
    }

    /** The return code as CPython gives it (see the class comment); call once {@link #exited()}. */
    @HostAccess.Export
    public int returnCode() {
        int status = process.exitValue();
        int signal = status - 128;
        if (signal > 0 && signal < 65 && signalled.contains(signal)) {
            return -signal;
        }
        return status;
    }

    /** Blocks up to {@code seconds} (negative: no limit) for the exit; whether it came. */
    @HostAccess.Export
    public boolean waitFor(double seconds) throws InterruptedException {
        if (seconds < 0) {
            process.waitFor();
            return true;
        }
        return process.waitFor((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    }

    /** Sends {@code signal} ({@code kill(2)}): 0, or the errno (3, ESRCH, once it has gone). */
    @HostAccess.Export
    public int signal(int signal) {
        if (!process.isAlive()) {
            return PosixKill.ESRCH;
        }
        signalled.add(signal);
        return PosixKill.kill(process.pid(), signal);
    }

    /** Closes the pipes (a start that failed after the process began). */
    @HostAccess.Export
    public void closePipes() {
        if (stdin != null) {
            stdin.close();
        }
        if (stdout != null) {
            stdout.close();
        }
        if (stderr != null) {
            stderr.close();
        }
    }
}
