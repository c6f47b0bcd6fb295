// Shared by the sample apps' verify.groovy: runs a built app jar with `java -jar` (the JVM running
// Maven, whatever its version: the jar's boot classes find a JDK 25 themselves) and returns
// [exitCode, stdout, stderr]. The apps share one unpack cache under the plugin's target/.
{ File jar, List<String> args, Map<String, String> env = [:], String stdin = '' ->
    def java = new File(System.getProperty('java.home'), 'bin/java').path
    def pb = new ProcessBuilder([java, '-jar', jar.path] + args)
    pb.environment().put('RLOOP_APP_CACHE', appCache)
    // the apps run in the rloop-graalpy daemon (the default); after the tests it exits on its own
    pb.environment().put('RLOOP_DAEMON_IDLE', '30')
    env.each { k, v -> pb.environment().put(k, v) }
    def p = pb.start()
    p.outputStream.withWriter { it << stdin }
    def out = new StringBuffer()
    def err = new StringBuffer()
    p.consumeProcessOutput(out, err)
    if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly()
        throw new AssertionError("${jar.name} ${args} did not finish in 300 s; stdout: ${out}; stderr: ${err}")
    }
    p.waitForProcessOutput(out, err)
    println "[${jar.name} ${args}${env ? ' ' + env : ''}] exit ${p.exitValue()}\n--- stdout\n${out}--- stderr\n${err}---"
    [p.exitValue(), out.toString(), err.toString()]
}
