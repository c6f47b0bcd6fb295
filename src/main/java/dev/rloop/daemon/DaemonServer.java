package dev.rloop.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;

import dev.rloop.RLoop;

/**
 * The launcher's daemon: a long-lived JVM per user, build and slot that runs one program at a
 * time, each in a fresh context with an engine of its own (single-context GraalPy, as in a JVM of
 * the program's own), in a JVM whose classes are loaded and whose GraalPy interpreter HotSpot has
 * already compiled (docs/ARCHITECTURE.md, "The launcher's daemon").
 *
 * <pre>
 *   DaemonServer &lt;socket&gt; &lt;idle seconds&gt; &lt;warm-up runs&gt;
 * </pre>
 *
 * <p>It serves the Unix socket {@code <socket>} (owner-only, in an owner-only directory the
 * command made), holding {@code <socket>.lock} for its life so one daemon serves a slot. It exits
 * after {@code idle seconds} without a program, on a STOP request, on a signal while idle, and
 * after a program that left something behind a program of its own process would have taken with
 * it (Java threads, file descriptors, a nearly full heap): the next command then starts a new one.
 * While idle it runs up to {@code warm-up runs} throwaway asyncio programs
 * to finish compiling what every program's start executes; a command arriving cancels that.
 */
public final class DaemonServer {
    private static final String WARM_UP = String.join("\n",
            "import asyncio",
            "async def main():",
            "    await asyncio.sleep(0)",
            "    print('warm')",
            "asyncio.run(main())");

    /** Idle time before a warm-up run starts. */
    private static final long WARM_UP_PAUSE_MILLIS = 2000;

    private final Path socket;
    private final long idleMillis;
    private int warmUpsLeft;
    private volatile boolean stopping;
    private volatile int programsRun;          // written by one program thread at a time
    private volatile long idleSince;
    private volatile Running running;          // the program being run, or null
    private Selector selector;
    private WarmUp warmUp;

