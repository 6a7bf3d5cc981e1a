package io.scenestream.operators;

import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.model.inference.TorchThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;

/**
 * Runs batches beside the task's thread, so that a device (a GPU) never waits for the rest: a
 * record is decoded on a codec thread as soon as it arrives, a batch goes to the model on a thread
 * of its own (the task's thread goes on taking records meanwhile), its maps are encoded on the
 * codec threads while the model runs the next batch, and its predictions leave once encoded, from
 * the task's mailbox, in order. At most two batches are beside the task (one in the model, the next
 * waiting for it); a third waits on the task's thread, which is Flink's back pressure. The operator
 * empties it ({@link #emitFinished emitFinished(0)}) before a checkpoint barrier, a model swap and
 * the end of input.
 */
final class BesideTask implements InferenceBatch.Execution {

    private final InferenceBatch.Stages stages;
    private final int maxBatch;
    private final ExecutorService codecs;
    private final ThreadLocal<FrameDecoder> decoder;
    private final ExecutorService modelThread;
    private final MailboxExecutor mailbox;

    /** The buffered records' decoding, by record, in their order. */
    private Map<RawRecord, CompletableFuture<FrameDecoder.Result>> decoding;

    /** Batches beside the task (decoding, in the model, encoding), oldest first. */
    private final ArrayDeque<InferenceBatch> beside = new ArrayDeque<>();

    BesideTask(
            int codecThreads,
            FrameLimits limits,
            int maxBatch,
            int torchThreads,
            MailboxExecutor mailbox,
            String threadPrefix,
            InferenceBatch.Stages stages)
            throws Exception {
        this.stages = stages;
        this.maxBatch = maxBatch;
        this.mailbox = mailbox;
        codecs =
                Executors.newFixedThreadPool(
                        codecThreads, Daemons.numbered(threadPrefix + "-codec"));
        decoder = ThreadLocal.withInitial(() -> new FrameDecoder(limits));
        decoding = new IdentityHashMap<>();
        modelThread = Executors.newSingleThreadExecutor(Daemons.named(threadPrefix + "-model"));
        modelThread.submit(() -> TorchThreads.useOnThisThread(torchThreads)).get();
    }

    @Override
    public void added(RawRecord record) {
        decoding.put(
                record, CompletableFuture.supplyAsync(() -> decoder.get().decode(record), codecs));
    }

    /**
     * The batch goes to the model thread once its records are decoded, then to the codec threads,
     * and leaves from the mailbox; this thread returns at once, unless two batches are beside it
     * already.
     */
    @Override
    public void run(InferenceBatch b, List<RawRecord> records) throws InterruptedException {
        // The batch's own records (a buffer may be split into batches, one per camera or group).
        List<CompletableFuture<FrameDecoder.Result>> decodes = new ArrayList<>(records.size());
        for (RawRecord r : records) {
            decodes.add(decoding.remove(r));
        }
        emitFinished(1);
        b.done =
                CompletableFuture.allOf(decodes.toArray(CompletableFuture[]::new))
                        .thenRunAsync(
                                () -> {
                                    FrameDecoder.Result[] results =
                                            new FrameDecoder.Result[decodes.size()];
                                    for (int i = 0; i < results.length; i++) {
                                        results[i] = decodes.get(i).join();
                                    }
                                    b.takeDecoded(results);
                                    if (!b.frames.isEmpty()) {
                                        stages.runModel(b);
                                    }
                                },
                                modelThread)
                        .thenCompose(
                                ignored -> {
                                    CompletableFuture<?>[] frameDone =
                                            new CompletableFuture<?>[b.frames.size()];
                                    for (int i = 0; i < frameDone.length; i++) {
                                        int frame = i;
                                        frameDone[i] =
                                                CompletableFuture.runAsync(
                                                        () ->
                                                                stages.encode(
                                                                        b.predictions.get(frame),
                                                                        b.out[frame]),
                                                        codecs);
                                    }
                                    return CompletableFuture.allOf(frameDone);
                                });
        beside.add(b);
        // Once done, the batch leaves from the mailbox, between two records, unless a later run (or
        // a checkpoint barrier, a model swap, the end of input) has sent it already.
        b.done.whenComplete(
                (ignored, failure) -> {
                    try {
                        mailbox.execute(() -> emitFinished(Integer.MAX_VALUE), "emit predictions");
                    } catch (RejectedExecutionException closed) {
                        // The task is closing: what had to leave left in finish or before a
                        // checkpoint barrier.
                    }
                });
    }

    /** Runs on the task's thread. */
    @Override
    public void emitFinished(int keep) throws InterruptedException {
        while (!beside.isEmpty() && (beside.size() > keep || beside.peek().done.isDone())) {
            InferenceBatch b = beside.poll();
            try {
                b.done.get();
            } catch (ExecutionException failed) {
                throw new IllegalStateException(
                        "inference beside the task failed", failed.getCause());
            }
            stages.emit(b);
        }
    }

    @Override
    public boolean stop() throws InterruptedException {
        codecs.shutdownNow();
        modelThread.shutdownNow();
        // The model's native memory is freed after this: not while a batch is still in it.
        return modelThread.awaitTermination(60, TimeUnit.SECONDS);
    }
}
