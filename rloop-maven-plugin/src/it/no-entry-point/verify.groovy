def log = new File(basedir, 'build.log').text
assert log.contains('rloop: no entry point: set <mainModule> (run like python -m) or <mainScript>')
assert !new File(basedir, 'target/no-entry-point.jar').exists()
return true