    private DaemonServer(Path socket, long idleMillis, int warmUps) {
        this.socket = socket;
        this.idleMillis = idleMillis;
        this.warmUpsLeft = warmUps;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: DaemonServer <socket> <idle seconds> <warm-up runs>");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        try (FileChannel lockFile = FileChannel.open(Path.of(args[0] + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                log("another daemon serves " + socket);
                return; // that one serves the slot
            }
            Files.deleteIfExists(socket); // a dead daemon's
            DaemonServer server = new DaemonServer(socket, Long.parseLong(args[1]) * 1000, Integer.parseInt(args[2]));
            // programs run on this, the JVM's main thread, as in a JVM of their own; the socket
            // is served by a thread of its own
            Thread accepting = Thread.ofPlatform().name("rloop-daemon-accept").start(() -> {
                try {
                    server.serve();
                } catch (IOException | RuntimeException e) {
                    log("serving failed: " + e);
                } finally {
                    server.programs.offer(() -> { }); // wakes the main thread to notice
                }
            });
            server.runPrograms(accepting);
        }
        // the engine's compiler threads must not keep an idle daemon alive
        Runtime.getRuntime().halt(0);
    }

    private void serve() throws IOException {
        DaemonSignals.reset();
        DaemonSignals.whenIdle(() -> stopping = true);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            selector = Selector.open();
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            log("serving " + socket + " (pid " + ProcessHandle.current().pid() + ")");
            Thread.ofPlatform().daemon().name("rloop-daemon-stop-old").start(this::stopEarlierBuilds);
            idleSince = System.currentTimeMillis();
            while (!stopping || running != null) {
                boolean idle = running == null;
                // after a pause, so that it does not compete with a command that follows at once
                if (idle && warmUp == null && warmUpsLeft > 0
                        && System.currentTimeMillis() - idleSince > WARM_UP_PAUSE_MILLIS) {
                    warmUpsLeft--;
                    warmUp = WarmUp.start(WARM_UP);
                }
                selector.select(warmUp == null ? 1000 : 100);
                selector.selectedKeys().clear();
                if (warmUp != null && warmUp.done()) {
                    warmUp = null;
                }
                SocketChannel client = server.accept();
                if (client != null) {
                    accept(client);
                } else if (running == null && warmUp == null && System.currentTimeMillis() - idleSince > idleMillis) {
                    log("idle for " + idleMillis / 1000 + " s: exiting");
                    break;
                }
            }
        } finally {
            if (warmUp != null) {
                warmUp.cancel();
            }
            Files.deleteIfExists(socket);
        }
    }

    /**
     * Stops the daemons of this checkout's earlier builds (sockets named {@code <checkout>-<other
     * build>-<slot>.sock} beside this one): no command reaches them any more, and they would
     * only idle until their timeout. On a thread of its own: one may answer only after its
     * running program.
     */
    private void stopEarlierBuilds() {
        try {
            DaemonClient.stopCheckout(socket, true);
        } catch (IOException | RuntimeException e) {
            log("could not stop an earlier build's daemon: " + e);
        }
    }

    /** A program being run (on the main thread); {@code cleaning} once it has ended. */
    private static final class Running {
        final CountDownLatch done = new CountDownLatch(1);
        volatile boolean cleaning;
    }

    /** The programs the accept thread hands to the main thread, one at a time. */
    private final BlockingQueue<Runnable> programs = new LinkedBlockingQueue<>();

    /** The main thread's work: run the programs the accept thread accepts, until it has ended. */
    private void runPrograms(Thread accepting) {
        while (accepting.isAlive() || !programs.isEmpty()) {
            try {
                Runnable program = programs.poll(1, TimeUnit.SECONDS);
                if (program != null) {
                    program.run();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One connection: a STOP, or a program started on a thread of its own. One program at a time:
     * while one runs, BUSY sends the command to another slot; while one is only being cleaned up
     * after, the command waits for that instead.
     */
    private void accept(SocketChannel client) {
        try {
            client.configureBlocking(true);
            Frames frames = new Frames(client);
            Request request = Request.read(frames.input());
            Running current = running;
            if (current != null && current.cleaning) {
                current.done.await();
                current = running;
            }
            if (request.kind() == Request.Kind.STOP) {
                frames.write(Frames.ACCEPTED, new byte[0]);
                client.close();
                stopping = true;
                return;
            }
            if (current != null || stopping) {
                frames.write(Frames.BUSY, new byte[0]);
                client.close();
                return;
            }
            if (warmUp != null) {
                warmUp.cancel();
                warmUp = null;
            }
            Baseline before = Baseline.now();
            frames.write(Frames.ACCEPTED, new byte[0]);
            ProgramRun run = new ProgramRun(client, frames, request);
            DaemonSignals.running(run);
            Running r = new Running();
            running = r;
            programs.add(() -> runToEnd(r, run, request, before));
        } catch (IOException | RuntimeException e) {
            log("connection failed: " + e);
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    private void runToEnd(Running r, ProgramRun run, Request request, Baseline before) {
        String leftover;
        int status = 1;
        try {
            status = run.run();
            r.cleaning = true;
            DaemonSignals.reset();
            leftover = before.leftover();
        } catch (OutOfMemoryError e) {
            r.cleaning = true;
            leftover = e.toString();
        }
        programsRun++;
        log("program " + programsRun + " " + request.args() + " exited " + status
                + (leftover == null ? "" : "; retiring: " + leftover));
        if (leftover != null) {
            stopping = true;
        }
        idleSince = System.currentTimeMillis();
        running = null;
        r.done.countDown();
        selector.wakeup();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /**
     * What a process of its own would have taken with it when the program ended, counted before
     * and after: Java threads the program started and left running, open file descriptors, heap.
     */
    private record Baseline(Set<Thread> threads, long fds) {
        /** More threads than an idle daemon has by far (about 30): something piles up. */
        private static final int MAX_THREADS = 200;

        static Baseline now() {
            return new Baseline(Thread.getAllStackTraces().keySet(), openFds());
        }

        /** Why this daemon should not serve another program, or null. */
        String leftover() {
            Set<Thread> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !threads.contains(t) && !isRuntimeThread(t))
                    .collect(Collectors.toSet());
            // a closed context's own threads end shortly after it: give them a moment
            long deadline = System.nanoTime() + 2_000_000_000L;
            for (Thread t : left) {
                try {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            left.removeIf(t -> !t.isAlive());
            if (left.stream().anyMatch(t -> t.getName().equals("nfi-gc"))) {
                // GraalPy lets one context per process load native modules: the next one could not
                return "the program loaded native code (GraalPy's C API)";
            }
            if (!left.isEmpty()) {
                return left.size() + " thread(s) still running: "
                        + left.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
            }
            int all = Thread.activeCount();
            if (all > MAX_THREADS) {
                return all + " threads";
            }
            long fds = openFds();
            if (fds > this.fds + 16) {
                return (fds - this.fds) + " more open file descriptors";
            }
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            if (heap.getMax() > 0 && heap.getUsed() > heap.getMax() * 3 / 4) {
                System.gc();
                heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                if (heap.getUsed() > heap.getMax() * 3 / 4) {
                    return "heap " + heap.getUsed() / (1 << 20) + " of " + heap.getMax() / (1 << 20) + " MiB in use";
                }
            }
            return null;
        }

        /** Threads the JVM and Truffle start and stop on their own (compiler threads come and go). */
        private static boolean isRuntimeThread(Thread t) {
            String n = t.getName();
            // GraalPy's per-context action pools outlive a cancelled context for a while; their
            // number is bounded by the total below instead
            return n.startsWith("TruffleCompilerThread") || n.startsWith("python-actions-pool") || n.startsWith("JVMCI") || n.startsWith("rloop-daemon")
                    || n.startsWith("Common-Cleaner") || n.startsWith("Cleaner-") || n.startsWith("ForkJoinPool") || n.startsWith("process reaper")
                    || n.startsWith("Attach Listener") || n.startsWith("Signal Dispatcher")
                    // the JDK's one timer thread for virtual threads' timed parks, started on first use
                    || n.equals("VirtualThread-unblocker")
                    || t.isVirtual() && t.getState() == Thread.State.TERMINATED;
        }

        private static long openFds() {
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                return s.count();
            } catch (IOException e) {
                return 0;
            }
        }
    }

    /** A throwaway program run while idle, on a thread of its own, cancellable. */
    private static final class WarmUp {
        private final Thread thread;
        private Context context;   // guarded by this
        private boolean cancelled; // guarded by this

        private WarmUp(String code) {
            thread = Thread.ofPlatform().name("rloop-daemon-warm-up").daemon().unstarted(() -> {
                try (Context ctx = RLoop.contextBuilder(List.of("-c"), List.of())
                        .allowEnvironmentAccess(EnvironmentAccess.NONE).environment(Map.of())
                        .out(OutputStream.nullOutputStream()).err(OutputStream.nullOutputStream()).build()) {
                    synchronized (this) {
                        if (cancelled) {
                            return;
                        }
                        context = ctx;
                    }
                    RLoop.install(ctx);
                    ctx.eval("python", "import rloop._policy\nrloop._policy.install()\n" + code);
                } catch (RuntimeException cancelledOrFailed) {
                    // cancelled by a command's arrival, or failed: either way nothing to report
                }
            });
        }

        static WarmUp start(String code) {
            WarmUp w = new WarmUp(code);
            w.thread.start();
            return w;
        }

        boolean done() {
            return !thread.isAlive();
        }

        void cancel() {
            Context ctx;
            synchronized (this) {
                cancelled = true;
                ctx = context;
            }
            if (ctx != null) {
                try {
                    ctx.close(true);
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void log(String message) {
        System.err.println(Instant.now() + " " + message);
    }
}
