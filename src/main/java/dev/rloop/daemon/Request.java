package dev.rloop.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command asks the daemon for, sent once when it connects: run a program with the
 * command's arguments, environment and working directory, or stop.
 */
record Request(Kind kind, String workingDirectory, Map<String, String> environment, List<String> args) {
    /** "RLOP", then the protocol version: a client and a daemon of different builds never meet
     *  (the socket's name holds the build's key), this only guards against stray connections. */
    private static final int MAGIC = 0x524c4f50;
    private static final int VERSION = 1;

    enum Kind { RUN, STOP }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeByte(kind.ordinal());
        Frames.writeString(out, workingDirectory);
        out.writeInt(environment.size());
        for (Map.Entry<String, String> e : environment.entrySet()) {
            Frames.writeString(out, e.getKey());
            Frames.writeString(out, e.getValue());
        }
        out.writeInt(args.size());
        for (String a : args) {
            Frames.writeString(out, a);
        }
        out.flush();
    }

    static Request read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC || in.readInt() != VERSION) {
            throw new IOException("not an rloop-graalpy client of this version");
        }
        int kind = in.readUnsignedByte();
        if (kind >= Kind.values().length) {
            throw new IOException("unknown request " + kind);
        }
        String cwd = Frames.readString(in);
        int n = in.readInt();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            env.put(Frames.readString(in), Frames.readString(in));
        }
        int m = in.readInt();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            args.add(Frames.readString(in));
        }
        return new Request(Kind.values()[kind], cwd, env, args);
    }
}
