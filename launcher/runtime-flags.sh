# The JVM flags that run GraalPy with the Graal JIT, for the two runtimes the launcher knows;
# each function sets the array JVM_FLAGS. Sourced by the launcher scripts.

# What both need: JVMCI for the compiler, and the flags in jvm-flags (one flag per line, shared
# with the Maven plugin's app jars).
common_flags=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI)
while IFS= read -r flag; do
  case "$flag" in ''|'#'*) ;; *) common_flags+=("$flag") ;; esac
done < "$(dirname "${BASH_SOURCE[0]}")/jvm-flags"

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
