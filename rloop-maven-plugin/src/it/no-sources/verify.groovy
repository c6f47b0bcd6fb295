def log = new File(basedir, 'build.log').text
assert log.contains('rloop: the Python sources directory')
assert log.contains('src/main/python does not exist; put the app there or set <pythonSources>')
return true
