def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def log = new File(basedir, 'build.log').text

// pip ran for the first package build only; the second found the set installed
assert log.count('rloop: installing Python packages with GraalPy\'s pip') == 1
assert log.contains('Successfully installed demo-dep-1.0 demo-extra-2.1 demo-tool-0.3')
assert log.count('rloop: Python packages already installed for this requirement set') == 2
def sets = new File(basedir, 'target/rloop-packages').listFiles()*.name
assert sets.size() == 1 && sets[0] ==~ /[0-9a-f]{16}/
// the run goal saw the same packages
assert log.contains('demo_dep: hello world')
assert log.contains('demo_tool (from the requirements file): 0.3')

def jar = new File(basedir, 'target/deps-app.jar')
def names = new java.util.jar.JarFile(jar).withCloseable { j -> j.entries().collect { it.name } }
assert names.contains('rloop-app/python/demo_dep/__init__.py')
assert names.contains('rloop-app/python/demo_tool-0.3.dist-info/METADATA')
assert !names.any { it.startsWith('rloop-app/python/bin/') || it.endsWith('.pyc') }

// the jar needs neither the wheels nor an unpacked copy from before
new File(basedir, 'wheels').deleteDir()
def freshCache = java.nio.file.Files.createTempDirectory('rloop-deps-app-cache').toFile()
try {
    def (code, out, err) = runJar(jar, ['Ada', 'Grace'], [RLOOP_APP_CACHE: freshCache.path])
    assert code == 0
    assert out.contains('loop: rloop.loop')
    assert out.contains('demo_dep: hello Ada, hello Grace')
    assert out.contains('demo_extra (required by demo-dep): extra 2.1')
    assert out.contains('demo_tool (from the requirements file): 0.3')
    assert out.contains('installed: demo-tool 0.3')
} finally {
    freshCache.deleteDir()
}
return true
