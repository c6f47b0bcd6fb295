package dev.rloop.launcher;

import java.util.List;

import dev.rloop.RLoop;

/**
 * Parses the {@code rloop-graalpy} command line the way CPython parses {@code python}'s: short
 * options may be combined ({@code -Es}), options that take an argument take the rest of their word
 * or the next word ({@code -Wd}, {@code -W d}, {@code -cprint(1)}), {@code -c} and {@code -m} end
 * the options, so does the first non-option word (the script) and {@code --}. Long options are
 * rloop's {@code --loop}, {@code --help}, {@code --version} and CPython's
 * {@code --check-hash-based-pycs}.
 */
final class CommandLine {
    /** What the command line asks for. */
    enum Action { RUN, HELP, VERSION }

    /** A parsed command line; {@code kind}, {@code target} and {@code args} matter for RUN only. */
    record Parsed(Action action, RLoop.Kind kind, String target, List<String> args, boolean stdlibLoop,
            PythonFlags flags) {
    }

    /** A command line CPython would refuse: exit status 2 with the message and the usage. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    /** Short options that take an argument (CPython's, as in {@code python -h}). */
    private static final String WITH_ARGUMENT = "cmWX";

    private final String[] args;
    private final PythonFlags flags = new PythonFlags();
    private boolean stdlibLoop;
    private int i;

    private CommandLine(String[] args) {
        this.args = args;
    }

    static Parsed parse(String[] args) throws UsageError {
        return new CommandLine(args).parse();
    }

    private Parsed parse() throws UsageError {
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.equals("-") || !a.startsWith("-")) {
                break; // the program: stdin or a script
            }
            Parsed done = a.startsWith("--") ? longOption(a) : shortOptions(a);
            if (done != null) {
                return done;
            }
        }
        if (i >= args.length) {
            // No program: like python reading a non-tty stdin.
            return run(RLoop.Kind.STDIN, "-", i);
        }
        String program = args[i];
        return program.equals("-") ? run(RLoop.Kind.STDIN, "-", i + 1) : run(RLoop.Kind.SCRIPT, program, i + 1);
    }

    /** Handles {@code args[i]}, a long option, and moves past it; returns a result if it ends parsing. */
    private Parsed longOption(String a) throws UsageError {
        int eq = a.indexOf('=');
        String name = eq < 0 ? a : a.substring(0, eq);
        switch (name) {
            case "--help" -> {
                return new Parsed(Action.HELP, null, null, List.of(), stdlibLoop, flags);
            }
            case "--version" -> {
                return new Parsed(Action.VERSION, null, null, List.of(), stdlibLoop, flags);
            }
            case "--loop" -> {
                String loop = longValue(a, eq, "--loop needs an argument: rloop or asyncio");
                if (!loop.equals("rloop") && !loop.equals("asyncio")) {
                    throw new UsageError("--loop must be rloop or asyncio, not " + loop);
                }
                stdlibLoop = loop.equals("asyncio");
            }
            case "--executable" -> // the launcher's: the path it was started by, for sys.executable
                    flags.executable = longValue(a, eq, "--executable needs an argument");
            case "--check-hash-based-pycs" -> {
                String mode = longValue(a, eq, "--check-hash-based-pycs needs an argument");
                if (!List.of("default", "always", "never").contains(mode)) {
                    throw new UsageError("--check-hash-based-pycs must be one of 'default', 'always', or 'never'");
                }
                flags.checkHashPycs = mode;
            }
            default -> throw new UsageError("unknown option " + name);
        }
        i++;
        return null;
    }

    /** The value of a long option: after its '=' or the next word (then that word is consumed). */
    private String longValue(String a, int eq, String missing) throws UsageError {
        if (eq >= 0) {
            return a.substring(eq + 1);
        }
        if (i + 1 >= args.length) {
            throw new UsageError(missing);
        }
        return args[++i];
    }

    /**
     * Handles {@code args[i]}, a word of short options such as {@code -Es} or {@code -Wd}, and moves
     * past it (and past an option's argument in the next word); returns a result if it ends parsing.
     */
    private Parsed shortOptions(String word) throws UsageError {
        for (int j = 1; j < word.length(); j++) {
            char c = word.charAt(j);
            if (WITH_ARGUMENT.indexOf(c) >= 0) {
                String value = j + 1 < word.length() ? word.substring(j + 1) : nextWord(c);
                i++;
                return optionWithArgument(c, value);
            }
            if (c == 'h' || c == '?') {
                return new Parsed(Action.HELP, null, null, List.of(), stdlibLoop, flags);
            }
            if (c == 'V') {
                return new Parsed(Action.VERSION, null, null, List.of(), stdlibLoop, flags);
            }
            flag(c);
        }
        i++;
        return null;
    }

    private String nextWord(char option) throws UsageError {
        if (i + 1 >= args.length) {
            throw new UsageError("Argument expected for the -" + option + " option");
        }
        return args[++i];
    }

    /** {@code -c}/{@code -m} end the options and name the program; {@code -W}/{@code -X} do not. */
    private Parsed optionWithArgument(char c, String value) {
        switch (c) {
            case 'c' -> {
                return run(RLoop.Kind.CODE, value, i);
            }
            case 'm' -> {
                return run(RLoop.Kind.MODULE, value, i);
            }
            case 'W' -> flags.warnOptions.add(value);
            default -> flags.addXOption(value);
        }
        return null;
    }

    /** One of CPython's single-letter switches. */
    private void flag(char c) throws UsageError {
        switch (c) {
            case 'b' -> flags.bytesWarning++;
            case 'B' -> flags.dontWriteBytecode = true;
            case 'd' -> {
                // parser debug output exists only in debug builds of CPython; GraalPy has none
            }
            case 'E' -> flags.ignoreEnvironment = true;
            case 'i' -> flags.inspect = true;
            case 'I' -> flags.isolated = true;
            case 'O' -> flags.optimize++;
            case 'P' -> flags.safePath = true;
            case 'q' -> flags.quiet = true;
            case 's' -> flags.noUserSite = true;
            case 'S' -> flags.noSite = true;
            case 'u' -> flags.unbuffered = true;
            case 'v' -> flags.verbose++;
            case 'R' -> {
                // hash randomization: always on since Python 3.3; CPython accepts -R and ignores it
            }
            default -> throw new UsageError("unknown option -" + c);
        }
    }

    private Parsed run(RLoop.Kind kind, String target, int argsFrom) {
        List<String> rest = List.of(args).subList(Math.min(argsFrom, args.length), args.length);
        return new Parsed(Action.RUN, kind, target, rest, stdlibLoop, flags);
    }
}
