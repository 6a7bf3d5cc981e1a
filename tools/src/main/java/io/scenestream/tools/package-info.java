/**
 * Measurement commands on the job's own wiring: the pipeline and maps benchmarks, adapt-eval, the
 * soak run and per-thread CPU accounting.
 */
package io.scenestream.tools;
