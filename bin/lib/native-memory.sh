# Sourced by the launchers: picks the C allocator of the JVM about to start (docs/operations.md, "Memory of the streaming job").
#
# SCENESTREAM_PROCESS says what the process does:
#   model  the model tools alone (bin/scenestream-model: benchmark, train, evaluate). libtorch frees
#          and re-allocates large activation buffers on every pass; glibc's malloc hands them back
#          to the kernel and page-faults them in again, which costs as much as the convolutions at
#          480x640 on these machines. jemalloc with purging disabled keeps them (the working set
#          stays at its steady-state peak), with one arena: with an arena per thread and no purging,
#          a training process grew by ~20 MB a step, with one it stayed at 2.7 GB at the same speed.
#   job    the streaming job (bin/scenestream-local and every command built on it, the cluster's
#          processes). There jemalloc without purging grows without end, with or without
#          self-training: Kafka, Flink, the frame codecs and libtorch free pieces of many sizes that
#          it never merges back (the job alone: ~8 MB a frame, 8 GB and out of memory after 661
#          frames, `bin/scenestream-soak --no-adapt --frames 3000 --fps 0`), and any purging halves
#          inference speed. Such a process gets glibc's malloc tuned not to give memory back
#          (flat at 3.5 GB over the same 3,000 frames, and faster: no page faults).
# SCENESTREAM_MALLOC=auto (the default) picks as above; jemalloc, glibc or system force one (system:
# leave the allocator alone); MALLOC_CONF overrides the jemalloc setting. jemalloc: Debian's
# libjemalloc2; without it a model process gets tuned glibc too. What was picked is exported as
# SCENESTREAM_MALLOC_IN_USE.
glibc_tuned() {
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
  export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
  export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
  SCENESTREAM_MALLOC_IN_USE=glibc-tuned
}
jemalloc_no_purging() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
    if [[ -f "$lib" ]]; then
      export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
      export MALLOC_CONF="${MALLOC_CONF:-narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1}"
      SCENESTREAM_MALLOC_IN_USE=jemalloc
      return 0
    fi
  done
  return 1
}
mode="${SCENESTREAM_MALLOC:-auto}"
if [[ "$mode" == auto ]]; then
  case "${SCENESTREAM_PROCESS:-model}" in
    job) mode=glibc ;;
    model) mode=jemalloc ;;
    *) echo "SCENESTREAM_PROCESS must be model or job, not '${SCENESTREAM_PROCESS}'" >&2; exit 2 ;;
  esac
fi
case "$mode" in
  system) SCENESTREAM_MALLOC_IN_USE=system ;;
  glibc) glibc_tuned ;;
  jemalloc) jemalloc_no_purging || glibc_tuned ;;
  *) echo "SCENESTREAM_MALLOC must be auto, jemalloc, glibc or system, not '$mode'" >&2; exit 2 ;;
esac
export SCENESTREAM_MALLOC_IN_USE
