# Sourced by the launchers. libtorch allocates and frees large activation buffers on every forward
# pass; glibc's malloc hands them back to the kernel and page-faults them in again, which costs as
# much as the convolutions at 480x640 on these machines. jemalloc with purging disabled keeps them
# (the working set stays at its steady-state peak), with one arena: with an arena per thread and no
# purging, a training process grew by ~20 MB a step (4.3 GB after 110 steps of the student, and on)
# while with one arena it stayed at 2.7 GB at the same speed (measured; see the README). Use it when
# it is installed
# (Debian: apt-get install libjemalloc2); else tune glibc to trim less. SCENESTREAM_MALLOC=system
# leaves the allocator alone.
case "${SCENESTREAM_MALLOC:-auto}" in
  system) ;;
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
      export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
      export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
      export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
      SCENESTREAM_MALLOC=glibc-tuned
    fi
    ;;
esac
export SCENESTREAM_MALLOC
