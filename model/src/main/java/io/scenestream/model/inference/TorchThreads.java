package io.scenestream.model.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many threads libtorch's parallel regions (OpenMP, oneDNN) use when the calling thread runs an
 * operation. In libtorch that number belongs to the thread that runs the operation, but setting it
 * also changes a process-wide default that every thread reads the first time it runs an operation.
 * So each thread that runs models here sets its own number once, after forcing that first read, and
 * the process-wide default is put back: the inference thread keeps libtorch's default (all cores),
 * while the teacher's and the trainer's threads run with fewer, and no thread changes another's.
 *
 * <p>Why fewer: libgomp (libtorch's OpenMP) keeps a team of worker threads for every thread that
 * ran a parallel region, and while the process holds more such threads than there are cores, every
 * team stops spinning at its barriers and sleeps instead, so each parallel region of inference
 * waits for sleeping workers. A teacher and a trainer on one thread each start no team at all
 * (measured: see docs/architecture.md, "Online self-training").
 */
public final class TorchThreads {

    private static final AtomicInteger DEFAULT = new AtomicInteger();

    private TorchThreads() {}

    /**
     * libtorch's own choice for a thread (from {@code OMP_NUM_THREADS}, or the number of cores), as
     * it was before anything here changed it.
     */
    public static int libtorchDefault() {
        int d = DEFAULT.get();
        if (d > 0) {
            return d;
        }
        synchronized (DEFAULT) {
            if (DEFAULT.get() == 0) {
                Engine.getEngine("PyTorch");
                // Read on a fresh thread: its first operation reads the process-wide default.
                int[] n = new int[1];
                onFreshThread(() -> n[0] = JniUtils.getNumThreads());
                DEFAULT.set(Math.max(1, n[0]));
            }
            return DEFAULT.get();
        }
    }

    /**
     * Makes the calling thread's libtorch operations use {@code threads} threads; 0 for libtorch's
     * default.
     *
     * @return the number now in use on this thread
     */
    public static int useOnThisThread(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "libtorch thread count must be >= 0 (0: libtorch's default), got " + threads);
        }
        int d = libtorchDefault();
        int n = threads == 0 ? d : threads;
        synchronized (DEFAULT) {
            // The first read on this thread, then this thread's own number...
            JniUtils.getNumThreads();
            JniUtils.setNumThreads(n);
            if (n != d) {
                // ...and the process-wide default back to libtorch's, set from a thread that then
                // ends, so threads that never call this (a benchmark's model alone, a loader) keep
                // libtorch's choice rather than the last number set here.
                onFreshThread(
                        () -> {
                            JniUtils.getNumThreads();
                            JniUtils.setNumThreads(d);
                        });
            }
        }
        return JniUtils.getNumThreads();
    }

    /**
     * Changes the calling thread's libtorch thread count, after it has one ({@link
     * #useOnThisThread}): cheap, for resizing a thread's team between two batches. Threads that
     * have not run libtorch yet take this number as their first.
     */
    public static void setOnThisThread(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException(
                    "libtorch thread count must be >= 1, got " + threads);
        }
        JniUtils.setNumThreads(threads);
    }

    private static void onFreshThread(Runnable r) {
        Thread t = new Thread(r, "libtorch-threads");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted setting libtorch's thread count", e);
        }
    }

    /** The calling thread's libtorch thread count. */
    public static int onThisThread() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
