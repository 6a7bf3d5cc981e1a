package io.scenestream.operators;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.frames.Resize;
import io.scenestream.frames.FramePrediction;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.frames.RgbFrame;
import io.scenestream.model.inference.TorchThreads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.flink.util.OutputTag;

/**
 * Decodes frame records and runs MTI-Net on them in micro-batches. Decoding happens here, when a
 * batch goes to the model, rather than in a function of its own: an operator with a second
 * (broadcast) input cannot be chained to the one before it, so a separate decoder would hand every
 * decoded frame (hundreds of kilobytes of pixels) to this task through Flink's buffers and compete
 * for the cores the model's threads use. A record that is not a valid frame goes to {@link
 * #DEAD_LETTERS} with its origin and reason ({@link FrameDecoder}); the stream goes on.
 *
 * <p>Micro-batches: a batch goes to the model when it holds {@code
 * maxBatch} frames or its first frame has waited {@code maxDelayMs}. One model per parallel
 * instance, loaded in {@link #open} on the configured device and closed in {@link #close}.
 * Buffered frames are flushed before every checkpoint barrier and at the end of input, so none is
 * lost on recovery. Frames leave in the order they came, so a camera's order is kept.
 *
 * <p>The second input is the model-update stream (broadcast to every instance). An update of the
 * serving model with a higher version is checked (checksum, signature when a key is configured,
 * architecture, weights) and swapped in between two batches: the frames buffered so far go through
 * the old model, later ones through the new one, and every prediction names the version that made
 * it. A bad update is logged and counted and the serving model stays. The serving update is kept in
 * Flink state, so a restored job serves the version it served, not the shipped checkpoint.
 *
 * <p>A batch's records are decoded just before the model and its maps encoded as PNG right after
 * it, on this thread and {@code codecThreads - 1} helpers, one frame each: on a CPU the model's
 * threads wait meanwhile, and a batch handled on one thread leaves the other cores idle for 3-4 ms a
 * frame. On a GPU ({@link InferenceSettings#overlapCodecs}) the work is instead spread so that the
 * device never waits for the rest: a record is decoded on a codec thread as soon as it arrives, a
 * batch goes to the model on a thread of its own (the task's thread goes on taking records meanwhile),
 * its maps are encoded on the codec threads while the model runs the next batch, and its predictions
 * leave once encoded, from this task's mailbox, in order. At most two batches are beside the task (one
 * in the model, the next waiting for it); a third waits on the task's thread, which is Flink's back
 * pressure. Before a checkpoint barrier, a model swap and the end of input every batch beside the task
 * has left.
 *
 * <p>With self-training, every {@code keyFrameEvery}-th frame of a camera also leaves on {@link
 * #KEY_FRAMES} with the student's classes, for the teacher.
 */
