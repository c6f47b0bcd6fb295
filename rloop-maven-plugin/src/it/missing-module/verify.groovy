def log = new File(basedir, 'build.log').text
assert log.contains('rloop: mainModule service.main not found: neither')
assert log.contains('service/main.py nor')
assert !new File(basedir, 'target/missing-module.jar').exists()
return true
