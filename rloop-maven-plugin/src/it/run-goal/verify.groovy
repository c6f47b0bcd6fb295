def log = new File(basedir, 'build.log').text
assert log.contains("run goal: rloop.loop ['first', 'second']")
assert log.contains('jit: True')
assert !new File(basedir, 'target/run-goal.jar').exists()
return true