public class InferenceOperator extends AbstractStreamOperator<RawPrediction>
        implements TwoInputStreamOperator<RawRecord, RawRecord, RawPrediction> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceOperator.class);

    /** Records that are not usable frames. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters",
            TypeInformation.of(DeadLetter.class));

    /** Frames offered to the teacher. */
    public static final OutputTag<KeyFrame> KEY_FRAMES = new OutputTag<>("key-frames", TypeInformation.of(KeyFrame.class));

    private final InferenceSettings settings;
    private final FrameLimits limits;

    private transient Device device;
    private transient Model model;
    private transient NDManager versionManager;
    private transient LoadedCheckpoint loaded;
    private transient Counter nonFiniteFrames;
    private transient MtiNetPredictor predictor;
    private transient byte[] servingUpdate;
    private transient byte[] restoredUpdate;
    private transient java.util.concurrent.ExecutorService loader;
    private transient java.util.concurrent.ExecutorService helpers;
    /** With overlapped codecs: the threads that decode and encode, and the task's mailbox batches leave through. */
    private transient java.util.concurrent.ExecutorService codecs;
    private transient MailboxExecutor mailbox;
    /** With overlapped codecs: each codec thread's decoder. */
    private transient ThreadLocal<FrameDecoder> codecDecoder;
    /** With overlapped codecs: the buffered records' decoding, in their order. */
    private transient List<CompletableFuture<FrameDecoder.Result>> decoding;
    /** With overlapped codecs: the thread that runs the model. */
    private transient java.util.concurrent.ExecutorService modelThread;
    /** With overlapped codecs: batches beside the task (decoding, in the model, encoding), oldest first. */
    private transient java.util.ArrayDeque<Batch> beside;
    private transient java.util.concurrent.Future<UpdateCandidate> pending;
    private transient byte[] pendingRecord;
    private transient ServingUpdateState servingState;
    private transient List<RawRecord> buffer;
    /** One per codec thread, worker 0 being the task's own: their number is the codec threads'. */
    private transient FrameDecoder[] decoders;
    private transient Map<String, Long> framesPerCamera;
    private transient long timerGeneration;
    private transient Meter framesOut;
    private transient Counter acceptedUpdates;
    private transient Counter rejectedUpdates;
    private transient Counter keyFrames;
    private transient Counter deadLetters;
    private transient Meter framesIn;
    private transient volatile int lastBatch;
    private transient volatile double lastInferenceMs;
    private transient volatile double lastLatencyMs;

    public InferenceOperator(InferenceSettings settings, FrameLimits limits) {
        this.settings = settings;
        this.limits = limits;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState = new ServingUpdateState("serving-model-update");
        restoredUpdate = servingState.initialize(context);
    }

    @Override
    public void open() throws Exception {
        super.open();
        int threads = TorchThreads.useOnThisThread(settings.threads());
        device = Devices.of(settings.device(), getRuntimeContext());
        model = Model.newInstance("inference", device);
        NDManager first = model.getNDManager().newSubManager();
        try {
            loaded = Checkpoints.load(Path.of(settings.checkpoint()), first);
        } catch (CheckpointException e) {
            first.close();
            throw e;
        }
        versionManager = first;
        predictor = newPredictor(loaded);
        buffer = new ArrayList<>(settings.maxBatch());
        framesPerCamera = new HashMap<>();
        framesOut = getMetricGroup().meter("framesPerSecond", new MeterView(10));
        acceptedUpdates = getMetricGroup().counter("modelUpdatesAccepted");
        rejectedUpdates = getMetricGroup().counter("modelUpdatesRejected");
        keyFrames = getMetricGroup().counter("keyFrames");
        deadLetters = getMetricGroup().counter("deadLetters");
        framesIn = getMetricGroup().meter("framesInPerSecond", new MeterView(10));
        getMetricGroup().gauge("batchSize", () -> lastBatch);
        getMetricGroup().gauge("inferenceMsPerFrame", () -> lastInferenceMs);
        getMetricGroup().gauge("captureToInferredMs", () -> lastLatencyMs);
        getMetricGroup().gauge("modelVersion", () -> loaded.manifest().modelVersion());
        getMetricGroup().gauge("kernelPath", () -> loaded.numerics().path().id());
        // Counted on the model thread too.
        nonFiniteFrames = getMetricGroup().counter("nonFiniteFrames", new ThreadSafeSimpleCounter());
        LOG.info("inference subtask {} runs {} v{} on {} ({} libtorch threads, {})", subtask(),
                loaded.manifest().modelName(), loaded.manifest().modelVersion(), device, threads,
                loaded.numerics().path().description());
        loader = java.util.concurrent.Executors.newSingleThreadExecutor(daemon("model-update-loader-" + subtask()));
        int codecThreads = settings.codecThreadsOn(Runtime.getRuntime().availableProcessors());
        // Threads named after this task ("infer..."), as libtorch's threads are, for whoever sorts
        // threads by name (ThreadCpu).
        if (settings.overlapCodecs()) {
            codecs = java.util.concurrent.Executors.newFixedThreadPool(codecThreads, daemons("infer-codec-" + subtask()));
            codecDecoder = ThreadLocal.withInitial(() -> new FrameDecoder(limits));
            decoding = new ArrayList<>(settings.maxBatch());
            mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
            beside = new java.util.ArrayDeque<>();
            modelThread = java.util.concurrent.Executors.newSingleThreadExecutor(daemon("infer-model-" + subtask()));
            modelThread.submit(() -> TorchThreads.useOnThisThread(settings.threads())).get();
        } else {
            decoders = new FrameDecoder[codecThreads];
            for (int i = 0; i < codecThreads; i++) {
                decoders[i] = new FrameDecoder(limits);
            }
            if (codecThreads > 1) {
                helpers = java.util.concurrent.Executors.newFixedThreadPool(codecThreads - 1,
                        daemons("infer-helper-" + subtask()));
            }
        }
        if (restoredUpdate != null) {
            apply(restoredUpdate, "restored state");
            restoredUpdate = null;
        }
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> daemonThread(r, prefix + "-" + n.incrementAndGet());
    }

    /** The daemon thread of a single-thread executor, named {@code name}. */
    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> daemonThread(r, name);
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private MtiNetPredictor newPredictor(LoadedCheckpoint lc) {
        return new MtiNetPredictor(lc.net(), versionManager, settings.inputHeight(), settings.inputWidth(), false);
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement1(StreamRecord<RawRecord> element) throws Exception {
        completePending(false);
        // Decoded when its batch goes to the model (flush), or from now on beside it.
        RawRecord record = element.getValue();
        buffer.add(record);
        if (codecs != null) {
            decoding.add(CompletableFuture.supplyAsync(() -> codecDecoder.get().decode(record), codecs));
        }
        if (buffer.size() >= settings.maxBatch()) {
            flush();
        } else if (buffer.size() == 1) {
            long generation = ++timerGeneration;
            long at = getProcessingTimeService().getCurrentProcessingTime() + settings.maxDelayMs();
            getProcessingTimeService().registerTimer(at, time -> {
                if (generation == timerGeneration && !buffer.isEmpty()) {
                    flush();
                }
            });
        }
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        RawRecord r = element.getValue();
        // One update at a time: a second one waits for the first to be swapped in (or rejected).
        completePending(true);
        String from = "topic " + r.topic + " partition " + r.partition + " offset " + r.offset;
        byte[] record = r.value;
        String name = loaded.manifest().modelName();
        long version = loaded.manifest().modelVersion();
        var expected = loaded.config();
        int h = loaded.manifest().inputHeight();
        int w = loaded.manifest().inputWidth();
        pendingRecord = record;
        // Checked and loaded on another thread: frames keep going through the serving model meanwhile.
        pending = loader.submit(() -> prepare(record, from, name, version, expected, h, w));
    }

    /** Checks an update record and loads its model; runs on the loader thread. */
    private UpdateCandidate prepare(byte[] record, String from, String serving, long servingVersion,
            io.scenestream.model.MtiNetConfig expected, int h, int w) {
        return UpdateCandidate.check(record, from, settings.updateKey().getBytes(StandardCharsets.UTF_8), serving,
                servingVersion, expected, h, w, model.getNDManager());
    }

    /**
     * Swaps in (or rejects) the update being prepared once it is ready; with {@code wait}, waits for
     * it. Runs on the task thread, between two batches.
     */
    private void completePending(boolean wait) throws Exception {
        if (pending == null || (!wait && !pending.isDone())) {
            return;
        }
        UpdateCandidate c = pending.get();
        byte[] record = pendingRecord;
        pending = null;
        pendingRecord = null;
        if (c.ignore()) {
            return;
        }
        if (c.rejection() != null) {
            reject(c.from(), c.rejection());
            return;
        }
        // Between two batches: what is buffered goes through the serving model first.
        flush();
        emitFinished(0);
        predictor.close();
        NDManager old = versionManager;
        versionManager = c.manager();
        loaded = c.checkpoint();
        predictor = newPredictor(loaded);
        old.close();
        servingUpdate = record;
        acceptedUpdates.inc();
        LOG.info("inference subtask {} now serves {} v{} (from {}, validation {})", subtask(), c.update().getModelName(),
                c.update().getVersion(), c.from(), c.update().getValidationMap());
    }

    /** For tests: waits until the update being prepared, if any, serves or is rejected. */
    void awaitPendingUpdate() throws Exception {
        completePending(true);
    }

    /** Applies an update at once (restored state). */
    private void apply(byte[] record, String from) throws Exception {
        pendingRecord = record;
        String name = loaded.manifest().modelName();
        pending = java.util.concurrent.CompletableFuture.completedFuture(prepare(record, from, name,
                loaded.manifest().modelVersion(), loaded.config(), loaded.manifest().inputHeight(),
                loaded.manifest().inputWidth()));
        completePending(true);
    }

    private void reject(String from, String why) {
        rejectedUpdates.inc();
        LOG.warn("inference subtask {} rejected a model update from {}: {}; still serving {} v{}", subtask(), from, why,
                loaded.manifest().modelName(), loaded.manifest().modelVersion());
    }

    private void flush() throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        timerGeneration++;
        Batch b = new Batch(predictor, loaded.manifest().modelName(), loaded.manifest().modelVersion());
        if (codecs != null) {
            buffer.clear();
            flushBeside(b);
            return;
        }
        b.frames = decodeAll(buffer, b.deadLetters);
        buffer.clear();
        if (!b.frames.isEmpty()) {
            runModel(b);
            encodeMaps(b.predictions, b.out);
        }
        emit(b);
    }

    /**
     * With overlapped codecs: the batch goes to the model thread once its records are decoded, then
     * to the codec threads, and leaves from the mailbox; this thread returns at once, unless two
     * batches are beside it already.
     */
    private void flushBeside(Batch b) throws InterruptedException {
        List<CompletableFuture<FrameDecoder.Result>> decodes = decoding;
        decoding = new ArrayList<>(settings.maxBatch());
        emitFinished(1);
        b.done = CompletableFuture.allOf(decodes.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> {
                    FrameDecoder.Result[] results = new FrameDecoder.Result[decodes.size()];
                    for (int i = 0; i < results.length; i++) {
                        results[i] = decodes.get(i).join();
                    }
                    b.frames = framesOf(results, b.deadLetters);
                    if (!b.frames.isEmpty()) {
                        runModel(b);
                    }
                }, modelThread)
                .thenCompose(ignored -> {
                    CompletableFuture<?>[] frameDone = new CompletableFuture<?>[b.frames.size()];
                    for (int i = 0; i < frameDone.length; i++) {
                        int frame = i;
                        frameDone[i] = CompletableFuture.runAsync(() -> encode(b.predictions.get(frame), b.out[frame]), codecs);
                    }
                    return CompletableFuture.allOf(frameDone);
                });
        beside.add(b);
        // Once done, the batch leaves from the mailbox, between two records, unless a later flush (or
        // a checkpoint barrier, a model swap, the end of input) has sent it already.
        b.done.whenComplete((ignored, failure) -> {
            try {
                mailbox.execute(() -> emitFinished(Integer.MAX_VALUE), "emit predictions");
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The task is closing: what had to leave left in finish or before a checkpoint barrier.
            }
        });
    }

    /** A batch: the model that serves it, its frames and predictions, the records that leave. */
    private static final class Batch {
        final MtiNetPredictor predictor;
        final String name;
        final long version;
        /** The records that were not frames, emitted with the batch. */
        final List<DeadLetter> deadLetters = new ArrayList<>();
        List<DecodedFrame> frames;
        List<FramePrediction> predictions;
        RawPrediction[] out;
        /** With overlapped codecs: when the batch is decoded, predicted and encoded. */
        CompletableFuture<Void> done;

        Batch(MtiNetPredictor predictor, String name, long version) {
            this.predictor = predictor;
            this.name = name;
            this.version = version;
        }
    }

    /** Runs the batch's frames through its model and fills in its records but their maps. */
    private void runModel(Batch b) {
        List<RgbFrame> frames = new ArrayList<>(b.frames.size());
        for (DecodedFrame f : b.frames) {
            frames.add(new RgbFrame(f.width, f.height, f.rgb));
        }
        long start = System.nanoTime();
        b.predictions = b.predictor.predict(frames);
        float perFrameMs = (System.nanoTime() - start) / 1e6f / frames.size();
        for (int i = 0; i < b.predictions.size(); i++) {
            int bad = b.predictions.get(i).nonFinite();
            if (bad > 0) {
                nonFiniteFrames.inc();
                long n = nonFiniteFrames.getCount();
                if (n == 1 || n % 100 == 0) {
                    DecodedFrame f = b.frames.get(i);
                    LOG.error("{} v{} gave NaN or Inf on {} pixels of {}#{} ({} such frames so far): its numbers are "
                            + "wrong on this machine or its weights are broken", b.name, b.version, bad, f.cameraId,
                            f.sequence, n);
                }
            }
        }
        b.out = new RawPrediction[frames.size()];
        for (int i = 0; i < b.out.length; i++) {
            DecodedFrame f = b.frames.get(i);
            RawPrediction r = new RawPrediction();
            r.cameraId = f.cameraId;
            r.sequence = f.sequence;
            r.captureTimeUs = f.captureTimeUs;
            r.decodeStartUs = f.decodeStartUs;
            r.decodeMs = f.decodeMs;
            r.inferenceMs = perFrameMs;
            r.modelName = b.name;
            r.modelVersion = b.version;
            b.out[i] = r;
        }
        lastBatch = frames.size();
        lastInferenceMs = perFrameMs;
    }

    /**
     * With overlapped codecs: emits the batches beside the task that are done, oldest first, up to
     * the first still running, and waits for the oldest ones until at most {@code keep} remain. Runs
     * on the task thread.
     */
    private void emitFinished(int keep) throws InterruptedException {
        while (beside != null && !beside.isEmpty() && (beside.size() > keep || beside.peek().done.isDone())) {
            Batch b = beside.poll();
            try {
                b.done.get();
            } catch (java.util.concurrent.ExecutionException failed) {
                throw new IllegalStateException("inference beside the task failed", failed.getCause());
            }
            emit(b);
        }
    }

    /** Emits a batch's dead letters, then its predictions (and key frames) in order. */
    private void emit(Batch b) {
        for (DeadLetter d : b.deadLetters) {
            deadLetters.inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(d));
        }
        if (b.frames.isEmpty()) {
            return;
        }
        framesIn.markEvent(b.frames.size());
        for (int i = 0; i < b.out.length; i++) {
            DecodedFrame f = b.frames.get(i);
            lastLatencyMs = System.currentTimeMillis() - f.captureTimeUs / 1000.0;
            framesOut.markEvent();
            output.collect(new StreamRecord<>(b.out[i]));
            offerKeyFrame(f, b.predictions.get(i), b.name, b.version);
        }
    }

    /**
     * Decodes a batch's records, spread over this thread and the helpers; the frames are returned in
     * their order, and the records that were not valid frames go to {@code dead}, in theirs.
     */
    private List<DecodedFrame> decodeAll(List<RawRecord> records, List<DeadLetter> dead) {
        FrameDecoder.Result[] results = new FrameDecoder.Result[records.size()];
        onHelpers(results.length, (worker, i) -> results[i] = decoders[worker].decode(records.get(i)), "decoding frames");
        return framesOf(results, dead);
    }

    /** The frames among decoding results, in their order; the records that were not frames go to {@code dead}. */
    private static List<DecodedFrame> framesOf(FrameDecoder.Result[] results, List<DeadLetter> dead) {
        List<DecodedFrame> frames = new ArrayList<>(results.length);
        for (FrameDecoder.Result r : results) {
            if (r.deadLetter() == null) {
                frames.add(r.frame());
            } else {
                dead.add(r.deadLetter());
            }
        }
        return frames;
    }

    /** Encodes each frame's maps and confidence summary into {@code out}, spread over this thread and the helpers. */
    private void encodeMaps(List<FramePrediction> predictions, RawPrediction[] out) {
        onHelpers(out.length, (worker, i) -> encode(predictions.get(i), out[i]), "encoding predictions");
    }

    /** A task on item {@code i} by worker {@code worker} (0: the operator's own thread). */
    private interface Work {
        void run(int worker, int i);
    }

    /**
     * Runs {@code work} on items 0..n-1: item i on worker {@code i % workers}, worker 0 being this
     * thread and the others the helpers; returns when all are done, rethrowing the first failure.
     */
    private void onHelpers(int n, Work work, String what) {
        int workers = Math.max(1, Math.min(n, decoders.length));
        List<java.util.concurrent.Future<?>> running = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            int worker = w;
            running.add(helpers.submit(() -> {
                for (int i = worker; i < n; i += workers) {
                    work.run(worker, i);
                }
            }));
        }
        for (int i = 0; i < n; i += workers) {
            work.run(0, i);
        }
        for (java.util.concurrent.Future<?> h : running) {
            try {
                h.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + what, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(what + " failed", e.getCause());
            }
        }
    }

    private void encode(FramePrediction p, RawPrediction r) {
        r.width = p.width();
        r.height = p.height();
        if (p.depth() != null) {
            r.depthPng = PredictionMaps.depthPng(p.depth(), p.width(), p.height());
        }
        if (p.classes() != null) {
            r.segmentationPng = PredictionMaps.segmentationPng(p.classes(), p.width(), p.height());
            r.meanConfidence = (float) p.meanConfidence();
            r.confidentShare = (float) p.confidentShare(settings.confidenceThreshold());
            r.confidenceThreshold = settings.confidenceThreshold();
        }
    }

    private void offerKeyFrame(DecodedFrame f, FramePrediction p, String name, long version) {
        if (settings.keyFrameEvery() <= 0 || p.classes() == null) {
            return;
        }
        long n = framesPerCamera.merge(f.cameraId, 1L, Long::sum);
        if ((n - 1) % settings.keyFrameEvery() != 0) {
            return;
        }
        KeyFrame k = new KeyFrame();
        k.cameraId = f.cameraId;
        k.sequence = f.sequence;
        k.captureTimeUs = f.captureTimeUs;
        k.width = p.width();
        k.height = p.height();
        k.rgb = f.width == p.width() && f.height == p.height()
                ? f.rgb
                : Resize.bilinearRgb(f.rgb, f.height, f.width, p.height(), p.width());
        k.studentClasses = p.classes();
        k.studentName = name;
        k.studentVersion = version;
        keyFrames.inc();
        output.collect(KEY_FRAMES, new StreamRecord<>(k));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
        emitFinished(0);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // An update still loading is kept too: its offset is behind the checkpoint, so it would not be
        // read again. On restore the newest of the two serves.
        servingState.snapshot(subtask(), servingUpdate, pendingRecord);
    }

    @Override
    public void finish() throws Exception {
        completePending(true);
        flush();
        emitFinished(0);
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (helpers != null) {
                helpers.shutdownNow();
            }
            if (codecs != null) {
                codecs.shutdownNow();
            }
            if (modelThread != null) {
                modelThread.shutdownNow();
                // The model's native memory is freed below: not while a batch is still in it.
                if (!modelThread.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.warn("inference subtask {}: the model thread did not stop in 60 s; its model is not closed",
                            subtask());
                    predictor = null;
                    model = null;
                }
            }
            if (loader != null) {
                loader.shutdownNow();
                if (pending != null && pending.isDone() && !pending.isCancelled()) {
                    try {
                        pending.get().discard();
                    } catch (java.util.concurrent.ExecutionException ignored) {
                        // nothing was loaded
                    }
                }
            }
            if (predictor != null) {
                predictor.close();
            }
            if (model != null) {
                model.close();
            }
        } finally {
            super.close();
        }
    }

    /** The serving model's version (for tests and metrics). */
    long servingVersion() {
        return loaded.manifest().modelVersion();
    }
}
