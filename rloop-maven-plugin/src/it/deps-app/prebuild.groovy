// Writes the wheels pip installs from (pipArgs: --no-index --find-links=wheels): this machine
// reaches no package index, so the packages are made here, as a wheel build would make them.
import java.security.MessageDigest
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

def wheel = { String dist, String version, Map<String, String> files, List<String> requires ->
    def module = dist.replace('-', '_')
    def info = "${module}-${version}.dist-info"
    def all = new LinkedHashMap<String, String>(files)
    all["${info}/METADATA"] = "Metadata-Version: 2.1\nName: ${dist}\nVersion: ${version}\n" +
            requires.collect { "Requires-Dist: ${it}\n" }.join('')
    all["${info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: rloop-it\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    def record = all.collect { name, text ->
        def digest = MessageDigest.getInstance('SHA-256').digest(text.getBytes('UTF-8'))
        "${name},sha256=${Base64.urlEncoder.withoutPadding().encodeToString(digest)},${text.getBytes('UTF-8').length}"
    }
    record << "${info}/RECORD,,"
    all["${info}/RECORD"] = record.join('\n') + '\n'
    def dir = new File(basedir, 'wheels')
    dir.mkdirs()
    new ZipOutputStream(new FileOutputStream(new File(dir, "${module}-${version}-py3-none-any.whl"))).withCloseable { zip ->
        all.each { name, text ->
            zip.putNextEntry(new ZipEntry(name))
            zip.write(text.getBytes('UTF-8'))
            zip.closeEntry()
        }
    }
}

wheel('demo-dep', '1.0', ['demo_dep/__init__.py': "def greet(names):\n    return ', '.join('hello ' + n for n in names)\n"],
        ['demo-extra>=2'])
wheel('demo-extra', '2.1', ['demo_extra/__init__.py': "VALUE = 'extra 2.1'\n"], [])
wheel('demo-tool', '0.3', ['demo_tool/__init__.py': "VERSION = '0.3'\n"], [])
// a newer demo-tool the requirements file's bound (<1) must leave out
wheel('demo-tool', '1.0', ['demo_tool/__init__.py': "VERSION = '1.0'\n"], [])
return true
