package dev.rloop.launcher;

import java.io.PrintStream;

import dev.rloop.RLoop;
import dev.rloop.process.SignalDeath;

/**
 * The {@code rloop-graalpy} command line: {@code python}'s own ({@code [option] ... script | -m mod
 * | -c code | -}, with CPython's interpreter options, see {@link CommandLine}) plus
 * {@code --loop rloop|asyncio}, {@code --help} and {@code --version}.
 */
public final class Main {
    private static final String USAGE = """
            usage: rloop-graalpy [--loop rloop|asyncio] [option] ... [-c cmd | -m mod | file | -] [arg] ...
              file        run the Python script (sys.argv[0] is the file name)
              -m mod      run library module as a script (terminates option list)
              -c cmd      run the program passed in as a string (terminates option list)
              -           read the program from standard input
              --          end of options: the next argument is the program
              --loop L    event loop for asyncio: rloop (default) or asyncio (GraalPy's stdlib loop)
              --version, -V  print the rloop-graalpy and Python versions and exit
              --help, -h  print this help and exit
            CPython's options (combinable, as in -Es or -Wd):
              -E          ignore PYTHON* environment variables (such as PYTHONPATH)
              -I          isolate: implies -E, -P and -s
              -P          don't prepend the script's directory (or the cwd) to sys.path
              -s          don't add the user site directory to sys.path
              -S          don't imply 'import site' (only a venv's python imports it)
              -u          unbuffered stdout and stderr; also PYTHONUNBUFFERED=x
              -W arg      warning control, as PYTHONWARNINGS=arg
              -X opt      implementation option: -X dev (development mode: asyncio debug,
                          'default' warnings), -X faulthandler, -X int_max_str_digits=N, ...
              -O, -OO     sys.flags.optimize and __debug__ (asserts are kept on GraalPy)
              -b, -bb     sys.flags.bytes_warning (GraalPy issues no BytesWarning)
              -i          inspect interactively after running the program
              -v          verbose: trace imports
              -B, -d, -q, -R  accepted; no effect on GraalPy (see README.md)
              --check-hash-based-pycs always|default|never
            environment: PYTHONPATH is prepended to sys.path; PYTHONWARNINGS, PYTHONDEVMODE,
            PYTHONASYNCIODEBUG, PYTHONUNBUFFERED, PYTHONOPTIMIZE, ... as in CPython unless -E or -I;
            JAVA_HOME picks the JDK (25+)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        // this JVM is the program's process: SIGTERM and SIGHUP end it by the signal, as python
        SignalDeath.installDefaultActions();
        SignalDeath.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, ProgramHost.thisProcess());
    }

    /**
     * Runs a command line in {@code host} (this process, or one the daemon serves); the exit
     * status, or {@code -N} when the program ends as killed by signal N (an uncaught
     * KeyboardInterrupt: SIGINT, as CPython re-raises it).
     */
    public static int run(String[] args, ProgramHost host) {
        PrintStream out = host.out() == null ? System.out : new PrintStream(host.out(), true);
        PrintStream err = host.err() == null ? System.err : new PrintStream(host.err(), true);
        CommandLine.Parsed cmd;
        try {
            cmd = CommandLine.parse(args);
        } catch (CommandLine.UsageError e) {
            err.println("rloop-graalpy: " + e.getMessage());
            err.print(USAGE);
            err.flush();
            return 2;
        }
        return switch (cmd.action()) {
            case HELP -> {
                out.print(USAGE);
                out.flush();
                yield 0;
            }
            case VERSION -> {
                out.println("rloop-graalpy " + RLoop.VERSION + " (GraalPy, Python 3.12)");
                yield 0;
            }
            case RUN -> RLoop.runProgram(cmd.kind(), cmd.target(), cmd.args(), cmd.stdlibLoop(), cmd.flags(), host);
        };
    }
}
