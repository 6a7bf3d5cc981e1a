package io.scenestream.model.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many threads libtorch's parallel regions (OpenMP, oneDNN) use when the calling thread runs an
 * operation. In libtorch that number belongs to the thread that runs the operation, but setting it
 * also changes a process-wide default that every thread reads the first time it runs an operation.
 * So each thread that runs models here sets its own number once, after forcing that first read:
 * the inference thread keeps libtorch's default (all cores), while the teacher's and the trainer's
 * threads run with fewer, and neither changes the other. Their OpenMP teams then no longer contend
 * with inference's team for the same cores (measured: see the README, "Self-training").
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
                Thread t = new Thread(() -> n[0] = JniUtils.getNumThreads(), "libtorch-threads");
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted reading libtorch's thread count", e);
                }
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
            throw new IllegalArgumentException("libtorch thread count must be >= 0 (0: libtorch's default), got " + threads);
        }
        int d = libtorchDefault();
        int n = threads == 0 ? d : threads;
        synchronized (DEFAULT) {
            // The first read on this thread, then this thread's own number.
            JniUtils.getNumThreads();
            JniUtils.setNumThreads(n);
        }
        return JniUtils.getNumThreads();
    }

    /** The calling thread's libtorch thread count. */
    public static int onThisThread() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
