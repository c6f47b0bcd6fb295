import java.util.jar.JarFile

def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def target = new File(basedir, 'target')

// the project's jar, where Maven users look first, is the runnable one ...
def jar = new File(target, 'jar-app-1.0.jar')
def (code, out, err) = runJar(jar, ['Ada', 'Grace'])
assert code == 0
assert out.contains('loop: rloop.loop')
assert out.contains('hello from a jar-packaged app: Ada, Grace')

// ... it runs the same in the rloop-graalpy daemon and in a JVM of its own
def uid = ['id', '-u'].execute().text.trim()
def daemons = new File(System.getenv('XDG_RUNTIME_DIR') ?: (System.getenv('TMPDIR') ?: '/tmp'), "rloop-graalpy-${uid}")
def checkout = new java.util.zip.CRC32()
checkout.update(jar.toPath().toString().getBytes('UTF-8'))
// the first run had a JVM of its own and started the daemon to begin after it
def deadline = System.currentTimeMillis() + 300_000
while (!daemons.listFiles().any { it.name.startsWith("${checkout.value}-") && it.name.endsWith('.sock') }) {
    assert System.currentTimeMillis() < deadline : "no daemon for ${jar} in ${daemons}"
    Thread.sleep(200)
}
[[:], [RLOOP_DAEMON: '0']].each { env ->
    def (again, againOut, againErr) = runJar(jar, ['Ada', 'Grace'], env)
    assert again == 0
    assert againOut == out
}

// ... it is the only jar there; maven-jar-plugin's plain jar (no Main-Class) is kept aside
assert target.listFiles().findAll { it.name.endsWith('.jar') }*.name == ['jar-app-1.0.jar']
def original = new File(target, 'jar-app-1.0.jar.original')
assert original.isFile()
new JarFile(original).withCloseable { j ->
    assert j.getEntry('rloop-app/app.properties') == null
    assert j.manifest?.mainAttributes?.getValue('Main-Class') == null
}
new JarFile(jar).withCloseable { j ->
    assert j.manifest.mainAttributes.getValue('Main-Class') == 'dev.rloop.boot.AppJarLauncher'
    // not wrapped: the second build wrote a fresh app jar, holding no jar of the project's own
    assert !j.entries().any { it.name.contains('jar-app') }
}

// the plugin ran after jar:jar in the package phase, in both builds
def log = new File(basedir, 'build.log').text
def goals = log.readLines().findAll { it.contains('--- maven-jar-plugin:') || it.contains('--- rloop-maven-plugin:') }
assert goals.size() >= 2 && goals.size() % 2 == 0
goals.collate(2).each { assert it[0].contains('maven-jar-plugin') && it[1].contains('rloop-maven-plugin'), goals }

// install published the runnable jar, not the plain one
def installed = new File(localRepositoryPath, 'dev/rloop/it/jar-app/1.0/jar-app-1.0.jar')
assert installed.isFile()
assert installed.length() == jar.length()
def description = { File f -> new JarFile(f).withCloseable { j -> j.getInputStream(j.getEntry('rloop-app/app.properties')).text } }
assert description(installed) == description(jar)
return true
