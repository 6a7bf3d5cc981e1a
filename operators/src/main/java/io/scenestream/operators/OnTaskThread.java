package io.scenestream.operators;

import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.serde.FrameLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a batch on the task's thread: its records are decoded just before the model and its maps
 * encoded as PNG right after it, on this thread and {@code codecThreads - 1} helpers, one frame
 * each. On a CPU the model's threads wait meanwhile, and a batch handled on one thread would leave
 * the other cores idle for 3-4 ms a frame.
 */
final class OnTaskThread implements InferenceBatch.Execution {

    private final InferenceBatch.Stages stages;

    /** One per codec thread, worker 0 being the task's own. */
    private final FrameDecoder[] decoders;

    private final ExecutorService helpers;

    OnTaskThread(
            int codecThreads,
            FrameLimits limits,
            String threadPrefix,
            InferenceBatch.Stages stages) {
        this.stages = stages;
        decoders = new FrameDecoder[codecThreads];
        for (int i = 0; i < codecThreads; i++) {
            decoders[i] = new FrameDecoder(limits);
        }
        helpers =
                codecThreads > 1
                        ? Executors.newFixedThreadPool(
                                codecThreads - 1, Daemons.numbered(threadPrefix + "-helper"))
                        : null;
    }

    @Override
    public void added(RawRecord record) {
        // Decoded when its batch goes to the model.
    }

    @Override
    public void run(InferenceBatch b, List<RawRecord> records) {
        FrameDecoder.Result[] results = new FrameDecoder.Result[records.size()];
        onHelpers(
                results.length,
                (worker, i) -> results[i] = decoders[worker].decode(records.get(i)),
                "decoding frames");
        b.takeDecoded(results);
        if (!b.frames.isEmpty()) {
            stages.runModel(b);
            onHelpers(
                    b.out.length,
                    (worker, i) -> stages.encode(b.predictions.get(i), b.out[i]),
                    "encoding predictions");
        }
        stages.emit(b);
    }

    @Override
    public void emitFinished(int keep) {
        // Every batch has left when run returns.
    }

    @Override
    public boolean stop() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
        return true;
    }

    /** A task on item {@code i} by worker {@code worker} (0: the task's own thread). */
    private interface Work {
        void run(int worker, int i);
    }

    /**
     * Runs {@code work} on items 0..n-1: item i on worker {@code i % workers}, worker 0 being this
     * thread and the others the helpers; returns when all are done, rethrowing the first failure.
     */
    private void onHelpers(int n, Work work, String what) {
        int workers = Math.max(1, Math.min(n, decoders.length));
        List<Future<?>> running = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            int worker = w;
            running.add(
                    helpers.submit(
                            () -> {
                                for (int i = worker; i < n; i += workers) {
                                    work.run(worker, i);
                                }
                            }));
        }
        for (int i = 0; i < n; i += workers) {
            work.run(0, i);
        }
        for (Future<?> h : running) {
            try {
                h.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + what, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(what + " failed", e.getCause());
            }
        }
    }
}
