def log = new File(basedir, 'build.log').text
// pip's own reason, then the plugin's
assert log.contains('No matching distribution found for demo-native==1.0')
assert log.contains('rloop: pip install failed (exit status 1); its messages are above')
// nothing of the set is kept, not even the package pip could have installed, and no jar
def root = new File(basedir, 'target/rloop-packages')
assert !root.exists() || root.listFiles().length == 0
assert !new File(basedir, 'target/deps-refused.jar').exists()
return true
