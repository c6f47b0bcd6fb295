package dev.rloop.daemon;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

import dev.rloop.process.SignalDeath;

import sun.misc.Signal;

/**
 * The command side of the launcher's daemon, run by {@code launcher/rloop-graalpy} in a small JVM
 * of its own (a tenth of a second to start, against seconds for GraalPy): it finds a daemon
 * that is free for this build, or starts one, hands it the program's arguments, environment and
 * working directory, and then stands in for the program's process: it pumps stdin on demand,
 * writes the program's output to its own stdout and stderr, forwards the signals it receives and
 * exits with the program's status.
 *
 * <pre>
 *   DaemonClient &lt;socket dir&gt; &lt;build key&gt; &lt;slots&gt; &lt;idle s&gt; &lt;warm-ups&gt; &lt;n&gt; &lt;server command (n words)&gt; [--stop | -- program args]
 * </pre>
 *
 * A busy daemon (one program at a time) sends it to the next slot; a slot with no daemon gets one
 * started (detached with {@code setsid}, its output in {@code <socket>.log}); when every slot is
 * busy it waits for one.
 */
public final class DaemonClient {
    private static final long START_TIMEOUT_MILLIS = 300_000;

    private final Path dir;
    private final String key;
    private final int slots;
    private final List<String> serverCommand;

