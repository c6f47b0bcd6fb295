package dev.rloop;

import java.util.List;

/**
 * The {@code rloop-graalpy} command line: {@code python}'s own ({@code script | -m mod | -c code |
 * -}) plus {@code --loop rloop|asyncio}, {@code --help} and {@code --version}.
 */
public final class Main {
    private static final String USAGE = """
            usage: rloop-graalpy [--loop rloop|asyncio] [-c cmd | -m mod | file | -] [arg] ...
              file        run the Python script (sys.argv[0] is the file name)
              -m mod      run library module as a script
              -c cmd      run the program passed in as a string
              -           read the program from standard input
              --loop L    event loop for asyncio: rloop (default) or asyncio (GraalPy's stdlib loop)
              --version   print the rloop-graalpy and Python versions and exit
              --help, -h  print this help and exit
            environment: PYTHONPATH is prepended to sys.path; JAVA_HOME picks the JDK (25+)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        boolean stdlib = false;
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                case "--version", "-V" -> {
                    System.out.println("rloop-graalpy " + RLoop.VERSION + " (GraalPy, Python 3.12)");
                    return 0;
                }
                case "--loop" -> {
                    if (i + 1 >= args.length) {
                        return usageError("--loop needs an argument: rloop or asyncio");
                    }
                    String loop = args[i + 1];
                    if (!loop.equals("rloop") && !loop.equals("asyncio")) {
                        return usageError("--loop must be rloop or asyncio, not " + loop);
                    }
                    stdlib = loop.equals("asyncio");
                    i += 2;
                    continue;
                }
                case "-c", "-m" -> {
                    if (i + 1 >= args.length) {
                        return usageError("Argument expected for the " + a + " option");
                    }
                    RLoop.Kind kind = a.equals("-c") ? RLoop.Kind.CODE : RLoop.Kind.MODULE;
                    return RLoop.runProgram(kind, args[i + 1], rest(args, i + 2), stdlib);
                }
                case "-" -> {
                    return RLoop.runProgram(RLoop.Kind.STDIN, "-", rest(args, i + 1), stdlib);
                }
                default -> {
                    if (a.startsWith("-")) {
                        return usageError("unknown option " + a);
                    }
                    return RLoop.runProgram(RLoop.Kind.SCRIPT, a, rest(args, i + 1), stdlib);
                }
            }
        }
        // No program: like python reading a non-tty stdin.
        return RLoop.runProgram(RLoop.Kind.STDIN, "-", List.of(), stdlib);
    }

    private static List<String> rest(String[] args, int from) {
        return List.of(args).subList(Math.min(from, args.length), args.length);
    }

    private static int usageError(String message) {
        System.err.println("rloop-graalpy: " + message);
        System.err.print(USAGE);
        return 2;
    }
}
