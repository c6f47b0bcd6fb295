def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def jar = new File(basedir, 'target/countdown.jar')
assert jar.isFile()

def (code, out, err) = runJar(jar, ['one', 'two words', '7'], [:], 'from stdin\n')
assert code == 7
assert out.contains('loop: rloop.loop Loop')
assert out.contains('order: [9, 1, 4]')
assert out.contains("argv: ['one', 'two words', '7']")
assert out.contains('script: countdown.py True')
assert out.contains("path0 is the script's dir: True")
assert out.contains('stdin: from stdin')
assert !err.contains('warning')

// without the JIT: same output, one warning line
def (code2, out2, err2) = runJar(jar, ['0'], [RLOOP_JIT: 'off'], 'x\n')
assert code2 == 0
assert out2.contains('order: [9, 1, 4]')
def warnings = err2.readLines().findAll { it.contains('warning') || it.contains('WARNING') }
assert warnings.size() == 1 : warnings
assert warnings[0].contains('JIT is off')

// Signals. The app runs in its own process group (setsid execs in place: the pid is the group id),
// as a terminal's foreground job would.
def startSleeper = { String marker ->
    def java = new File(System.getProperty('java.home'), 'bin/java').path
    // SIGINT at its default whatever the build's own disposition (a build started in the
    // background ignores it, and an ignored signal stays ignored in the app, as in CPython)
    def pb = new ProcessBuilder(['setsid', 'env', '--default-signal=INT', java, '-jar', jar.path, 'sleep', marker])
    pb.environment().put('RLOOP_APP_CACHE', appCache)
    pb.redirectErrorStream(true)
    def p = pb.start()
    def reader = new BufferedReader(new InputStreamReader(p.inputStream))
    def deadline = System.currentTimeMillis() + 120000
    def line
    while ((line = reader.readLine()) != null && line != 'sleeping') {
        assert System.currentTimeMillis() < deadline : 'the app never started'
    }
    assert line == 'sleeping'
    [p, reader]
}
def appProcesses = { String marker ->
    ['pgrep', '-f', "countdown.py sleep ${marker}"].execute().text.readLines()
}

// Ctrl-C: SIGINT to the whole group reaches the app as KeyboardInterrupt; the exit status is 130
def (p1, r1) = startSleeper('ctrl-c')
['kill', '-INT', '--', "-${p1.pid()}"].execute().waitFor()
assert p1.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
def rest1 = r1.text
println "[ctrl-c] exit ${p1.exitValue()}\n${rest1}"
assert p1.exitValue() == 130
assert rest1.contains('KeyboardInterrupt')

// SIGTERM to the launcher alone: it stops the app's JVM before it exits, leaving no orphan
def (p2, r2) = startSleeper('sigterm')
assert appProcesses('sigterm').size() == 1
['kill', '-TERM', "${p2.pid()}"].execute().waitFor()
assert p2.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
def rest2 = r2.text
println "[sigterm] exit ${p2.exitValue()}\n${rest2}"
assert p2.exitValue() == 143
assert !rest2.contains('Exception')
def deadline = System.currentTimeMillis() + 30000
while (appProcesses('sigterm') && System.currentTimeMillis() < deadline) {
    Thread.sleep(200)
}
assert appProcesses('sigterm').isEmpty()
return true
