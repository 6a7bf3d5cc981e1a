package io.scenestream.operators;

import ai.djl.Device;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.TorchThreads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.accumulators.LongCounter;
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
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes frame records and runs MTI-Net on them in micro-batches. Decoding happens here, when a
 * batch goes to the model, rather than in a function of its own: an operator with a second
 * (broadcast) input cannot be chained to the one before it, so a separate decoder would hand every
 * decoded frame (hundreds of kilobytes of pixels) to this task through Flink's buffers and compete
 * for the cores the model's threads use. A record that is not a valid frame goes to {@link
 * #DEAD_LETTERS} with its origin and reason ({@link FrameDecoder}); the stream goes on.
 *
 * <p>Micro-batches: a batch goes to the model when it holds {@code maxBatch} frames or its first
 * frame has waited {@code maxDelayMs}. One model per parallel instance, loaded in {@link #open} on
 * the configured device and closed in {@link #close}. Buffered frames are flushed before every
 * checkpoint barrier and at the end of input, so none is lost on recovery. Frames leave in the
 * order they came, so a camera's order is kept.
 *
 * <p>The second input is the model-update stream (broadcast to every instance). An update of the
 * serving model with a higher version is checked (checksum, signature when a key is configured,
 * architecture, weights) and swapped in between two batches: the frames buffered so far go through
 * the old model, later ones through the new one, and every prediction names the version that made
 * it. A bad update is logged and counted and the serving model stays. The serving update is kept in
 * Flink state, so a restored job serves the version it served, not the shipped checkpoint.
 *
 * <p>A batch runs in one of two ways ({@link InferenceBatch.Execution}): decoding, the model and
 * encoding on the task's thread with helpers ({@link OnTaskThread}, on a CPU), or beside it ({@link
 * BesideTask}, on a GPU, {@link InferenceSettings#overlapCodecs}). Before a checkpoint barrier, a
 * model swap and the end of input every batch has left.
 *
 * <p>With self-training, every {@code keyFrameEvery}-th frame of a camera also leaves on {@link
 * #KEY_FRAMES} with the student's classes, for the teacher.
 *
 * <p>Its length is Flink's operator contract (two inputs, timers, snapshots, side outputs) around
 * one batch's path; the two ways to run a batch and the model slot live in their own classes.
 */
public class InferenceOperator extends AbstractStreamOperator<RawPrediction>
        implements TwoInputStreamOperator<RawRecord, RawRecord, RawPrediction>,
                InferenceBatch.Stages {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceOperator.class);

    /**
     * Name of the counter accumulator of frames shed for being older than {@code
     * inference.max-lag-ms} (the local tools' console).
     */
    public static final String SHED_ACCUMULATOR = "frames-shed";

    /** Records that are not usable frames. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Frames offered to the teacher. */
    public static final OutputTag<KeyFrame> KEY_FRAMES =
            new OutputTag<>("key-frames", TypeInformation.of(KeyFrame.class));

    private final InferenceSettings settings;
    private final FrameLimits limits;

    private transient ModelSlot slot;

    /** Whether the model runs on a CPU, whose cores it shares with adaptation. */
    private transient boolean onCpu;

    /** The libtorch threads of the thread that runs the model, with every core free. */
    private transient int ownThreads;

    /** The threads the model's thread uses now (set per batch). */
    private transient ThreadLocal<Integer> threadsNow;

    private transient InferenceBatch.Execution execution;
    private transient Counter framesShed;
    private transient LongCounter shedTotal;
    private transient List<byte[]> restoredUpdates;
    private transient ServingUpdateState servingState;

    /** Checks and loads updates, so that frames keep going through the serving model meanwhile. */
    private transient ExecutorService loader;

    private transient Future<UpdateCandidate> pending;
    private transient byte[] pendingRecord;
    private transient List<RawRecord> buffer;
    private final CameraOfRecord cameraOf = new CameraOfRecord();
    private transient Map<String, Long> framesPerCamera;
    private transient long timerGeneration;
    private transient Meter framesIn;
    private transient Meter framesOut;
    private transient Counter keyFrames;
    private transient Counter deadLetters;
    private transient Counter nonFiniteFrames;
    private transient LastValues.Value lastBatch;
    private transient LastValues.Value lastInferenceMs;
    private transient LastValues.Value lastLatencyMs;

    public InferenceOperator(InferenceSettings settings, FrameLimits limits) {
        this.settings = settings;
        this.limits = limits;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState = new ServingUpdateState("serving-model-update");
        restoredUpdates = servingState.initialize(context);
    }

    @Override
    public void open() throws Exception {
        super.open();
        int threads = TorchThreads.useOnThisThread(settings.threads());
        ownThreads = settings.threads() == 0 ? TorchThreads.libtorchDefault() : settings.threads();
        Counter accepted = getMetricGroup().counter("modelUpdatesAccepted");
        Counter rejected = getMetricGroup().counter("modelUpdatesRejected");
        Device device = Devices.of(settings.device(), getRuntimeContext());
        onCpu = device.getDeviceType().equals(Device.Type.CPU);
        threadsNow = ThreadLocal.withInitial(() -> ownThreads);
        slot =
                ModelSlot.load(
                        "inference subtask " + subtask(),
                        device,
                        Path.of(settings.checkpoint()),
                        settings.updateKey(),
                        new int[] {settings.inputHeight(), settings.inputWidth()},
                        accepted,
                        rejected);
        buffer = new ArrayList<>(settings.maxBatch());
        framesPerCamera = new HashMap<>();
        framesOut = getMetricGroup().meter("framesPerSecond", new MeterView(10));
        keyFrames = getMetricGroup().counter("keyFrames");
        deadLetters = getMetricGroup().counter("deadLetters");
        framesShed = getMetricGroup().counter("framesShed");
        shedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(SHED_ACCUMULATOR, shedTotal);
        framesIn = getMetricGroup().meter("framesInPerSecond", new MeterView(10));
        LastValues gauges = new LastValues(getMetricGroup());
        lastBatch = gauges.gauge("batchSize");
        lastInferenceMs = gauges.gauge("inferenceMsPerFrame");
        lastLatencyMs = gauges.gauge("captureToInferredMs");
        getMetricGroup().gauge("modelVersion", () -> slot.serving().manifest().modelVersion());
        getMetricGroup().gauge("kernelPath", () -> slot.serving().numerics().path().id());
        // Counted on the model thread too.
        nonFiniteFrames =
                getMetricGroup().counter("nonFiniteFrames", new ThreadSafeSimpleCounter());
        LoadedCheckpoint loaded = slot.serving();
        LOG.info(
                "inference subtask {} runs {} v{} on {} ({} libtorch threads, {})",
                subtask(),
                loaded.manifest().modelName(),
                loaded.manifest().modelVersion(),
                device,
                threads,
                loaded.numerics().path().description());
        loader =
                Executors.newSingleThreadExecutor(
                        Daemons.named("model-update-loader-" + subtask()));
        int codecThreads = settings.codecThreadsOn(Runtime.getRuntime().availableProcessors());
        // Threads named after this task ("infer..."), as libtorch's threads are, for whoever sorts
        // threads by name (ThreadCpu).
        String prefix = "infer-" + subtask();
        execution =
                settings.overlapCodecs()
                        ? new BesideTask(
                                codecThreads,
                                limits,
                                settings.maxBatch(),
                                settings.threads(),
                                getContainingTask()
                                        .getMailboxExecutorFactory()
                                        .createExecutor(getOperatorConfig().getChainIndex()),
                                prefix,
                                this)
                        : new OnTaskThread(codecThreads, limits, prefix, this);
        if (!settings.scope().isFleet()) {
            slot.allowScenes();
        }
        for (byte[] r : restoredUpdates) {
            slot.apply(r, "restored state");
        }
        restoredUpdates = null;
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public void processElement1(StreamRecord<RawRecord> element) throws Exception {
        completePending(false);
        RawRecord record = element.getValue();
        if (settings.maxLagMs() > 0 && record.timestamp > 0) {
            long lag = getProcessingTimeService().getCurrentProcessingTime() - record.timestamp;
            if (lag > settings.maxLagMs()) {
                // Too late to be of use: shed before it costs a decode, counted.
                framesShed.inc();
                shedTotal.add(1);
                return;
            }
        }
        buffer.add(record);
        execution.added(record);
        if (buffer.size() >= settings.maxBatch()) {
            flush();
        } else if (buffer.size() == 1) {
            long generation = ++timerGeneration;
            long at = getProcessingTimeService().getCurrentProcessingTime() + settings.maxDelayMs();
            getProcessingTimeService()
                    .registerTimer(
                            at,
                            time -> {
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
        ModelSlot.Target target = slot.target();
        pendingRecord = record;
        // Checked and loaded on another thread: frames keep going through the serving model
        // meanwhile.
        pending = loader.submit(() -> slot.check(record, from, target));
    }

    /**
     * Swaps in (or rejects) the update being prepared once it is ready; with {@code wait}, waits
     * for it. Runs on the task thread, between two batches.
     */
    private void completePending(boolean wait) throws Exception {
        if (pending == null || (!wait && !pending.isDone())) {
            return;
        }
        UpdateCandidate c = pending.get();
        byte[] record = pendingRecord;
        pending = null;
        pendingRecord = null;
        if (!slot.admits(c)) {
            return;
        }
        // Between two batches: what is buffered goes through the serving model first.
        flush();
        execution.emitFinished(0);
        slot.swap(c, record);
    }

    private List<byte[]> withPending(List<byte[]> serving) {
        List<byte[]> all = new ArrayList<>(serving);
        if (pendingRecord != null) {
            all.add(pendingRecord);
        }
        return all;
    }

    /** Frames shed for being later than the max lag (for tests). */
    long framesShed() {
        return framesShed.getCount();
    }

    /** For tests: waits until the update being prepared, if any, serves or is rejected. */
    void awaitPendingUpdate() throws Exception {
        completePending(true);
    }

    private void flush() throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        timerGeneration++;
        String name = slot.serving().manifest().modelName();
        if (settings.scope().isFleet()) {
            execution.run(
                    new InferenceBatch(slot.predictor(), name, slot.versionOf(""), ""), buffer);
        } else {
            // One batch per camera or group, each with its own adapted parameters; a camera's
            // frames keep their order.
            Map<String, List<RawRecord>> byScope = new LinkedHashMap<>();
            for (RawRecord r : buffer) {
                String scope = settings.scope().keyOf(cameraOf.getKey(r));
                byScope.computeIfAbsent(scope, k -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<String, List<RawRecord>> e : byScope.entrySet()) {
                String scope = e.getKey();
                execution.run(
                        new InferenceBatch(slot.predictor(), name, slot.versionOf(scope), scope),
                        e.getValue());
            }
        }
        buffer.clear();
    }

    /**
     * Sizes the calling thread's libtorch team for a batch: its own thread count, at most the
     * {@code cores} left to inference. On a GPU, as it is.
     */
    private void useThreads(int cores) {
        if (!onCpu) {
            return;
        }
        int want = Math.min(ownThreads, cores);
        if (threadsNow.get() != want) {
            TorchThreads.setOnThisThread(want);
            threadsNow.set(want);
        }
    }

    @Override
    public void runModel(InferenceBatch b) {
        List<RgbFrame> frames = new ArrayList<>(b.frames.size());
        for (DecodedFrame f : b.frames) {
            frames.add(new RgbFrame(f.width, f.height, f.rgb));
        }
        long start;
        // On the cores no piece of adaptation work holds (see AdaptationBudget).
        try (AdaptationBudget.Turn turn = AdaptationBudget.inference()) {
            useThreads(turn.cores());
            start = System.nanoTime();
            slot.use(b.scope);
            b.predictions = b.predictor.predict(frames);
        }
        float perFrameMs = (System.nanoTime() - start) / 1e6f / frames.size();
        for (int i = 0; i < b.predictions.size(); i++) {
            int bad = b.predictions.get(i).nonFinite();
            if (bad > 0) {
                nonFiniteFrames.inc();
                long n = nonFiniteFrames.getCount();
                if (n == 1 || n % 100 == 0) {
                    DecodedFrame f = b.frames.get(i);
                    LOG.error(
                            "{} v{} gave NaN or Inf on {} pixels of {}#{} ({} such frames so far): its numbers are "
                                    + "wrong on this machine or its weights are broken",
                            b.name,
                            b.version,
                            bad,
                            f.cameraId,
                            f.sequence,
                            n);
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
            r.scope = b.scope;
            b.out[i] = r;
        }
        lastBatch.set(frames.size());
        lastInferenceMs.set(perFrameMs);
    }

    @Override
    public void emit(InferenceBatch b) {
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
            lastLatencyMs.set(System.currentTimeMillis() - f.captureTimeUs / 1000.0);
            framesOut.markEvent();
            output.collect(new StreamRecord<>(b.out[i]));
            offerKeyFrame(f, b.predictions.get(i), b.name, b.version);
        }
    }

    @Override
    public void encode(FramePrediction p, RawPrediction r) {
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
        k.rgb =
                f.width == p.width() && f.height == p.height()
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
        execution.emitFinished(0);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // An update still loading is kept too: its offset is behind the checkpoint, so it would not
        // be read again. On restore the newest of the two serves.
        servingState.snapshot(
                subtask(), withPending(slot == null ? restoredUpdates : slot.servingUpdates()));
    }

    @Override
    public void finish() throws Exception {
        completePending(true);
        flush();
        execution.emitFinished(0);
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            boolean modelIdle = execution == null || execution.stop();
            if (!modelIdle) {
                LOG.warn(
                        "inference subtask {}: the model thread did not stop in 60 s; its model is not closed",
                        subtask());
            }
            if (loader != null) {
                loader.shutdownNow();
                if (pending != null && pending.isDone() && !pending.isCancelled()) {
                    try {
                        pending.get().discard();
                    } catch (ExecutionException ignored) {
                        // nothing was loaded
                    }
                }
            }
            if (slot != null && modelIdle) {
                slot.close();
            }
        } finally {
            super.close();
        }
    }

    /** The serving model's version (for tests and metrics). */
    long servingVersion() {
        return slot.serving().manifest().modelVersion();
    }
}
