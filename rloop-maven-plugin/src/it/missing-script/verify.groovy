def log = new File(basedir, 'build.log').text
assert log.contains('rloop: mainScript server.py not found:')
return true
