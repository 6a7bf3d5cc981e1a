package io.scenestream.model.data;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.SampleSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training batches of consecutive steps, step {@code s} (1-based) being samples {@code
 * (s-1)*batch .. s*batch-1} of a {@link SampleSource}, made ahead on threads of their own while the
 * current step trains: on a GPU the step takes less time than rendering its frames on one thread.
 * With {@code ahead = 0} each batch is made when asked for, on the caller's thread.
 *
 * <p>The batches are the same whatever {@code ahead} and {@code threads} are, since a sample is a
 * pure function of its index (the {@link SampleSource} contract), so a run is reproducible and
 * resumable either way. The source must be safe to call from several threads.
 */
public final class BatchPrefetcher implements AutoCloseable {

    private final SampleSource source;
    private final int batch;
    private final int height;
    private final int width;
    private final int ahead;
    private final ExecutorService workers;
    private final ArrayDeque<List<Future<DenseSample>>> queue = new ArrayDeque<>();
    private long nextStep;
    private long queuedUpTo;

    /**
     * @param firstStep the step whose batch {@link #next()} returns first (1-based)
     * @param ahead steps made in advance (0: none)
     * @param threads threads making samples (ignored when {@code ahead} is 0)
     */
    public BatchPrefetcher(
            SampleSource source,
            int batch,
            int height,
            int width,
            long firstStep,
            int ahead,
            int threads) {
        this.source = Objects.requireNonNull(source, "source");
        if (batch <= 0 || firstStep < 1 || ahead < 0 || (ahead > 0 && threads <= 0)) {
            throw new IllegalArgumentException(
                    "batch "
                            + batch
                            + ", first step "
                            + firstStep
                            + ", ahead "
                            + ahead
                            + ", threads "
                            + threads);
        }
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.ahead = ahead;
        this.nextStep = firstStep;
        this.queuedUpTo = firstStep - 1;
        if (ahead == 0) {
            workers = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            workers =
                    Executors.newFixedThreadPool(
                            threads,
                            r -> {
                                Thread t = new Thread(r, "batch-prefetch-" + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
        }
    }

    /** The batch of the next step; a sample that failed fails here, at its own step. */
    public List<DenseSample> next() throws IOException {
        long step = nextStep++;
        if (workers == null) {
            List<DenseSample> out = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                out.add(source.get((step - 1) * batch + b, height, width));
            }
            return out;
        }
        while (queuedUpTo < step + ahead) {
            long s = ++queuedUpTo;
            List<Future<DenseSample>> futures = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                long index = (s - 1) * batch + b;
                futures.add(
                        workers.submit(
                                () -> {
                                    try {
                                        return source.get(index, height, width);
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                }));
            }
            queue.add(futures);
        }
        List<DenseSample> out = new ArrayList<>(batch);
        for (Future<DenseSample> f : queue.poll()) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the batch of step " + step, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IOException("sample of step " + step + " failed", cause);
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
