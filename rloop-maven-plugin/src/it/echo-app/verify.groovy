def runJar = evaluate(new File(itSources, 'RunJar.groovy'))
def (code, out, err) = runJar(new File(basedir, 'target/echo-app.jar'), ['20', '50'])
assert code == 0
assert out.contains('transport: rloop._server')
assert out.contains('echoed 1000 lines over 20 connections: ok')
return true
