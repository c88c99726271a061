# Sourced by ./llm-retriever: sets JAVA_HOME to a JDK >= 21, or exits with a message that says so.
# An explicit JAVA_HOME is respected (and rejected if too old); otherwise PATH's java and /usr/lib/jvm/* are tried.

llmr_java_major() {
  # Prints the major version of the JDK at $1 (8 for 1.8), or nothing if it is not a JDK.
  [ -x "$1/bin/java" ] || return 0
  local v
  v=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$1/release" 2>/dev/null)
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
  case "$v" in 1.*) v=${v#1.} ;; esac
  echo "${v%%[.+_-]*}"
}

llmr_find_jdk() {
  local min=21 major candidate
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(llmr_java_major "$JAVA_HOME")
    if [ -z "$major" ]; then
      echo "error: JAVA_HOME=$JAVA_HOME is not a JDK (no bin/java)." >&2; exit 1
    fi
    if [ "$major" -lt "$min" ]; then
      echo "error: llm-retriever needs JDK $min or newer (OpenSearch 3.5 runs on Java $min+)," >&2
      echo "       but JAVA_HOME=$JAVA_HOME is Java $major. Point JAVA_HOME to a JDK >= $min, or unset it" >&2
      echo "       to let ./llm-retriever look in PATH and /usr/lib/jvm." >&2
      exit 1
    fi
    export JAVA_HOME; return 0
  fi
  for candidate in "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    major=$(llmr_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
      export JAVA_HOME="$candidate"; return 0
    fi
  done
  echo "error: llm-retriever needs JDK $min or newer (OpenSearch 3.5 runs on Java $min+), and none was found" >&2
  echo "       in JAVA_HOME, PATH or /usr/lib/jvm. Install one (e.g. Temurin 21 or 25) and set JAVA_HOME." >&2
  exit 1
}
