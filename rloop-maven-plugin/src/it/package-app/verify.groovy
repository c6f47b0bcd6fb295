def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def jar = new File(basedir, 'target/greeter.jar')
assert jar.isFile()

def (code, out, err) = runJar(jar, ['Ada', 'Grace'])
assert code == 0
assert out.contains('Hello, Ada!')
assert out.contains('Hello, Grace!')
assert out.contains('main module: __main__ __main__.py')
assert out.contains('app root on sys.path: True')
assert out.contains('config: mode = packaged')
assert out.contains('loop: rloop.loop')
assert out.contains('java dependency: from a dependency')

// the jar holds no compiled Python and no staging leftovers
def names = new java.util.jar.JarFile(jar).withCloseable { j -> j.entries().collect { it.name } }
assert names.contains('rloop-app/python/greeter/__main__.py')
assert names.contains('rloop-app/python/greeter/data/greeting.txt')
assert names.contains('rloop-app/python/config/settings.ini')
assert names.contains('rloop-app/lib/opentest4j-1.3.0.jar')
assert !names.any { it.contains('__pycache__') || it.endsWith('.pyc') }
return true
