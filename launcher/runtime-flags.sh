# The JVM flags that run GraalPy with the Graal JIT, for the two runtimes the launcher knows;
# each function sets the array JVM_FLAGS. Sourced by the launcher scripts.

# What both need: JVMCI for the compiler, native access for Truffle, the stack GraalPy wants,
# GraalPy's runtime package open to rloop (dev.rloop.net.EmulatedSockets: the channels behind
# Python's sockets, so that add_reader on them waits in the loop's selector, not in
# select.select), and Truffle's runtime package and GraalPy's bytecode package open to rloop
# (dev.rloop.jit: ExceptionProfileRepair keeps coroutines that both return and raise compiled,
# CoroutineArgumentRepair coroutines that read an int argument after an await).
common_flags=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI
  --enable-native-access=org.graalvm.truffle,ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xss16m
  --add-opens=org.graalvm.py/com.oracle.graal.python.runtime=ALL-UNNAMED
  --add-opens=org.graalvm.truffle.runtime/com.oracle.truffle.runtime=ALL-UNNAMED
  --add-opens=org.graalvm.py/com.oracle.graal.python.nodes.bytecode=ALL-UNNAMED)

# A plain JDK: the compiler jar replaces the JDK's empty jdk.graal.compiler module; GraalPy's jars
# are on the module path. $1: the compiler jar, $2: the directory of GraalPy's jars.
jdk_flags() {
  JVM_FLAGS=("${common_flags[@]}" --upgrade-module-path="$1" --module-path="$2"
    --add-modules=org.graalvm.polyglot)
}

# The runtime image (make-runtime-image): GraalPy is linked in and the placeholder left out, so
# the compiler jar goes on the ordinary module path and must be named (the AOT cache also wants
# exactly these module options at run time as at training). $1: the compiler jar.
image_flags() {
  JVM_FLAGS=("${common_flags[@]}" --module-path="$1" --add-modules=jdk.graal.compiler,org.graalvm.polyglot
    -Xlog:aot=error,cds=error)
}
