// Two wheels: demo-pure installs anywhere; demo-native is tagged for CPython 3.12 on Linux, as a
// wheel with a compiled extension is, which GraalPy's pip does not take.
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

def wheel = { String module, String tag, String code ->
    def info = "${module}-1.0.dist-info"
    def dir = new File(basedir, 'wheels')
    dir.mkdirs()
    new ZipOutputStream(new FileOutputStream(new File(dir, "${module}-1.0-${tag}.whl"))).withCloseable { zip ->
        ["${module}/__init__.py": code,
         "${info}/METADATA": "Metadata-Version: 2.1\nName: ${module.replace('_', '-')}\nVersion: 1.0\n",
         "${info}/WHEEL": "Wheel-Version: 1.0\nGenerator: rloop-it\nRoot-Is-Purelib: false\nTag: ${tag}\n",
         "${info}/RECORD": ""].each { name, text ->
            zip.putNextEntry(new ZipEntry(name))
            zip.write(text.getBytes('UTF-8'))
            zip.closeEntry()
        }
    }
}
wheel('demo_pure', 'py3-none-any', "X = 1\n")
wheel('demo_native', 'cp312-cp312-linux_x86_64', "X = 2\n")
return true