    private DaemonClient(Path dir, String key, int slots, List<String> serverCommand) {
        this.dir = dir;
        this.key = key;
        this.slots = slots;
        this.serverCommand = serverCommand;
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[5]);
        List<String> server = new ArrayList<>(Arrays.asList(args).subList(6, 6 + n));
        server.add("<socket>"); // each slot's, see startDaemon
        server.add(args[3]);
        server.add(args[4]);
        DaemonClient client = new DaemonClient(Path.of(args[0]), args[1], Integer.parseInt(args[2]), server);
        String mode = args[6 + n];
        List<String> programArgs = Arrays.asList(args).subList(7 + n, args.length);
        if (mode.equals("--stop")) {
            System.exit(client.stopAll());
        }
        Request request = new Request(Request.Kind.RUN, System.getProperty("user.dir"), new HashMap<>(System.getenv()),
                programArgs);
        int status = client.run(request);
        if (status < 0) {
            SignalDeath.die(-status); // the program was ended by a signal: so is the command
        }
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }

    /** {@code <checkout>-<build>-<slot>.sock}: the key is the checkout's hash, a dash, the build's. */
    private Path socket(int slot) {
        return dir.resolve(key + "-" + slot + ".sock");
    }

    /** Asks the daemon at {@code socket} to stop; whether it said yes. */
    private static boolean stop(Path socket) throws IOException {
        SocketChannel channel = connect(socket);
        if (channel == null) {
            return true;
        }
        try (channel) {
            Frames frames = new Frames(channel);
            new Request(Request.Kind.STOP, "/", Map.of(), List.of()).write(frames.output());
            Frames.Frame reply = frames.read();
            return reply != null && reply.type() == Frames.ACCEPTED;
        }
    }

    /** A connection to the daemon of {@code slot}, or null when none serves it. */
    private static SocketChannel connect(Path socket) {
        if (!Files.exists(socket)) {
            return null;
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException refused) {
            return null; // a dead daemon's socket file: the next daemon there removes it
        }
    }

    private int run(Request request) throws IOException, InterruptedException {
        Map<Integer, Process> started = new HashMap<>();
        int starts = 0;
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (true) {
            int free = -1;
            for (int slot = 0; slot < slots; slot++) {
                SocketChannel channel = connect(socket(slot));
                Frames.Frame reply = null;
                Frames frames = null;
                if (channel != null) {
                    try {
                        frames = new Frames(channel);
                        request.write(frames.output());
                        reply = frames.read();
                    } catch (IOException retiring) {
                        // a daemon that is exiting: its slot is free in a moment
                    }
                }
                if (reply != null && reply.type() == Frames.ACCEPTED) {
                    return new CommandSide(frames).serve();
                }
                if (channel != null) {
                    channel.close();
                }
                if (reply == null && free < 0) {
                    free = slot;
                }
            }
            // a daemon we started that exited (another took the slot, or the old one was still
            // retiring) may be started again; one that failed is reported
            for (var it = started.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isAlive()) {
                    if (e.getValue().exitValue() != 0) {
                        System.err.println("rloop-graalpy: the daemon did not start (" + socket(e.getKey())
                                + ".log); RLOOP_DAEMON=0 runs programs without it");
                        return 1;
                    }
                    it.remove();
                }
            }
            if (free >= 0 && !started.containsKey(free) && starts < 8) {
                started.put(free, startDaemon(free));
                starts++;
            }
            if (System.currentTimeMillis() > deadline) {
                System.err.println("rloop-graalpy: no daemon answered in " + START_TIMEOUT_MILLIS / 1000
                        + " s (" + dir + "); RLOOP_DAEMON=0 runs programs without it");
                return 1;
            }
            Thread.sleep(50);
        }
    }

    private Process startDaemon(int slot) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid"); // its own session: a terminal's Ctrl-C reaches the command, which forwards it once
        cmd.addAll(serverCommand);
        cmd.set(cmd.size() - 3, socket(slot).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(socket(slot) + ".log").toFile()))
                .redirectErrorStream(true);
        return pb.start();
    }

    /** Asks every daemon of this checkout (any build) to stop; 0 when all that were running said yes. */
    private int stopAll() throws IOException {
        return stopCheckout(dir.resolve(key + "-0.sock"), false) ? 0 : 1;
    }

    /**
     * Asks the daemons beside {@code socket} that serve its checkout to stop: all of them, or
     * only those of other builds ({@code otherBuildsOnly}); whether all that were running said
     * yes. Socket names are {@code <checkout>-<build>-<slot>.sock}.
     */
    static boolean stopCheckout(Path socket, boolean otherBuildsOnly) throws IOException {
        String name = socket.getFileName().toString();
        String checkout = name.substring(0, name.indexOf('-') + 1);
        String build = name.substring(0, name.lastIndexOf('-') + 1);
        boolean all = true;
        try (var sockets = Files.list(socket.getParent())) {
            for (Path p : sockets.toList()) {
                String other = p.getFileName().toString();
                if (other.startsWith(checkout) && other.endsWith(".sock")
                        && !(otherBuildsOnly && other.startsWith(build))) {
                    all &= stop(p);
                }
            }
        }
        return all;
    }

    /** The command's side of one program: its stdin, stdout, stderr, signals and exit status. */
    private static final class CommandSide {
        private final Frames frames;
        private final FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        private final FileOutputStream stderr = new FileOutputStream(FileDescriptor.err);
        private final LinkedBlockingQueue<Integer> reads = new LinkedBlockingQueue<>();
        private boolean stdoutGone;
        private boolean stderrGone;

        CommandSide(Frames frames) {
            this.frames = frames;
        }

        int serve() throws IOException {
            for (String name : DaemonSignals.FORWARDED) {
                try {
                    Signal.handle(new Signal(name), sig -> forward(sig.getName()));
                } catch (IllegalArgumentException taken) {
                    // the JVM keeps this one: it then acts on the command as on the JVM it replaces
                }
            }
            Thread.ofPlatform().name("stdin").daemon().start(this::pumpStdin);
            for (Frames.Frame f; (f = frames.read()) != null; ) {
                switch (f.type()) {
                    case Frames.STDOUT -> stdoutGone = write(stdout, f.payload(), stdoutGone, 1);
                    case Frames.STDERR -> stderrGone = write(stderr, f.payload(), stderrGone, 2);
                    case Frames.READ -> reads.add(f.intValue());
                    case Frames.EXIT -> {
                        return f.intValue();
                    }
                    default -> throw new IOException("unexpected frame " + f.type());
                }
            }
            System.err.println("rloop-graalpy: the daemon ended before the program did (its log is beside its"
                    + " socket; RLOOP_DAEMON=0 runs programs without it)");
            return 1;
        }

        private void forward(String signal) {
            try {
                frames.writeText(Frames.SIGNAL, signal);
            } catch (IOException gone) {
                // the program has ended
            }
        }

        /** Writes output; on a closed pipe tells the daemon once, so the program's next write fails. */
        private boolean write(FileOutputStream out, byte[] data, boolean gone, int fd) throws IOException {
            if (gone) {
                return true;
            }
            try {
                out.write(data);
                return false;
            } catch (IOException brokenPipe) {
                frames.write(Frames.OUTPUT_CLOSED, new byte[] {(byte) fd});
                return true;
            }
        }

        /** One read of stdin per READ, of at most the size asked: stdin is consumed only as the program reads. */
        private void pumpStdin() {
            FileInputStream in = new FileInputStream(FileDescriptor.in);
            boolean atEnd = false;
            try {
                while (true) {
                    int max = reads.take();
                    byte[] buf = new byte[Math.min(max, 1 << 16)];
                    int n;
                    try {
                        n = atEnd ? -1 : in.read(buf);
                    } catch (IOException closedOrFailed) {
                        n = -1; // as the end of the file for the program
                    }
                    if (n < 0) {
                        atEnd = true;
                        n = 0;
                    }
                    frames.write(Frames.STDIN, buf, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                // the program has ended, or stdin failed: the daemon's reads end with the connection
            }
        }
    }
}
