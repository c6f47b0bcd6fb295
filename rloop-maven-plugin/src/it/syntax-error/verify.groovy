// A syntax error is the app's problem, found when it runs: the build packaged it, and the jar
// reports it as python would, with exit status 1.
def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def (code, out, err) = runJar(new File(basedir, 'target/syntax-error.jar'), [])
assert code == 1
assert err.contains('broken.py", line 3')
assert err.contains('SyntaxError')
assert out.isEmpty()
return true
