# Sourced by the launchers of the streaming job and the tools built on it:
#   launch MODULE MAIN_CLASS ARGS...            a process of the streaming job
#   launch_as model MODULE MAIN_CLASS ARGS...   a model process (the model benchmarks)
# runs MAIN_CLASS on MODULE's runtime classpath (MODULE/target/classpath.txt), building the project
# first when it has not been built, with that kind of process's allocator (bin/lib/native-memory.sh)
# and libtorch from the Maven artifacts (nothing is downloaded at run time). SCENESTREAM_JAVA_OPTS
# replaces the default heap settings. Relative paths are taken from the checkout's root.
launch() {
  launch_as job "$@"
}

launch_as() {
  local process="$1" module="$2" main="$3"
  shift 3
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$root"
  local cp_file="$root/$module/target/classpath.txt"
  if [[ ! -f "$cp_file" || ! -d "$root/$module/target/classes/io/scenestream" ]]; then
    echo "building SceneStream (first run only)..." >&2
    mvn -B -q -DskipTests -Djavacpp.platform=linux-x86_64 install >&2
  fi
  SCENESTREAM_PROCESS="$process"
  source "$root/bin/lib/native-memory.sh"
  # A module's provided dependencies (Flink's runtime, the broker, video: kept out of the job jar)
  # are listed apart, in classpath-local.txt.
  local cp
  cp="$root/$module/target/classes:$(cat "$cp_file")"
  if [[ -f "$root/$module/target/classpath-local.txt" ]]; then
    cp="$cp:$(cat "$root/$module/target/classpath-local.txt")"
  fi
  exec java ${SCENESTREAM_JAVA_OPTS:--Xmx3g -XX:MaxDirectMemorySize=1g} -Dai.djl.offline=true \
    -cp "$cp" "$main" "$@"
}
