# Sourced by the launchers. libtorch allocates and frees large activation buffers on every forward
# pass; glibc's malloc hands them back to the kernel and page-faults them in again, which costs as
# much as the convolutions at 480x640 on these machines. jemalloc with purging disabled keeps them
# (the working set stays at its steady-state peak), with one arena: with an arena per thread and no
# purging, a training process grew by ~20 MB a step (4.3 GB after 110 steps of the student, and on)
# while with one arena it stayed at 2.7 GB at the same speed (measured; see the README, "Memory").
#
# That holds while a process runs one kind of work (inference, or training). A process that also
# trains beside inference (self-training: teacher, training rounds and inference together) makes
# jemalloc without purging grow without end (its freed pieces of different sizes are never merged
# back: ~2.5 MB a frame, 10 GB after 1,850 frames), and any purging halves inference speed
# (measured). Such a process gets glibc's malloc, tuned to trim less, instead: the launcher says
# so with SCENESTREAM_SELF_TRAINING=1.
#
# jemalloc: Debian's libjemalloc2. SCENESTREAM_MALLOC=system leaves the allocator alone,
# SCENESTREAM_MALLOC=jemalloc or glibc forces one; MALLOC_CONF overrides the jemalloc setting.
glibc_tuned() {
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
  export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
  export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
  SCENESTREAM_MALLOC=glibc-tuned
}
mode="${SCENESTREAM_MALLOC:-auto}"
if [[ "$mode" == auto && "${SCENESTREAM_SELF_TRAINING:-0}" == 1 ]]; then
  mode=glibc
fi
case "$mode" in
  system) ;;
  glibc) glibc_tuned ;;
  *)
    for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
      if [[ -f "$lib" ]]; then
        export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
        export MALLOC_CONF="${MALLOC_CONF:-narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1}"
        SCENESTREAM_MALLOC=jemalloc
        break
      fi
    done
    if [[ "${SCENESTREAM_MALLOC:-auto}" != jemalloc ]]; then
      glibc_tuned
    fi
    ;;
esac
export SCENESTREAM_MALLOC
