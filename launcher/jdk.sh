# Finds a JDK 25 or newer: JAVA_HOME, else /usr/lib/jvm/*. Sourced by the launcher scripts.

java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/*; do candidates+=("$d/bin/java"); done
  for j in "${candidates[@]}"; do
    [ -x "$j" ] || continue
    local v; v=$(java_major "$j")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$j"; return 0; fi
  done
  return 1
}
