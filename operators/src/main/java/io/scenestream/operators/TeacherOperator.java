package io.scenestream.operators;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.frames.Resize;
import io.scenestream.frames.FramePrediction;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.frames.RgbFrame;
import io.scenestream.model.selftrain.AdaptiveStride;
import io.scenestream.model.selftrain.PseudoLabeler;
import io.scenestream.model.selftrain.SelfTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher: labels a sample of each camera's key frames with its confident pixels. Keyed by
 * camera; per camera it keeps an adaptive stride (keyed state): after each labelled frame the
 * stride halves when the student disagreed with the teacher and doubles when it agreed, so a
 * camera whose scene changes is labelled often and a settled one rarely. The teacher runs on the
 * frame and its mirror image: class pixels need the teacher's probability above the threshold,
 * depth pixels need the two depths to agree ({@link PseudoLabeler}).
 *
 * <p>The teacher runs on a worker thread of its own (at the configured nice value), one frame at a
 * time: a key frame that comes while it is busy is skipped (counted), so the teacher never holds
 * up the stream, not even through back-pressure on the key frames; what it labels follows the
 * cores it gets. Results are taken back on the task thread, where the camera's stride is updated
 * and the pseudo-label emitted. A frame being labelled when a checkpoint is taken is not in the
 * checkpoint (a restored job labels later frames instead); at the end of a bounded input the
 * teacher finishes it.
 *
 * <p>The second input is the model-update stream (broadcast). An update of the teacher's own model
 * with a higher version is checked like the inference operators check theirs ({@link
 * UpdateCandidate}) and swapped in on the worker between two frames; the teacher that labels is kept
 * in Flink state. That is how a mean teacher works ({@link TeacherSettings#meanTeacher}): the teacher
 * starts as the shipped student and then serves the exponential moving average of the student that
 * the self-training operator publishes after every accepted round.
 */
public class TeacherOperator extends AbstractStreamOperator<PseudoLabelRecord>
        implements TwoInputStreamOperator<KeyFrame, RawRecord, PseudoLabelRecord>, BoundedMultiInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TeacherOperator.class);

    private final TeacherSettings settings;

    private transient Model model;
    /** The labelling model and its manager: read and replaced on the worker only. */
    private transient LoadedCheckpoint teacher;
    private transient Counter nonFiniteFrames;
    private transient NDManager versionManager;
    /** The model name updates must carry to be swapped in. */
    private transient String servingName;
    private transient volatile byte[] servingUpdate;
    private transient byte[] restoredUpdate;
    private transient ServingUpdateState servingState;
    private transient Counter acceptedUpdates;
    private transient Counter rejectedUpdates;
    private transient MtiNetPredictor predictor;
    private transient PseudoLabeler labeler;
    private transient AdaptiveStride strides;
    private transient ValueState<Long> nextAt;
    private transient ValueState<Integer> stride;
    private transient Counter labelled;
    private transient LongCounter labelledTotal;
    private transient LongCounter busySkippedTotal;
    private transient Counter skipped;
    private transient Counter busySkipped;
    private transient ExecutorService worker;
    /** The frame being labelled on the worker, and its result; null when idle. */
    private transient KeyFrame inFlightFrame;
    private transient Future<Labelled> inFlight;
    private transient boolean pollScheduled;
    private transient volatile double lastConfidentShare;
    private transient volatile double lastConsistentShare;
    private transient volatile double lastAgreement;
    private transient volatile int lastStride;
    private transient volatile double lastTeacherMs;

    public TeacherOperator(TeacherSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState = new ServingUpdateState("teacher-update");
        restoredUpdate = servingState.initialize(context);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        servingState.snapshot(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), servingUpdate);
    }

    @Override
    public void open() throws Exception {
        super.open();
        worker = ThreadNiceness.lowPriorityWorker("teacher-" + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
                settings.niceness(), settings.threads());
        // The model and its predictor belong to the worker thread (libtorch's inference mode is per thread).
        try {
            worker.submit(() -> {
                model = Model.newInstance("teacher", Devices.of(settings.device(), getRuntimeContext()));
                versionManager = model.getNDManager().newSubManager();
                teacher = Checkpoints.load(Path.of(settings.checkpoint()), versionManager);
                servingName = settings.meanTeacher() ? SelfTrainer.meanTeacherName(teacher.manifest().modelName())
                        : teacher.manifest().modelName();
                predictor = new MtiNetPredictor(teacher.net(), model.getNDManager(), teacher.manifest().inputHeight(),
                        teacher.manifest().inputWidth(), false);
                return null;
            }).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        labeler = new PseudoLabeler(settings.labeler());
        strides = settings.stride();
        nextAt = getRuntimeContext().getState(new ValueStateDescriptor<>("next-labelled-sequence", Types.LONG));
        stride = getRuntimeContext().getState(new ValueStateDescriptor<>("stride", Types.INT));
        labelled = getMetricGroup().counter("pseudoLabels");
        // Also as accumulators, which reach the job's client (the local tools' console).
        labelledTotal = new LongCounter();
        getRuntimeContext().addAccumulator(RoundSummary.LABELLED, labelledTotal);
        busySkippedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(RoundSummary.SKIPPED_BUSY, busySkippedTotal);
        skipped = getMetricGroup().counter("keyFramesSkipped");
        busySkipped = getMetricGroup().counter("keyFramesSkippedBusy");
        // Counted on the worker.
        acceptedUpdates = getMetricGroup().counter("teacherUpdatesAccepted", new ThreadSafeSimpleCounter());
        rejectedUpdates = getMetricGroup().counter("teacherUpdatesRejected", new ThreadSafeSimpleCounter());
        if (restoredUpdate != null) {
            byte[] r = restoredUpdate;
            restoredUpdate = null;
            worker.submit(() -> swap(r, "restored state")).get();
        }
        getMetricGroup().gauge("confidentPixelShare", () -> lastConfidentShare);
        getMetricGroup().gauge("consistentDepthShare", () -> lastConsistentShare);
        getMetricGroup().gauge("studentAgreement", () -> lastAgreement);
        getMetricGroup().gauge("stride", () -> lastStride);
        getMetricGroup().gauge("teacherMsPerFrame", () -> lastTeacherMs);
        getMetricGroup().gauge("kernelPath", () -> teacher.numerics().path().id());
        nonFiniteFrames = getMetricGroup().counter("nonFiniteFrames");
        LOG.info("teacher {} v{}{} labels key frames on {} (threshold {}, depth flip tolerance {}, stride {}..{}, "
                + "nice {})", servingName, teacher.manifest().modelVersion(), settings.meanTeacher()
                        ? " (mean teacher: the average of the student, from " + settings.checkpoint() + ")" : "",
                teacher.numerics().path().description(), settings.threshold(),
                settings.maxDepthRelDiff(), settings.minStride(), settings.maxStride(), settings.niceness());
    }

    /** What the worker made of one key frame, and which teacher made it. */
    private record Labelled(PseudoLabeler.Result result, byte[] teacherClasses, int height, int width, double ms,
            String teacherName, long teacherVersion, int nonFinite) {}

    @Override
    public void processElement1(StreamRecord<KeyFrame> element) throws Exception {
        takeResult(false);
        KeyFrame k = element.getValue();
        Long due = nextAt.value();
        if (due != null && k.sequence < due) {
            skipped.inc();
            return;
        }
        if (inFlight != null) {
            busySkipped.inc();
            busySkippedTotal.add(1);
            return;
        }
        inFlightFrame = k;
        inFlight = worker.submit(() -> label(k));
        schedulePoll();
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) {
        RawRecord r = element.getValue();
        String from = "topic " + r.topic + " partition " + r.partition + " offset " + r.offset;
        // On the worker, after the frame in flight: the teacher is swapped between two frames.
        worker.submit(() -> swap(r.value, from));
    }

    /** Runs on the worker: checks an update and, if it is a newer version of the teacher, labels with it from now on. */
    private Void swap(byte[] record, String from) {
        UpdateCandidate c = UpdateCandidate.check(record, from, settings.updateKey().getBytes(StandardCharsets.UTF_8),
                servingName, teacher.manifest().modelVersion(), teacher.config(), teacher.manifest().inputHeight(),
                teacher.manifest().inputWidth(), model.getNDManager());
        if (c.ignore()) {
            return null;
        }
        if (c.rejection() != null) {
            rejectedUpdates.inc();
            LOG.warn("teacher rejected a model update from {}: {}; still labelling with {} v{}", from, c.rejection(),
                    servingName, teacher.manifest().modelVersion());
            return null;
        }
        predictor.close();
        NDManager old = versionManager;
        versionManager = c.manager();
        teacher = c.checkpoint();
        predictor = new MtiNetPredictor(teacher.net(), model.getNDManager(), teacher.manifest().inputHeight(),
                teacher.manifest().inputWidth(), false);
        old.close();
        servingUpdate = record;
        acceptedUpdates.inc();
        LOG.info("teacher now labels with {} v{} (from {})", servingName, teacher.manifest().modelVersion(), from);
        return null;
    }

    /** Runs on the worker: the teacher on the frame and its mirror image, then the pseudo-label. */
    private Labelled label(KeyFrame k) {
        int h = teacher.manifest().inputHeight();
        int w = teacher.manifest().inputWidth();
        byte[] rgb = k.height == h && k.width == w ? k.rgb : Resize.bilinearRgb(k.rgb, k.height, k.width, h, w);
        RgbFrame frame = new RgbFrame(w, h, rgb);
        RgbFrame mirrored = new RgbFrame(w, h, mirror(rgb, h, w));
        long start = System.nanoTime();
        List<FramePrediction> p = predictor.predict(List.of(frame, mirrored));
        double ms = (System.nanoTime() - start) / 1e6 / 2;
        int bad = p.get(0).nonFinite() + p.get(1).nonFinite();
        if (bad > 0) {
            return new Labelled(null, null, h, w, ms, servingName, teacher.manifest().modelVersion(), bad);
        }
        PseudoLabeler.Result r = labeler.label(k.cameraId + "#" + k.sequence, rgb, p.get(0), p.get(1));
        return new Labelled(r, p.get(0).classes(), h, w, ms, servingName, teacher.manifest().modelVersion(), 0);
    }

    /** Checks for the worker's result every few milliseconds while it works, on the task thread. */
    private void schedulePoll() {
        if (pollScheduled) {
            return;
        }
        pollScheduled = true;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + 20, t -> {
            pollScheduled = false;
            takeResult(false);
            if (inFlight != null) {
                schedulePoll();
            }
        });
    }

    /** Emits the worker's result if there is one (with {@code wait}, waits for it); on the task thread. */
    private void takeResult(boolean wait) throws Exception {
        if (inFlight == null || (!wait && !inFlight.isDone())) {
            return;
        }
        KeyFrame k = inFlightFrame;
        Labelled l;
        try {
            l = inFlight.get();
        } catch (ExecutionException e) {
            LOG.warn("teacher failed on {}#{}; the frame is not labelled", k.cameraId, k.sequence, e.getCause());
            return;
        } finally {
            inFlight = null;
            inFlightFrame = null;
        }
        if (l.nonFinite() > 0) {
            nonFiniteFrames.inc();
            long n = nonFiniteFrames.getCount();
            if (n == 1 || n % 100 == 0) {
                LOG.error("teacher {} v{} gave NaN or Inf on {} pixels of {}#{}; the frame is not labelled ({} such "
                        + "frames so far): its numbers are wrong on this machine or its weights are broken",
                        l.teacherName(), l.teacherVersion(), l.nonFinite(), k.cameraId, k.sequence, n);
            }
            return;
        }
        Object key = getCurrentKey();
        setCurrentKey(k.cameraId);
        try {
            emit(k, l);
        } finally {
            if (key != null) {
                setCurrentKey(key);
            }
        }
    }

    private void emit(KeyFrame k, Labelled l) throws Exception {
        int h = l.height();
        int w = l.width();
        PseudoLabeler.Result r = l.result();
        lastTeacherMs = l.ms();
        byte[] student = k.studentClasses;
        if (k.height != h || k.width != w) {
            int[] wide = new int[student.length];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = student[i] & 0xff;
            }
            int[] resized = Resize.nearest(wide, k.height, k.width, h, w);
            student = new byte[resized.length];
            for (int i = 0; i < resized.length; i++) {
                student[i] = (byte) resized[i];
            }
        }
        // Agreement over the whole frame with the teacher's classes, sure or not: on its confident pixels
        // alone (the easy ones) a student that fails under a new light still agrees, and the stride
        // would grow just when labels are needed.
        double agreement = l.teacherClasses() == null ? 1.0 : agreement(student, l.teacherClasses());
        int current = stride.value() == null ? strides.initial() : stride.value();
        int next = strides.next(current, agreement);
        stride.update(next);
        nextAt.update(k.sequence + next);

        PseudoLabel.Builder meta = PseudoLabel.newBuilder()
                .setCameraId(k.cameraId)
                .setSequence(k.sequence)
                .setCaptureTimeUs(k.captureTimeUs)
                .setTeacherName(l.teacherName())
                .setTeacherVersion(l.teacherVersion())
                .setConfidentShare((float) r.confidentShare())
                .setConsistentDepthShare((float) r.consistentShare())
                .setStudentAgreement((float) agreement)
                .setStudentName(k.studentName == null ? "" : k.studentName)
                .setStudentVersion(k.studentVersion);
        byte[] payload = PseudoLabels.encode(meta, r.sample()).toByteArray();
        labelled.inc();
        labelledTotal.add(1);
        lastConfidentShare = r.confidentShare();
        lastConsistentShare = r.consistentShare();
        lastAgreement = agreement;
        lastStride = next;
        output.collect(new StreamRecord<>(new PseudoLabelRecord(k.cameraId, payload)));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            takeResult(true);
        }
    }

    /** Teacher updates swapped in since this instance opened (for tests). */
    long updatesAccepted() {
        return acceptedUpdates.getCount();
    }

    /** Teacher updates rejected since this instance opened (for tests). */
    long updatesRejected() {
        return rejectedUpdates.getCount();
    }

    /** For tests: whether a frame's labelling has not been taken back yet. */
    boolean busy() {
        return inFlight != null;
    }

    @Override
    public void finish() throws Exception {
        // End of a bounded input (or stop-with-savepoint): the frame being labelled is finished and emitted.
        takeResult(true);
        super.finish();
    }

    private static double agreement(byte[] student, byte[] teacher) {
        int same = 0;
        for (int i = 0; i < teacher.length; i++) {
            if (student[i] == teacher[i]) {
                same++;
            }
        }
        return (double) same / teacher.length;
    }

    private static byte[] mirror(byte[] rgb, int h, int w) {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(rgb, 3 * (y * w + x), out, 3 * (y * w + (w - 1 - x)), 3);
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            if (worker != null) {
                // The model belongs to the worker thread: closed there, after the frame in flight.
                ThreadNiceness.shutDown(worker, () -> {
                    if (predictor != null) {
                        predictor.close();
                    }
                    if (versionManager != null) {
                        versionManager.close();
                    }
                    if (model != null) {
                        model.close();
                    }
                    return null;
                }, Duration.ofMinutes(2), "the teacher worker");
            }
        } finally {
            super.close();
        }
    }
}
