package io.scenestream.operators;

import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.selftrain.AdaptiveStride;
import io.scenestream.model.selftrain.PseudoLabeler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
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
 * stride halves when the student disagreed with the teacher and doubles when it agreed, so a camera
 * whose scene changes is labelled often and a settled one rarely. The teacher runs on the frame and
 * its mirror image: class pixels need the teacher's probability above the threshold, depth pixels
 * need the two depths to agree ({@link PseudoLabeler}).
 *
 * <p>The teacher runs on a worker thread of its own (at the configured nice value), one frame at a
 * time; what it labels follows the cores it gets, and it never holds up the stream, not even
 * through back-pressure on the key frames. A key frame that comes while it is busy waits, one per
 * camera (a newer key frame of the camera replaces it) and at most {@value #WAITING_CAP} in all.
 * When the teacher is free it takes the waiting frame of the camera it labelled longest ago: the
 * cameras of an instance share the teacher in turn, so a camera whose key frames happen to come
 * just after another's is labelled as often as that one (labelling whichever frame came first once
 * the teacher is free would give one camera every label). A frame replaced, pushed out or still
 * waiting at the end of the input is skipped (counted). Results are taken back on the task thread,
 * where the camera's stride is updated and the pseudo-label emitted. Frames being labelled or
 * waiting when a checkpoint is taken are not in the checkpoint (a restored job labels later frames
 * instead); at the end of a bounded input the teacher finishes the one it labels.
 *
 * <p>The second input is the model-update stream (broadcast). An update of the teacher's own model
 * with a higher version is checked like the inference operators check theirs ({@link
 * UpdateCandidate}) and swapped in on the worker between two frames; the teacher that labels is
 * kept in Flink state.
 *
 * <p>Its length is the teacher's own work (stride per camera, labelling on the worker, agreement,
 * the pseudo-label record); the model slot and the worker it shares with the other operators live
 * in {@link ModelSlot} and {@link BackgroundWorker}.
 */
public class TeacherOperator extends AbstractStreamOperator<PseudoLabelRecord>
        implements TwoInputStreamOperator<KeyFrame, RawRecord, PseudoLabelRecord>,
                BoundedMultiInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TeacherOperator.class);

    /** How often the task's thread looks for the worker's result while it labels. */
    private static final long POLL_MS = 20;

    /**
     * Key frames that wait for the teacher, at most (one per camera; 2 MB of pictures at 320x256, 7
     * MB at 640x480).
     */
    static final int WAITING_CAP = 8;

    private final TeacherSettings settings;

    /** The labelling model: read and replaced on the worker only. */
    private transient ModelSlot slot;

    private transient BackgroundWorker<Labelled> worker;
    private transient Counter nonFiniteFrames;
    private transient List<byte[]> restoredUpdates;
    private transient ServingUpdateState servingState;
    private transient PseudoLabeler labeler;
    private transient AdaptiveStride strides;
    private transient ValueState<Long> nextAt;
    private transient ValueState<Integer> stride;
    private transient Counter labelled;
    private transient LongCounter labelledTotal;
    private transient LongCounter busySkippedTotal;
    private transient Counter skipped;
    private transient Counter busySkipped;
    private transient Counter acceptedUpdates;
    private transient Counter rejectedUpdates;

    /** The frame being labelled on the worker; null when idle. */
    private transient KeyFrame inFlightFrame;

    /** Key frames waiting for the teacher, a camera's newest, by camera, oldest first. */
    private transient LinkedHashMap<String, KeyFrame> waiting;

    /** When the teacher last started on a camera's frame: the count of frames started then. */
    private transient Map<String, Long> startedAt;

    private transient long started;

    private transient LastValues.Value lastConfidentShare;
    private transient LastValues.Value lastConsistentShare;
    private transient LastValues.Value lastAgreement;
    private transient LastValues.Value lastStride;
    private transient LastValues.Value lastTeacherMs;

    public TeacherOperator(TeacherSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState = new ServingUpdateState("teacher-update");
        restoredUpdates = servingState.initialize(context);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        servingState.snapshot(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                slot == null ? restoredUpdates : Arrays.asList(slot.servingUpdate()));
    }

    @Override
    public void open() throws Exception {
        super.open();
        worker =
                new BackgroundWorker<>(
                        "teacher-" + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
                        settings.niceness(),
                        settings.threads(),
                        AdaptationBudget.of(settings.budget()));
        // Counted on the worker.
        acceptedUpdates =
                getMetricGroup().counter("teacherUpdatesAccepted", new ThreadSafeSimpleCounter());
        rejectedUpdates =
                getMetricGroup().counter("teacherUpdatesRejected", new ThreadSafeSimpleCounter());
        // The model and its predictor belong to the worker thread (libtorch's inference mode is per
        // thread).
        slot =
                worker.call(
                        () ->
                                ModelSlot.load(
                                        "teacher",
                                        Devices.of(settings.device(), getRuntimeContext()),
                                        Path.of(settings.checkpoint()),
                                        settings.updateKey(),
                                        null,
                                        acceptedUpdates,
                                        rejectedUpdates));
        labeler = new PseudoLabeler(settings.labeler());
        waiting = new LinkedHashMap<>();
        startedAt = new HashMap<>();
        strides = settings.stride();
        nextAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("next-labelled-sequence", Types.LONG));
        stride = getRuntimeContext().getState(new ValueStateDescriptor<>("stride", Types.INT));
        labelled = getMetricGroup().counter("pseudoLabels");
        // Also as accumulators, which reach the job's client (the local tools' console).
        labelledTotal = new LongCounter();
        getRuntimeContext().addAccumulator(RoundSummary.LABELLED, labelledTotal);
        busySkippedTotal = new LongCounter();
        getRuntimeContext().addAccumulator(RoundSummary.SKIPPED_BUSY, busySkippedTotal);
        skipped = getMetricGroup().counter("keyFramesSkipped");
        busySkipped = getMetricGroup().counter("keyFramesSkippedBusy");
        for (byte[] r : restoredUpdates) {
            worker.call(
                    () -> {
                        slot.apply(r, "restored state");
                        return null;
                    });
        }
        restoredUpdates = null;
        LastValues gauges = new LastValues(getMetricGroup());
        lastConfidentShare = gauges.gauge("confidentPixelShare");
        lastConsistentShare = gauges.gauge("consistentDepthShare");
        lastAgreement = gauges.gauge("studentAgreement");
        lastStride = gauges.gauge("stride");
        lastTeacherMs = gauges.gauge("teacherMsPerFrame");
        getMetricGroup().gauge("kernelPath", () -> slot.serving().numerics().path().id());
        nonFiniteFrames = getMetricGroup().counter("nonFiniteFrames");
        LoadedCheckpoint teacher = slot.serving();
        LOG.info(
                "teacher {} v{} labels key frames on {} (threshold {}, depth flip tolerance {}, stride {}..{}, "
                        + "nice {})",
                teacher.manifest().modelName(),
                teacher.manifest().modelVersion(),
                teacher.numerics().path().description(),
                settings.threshold(),
                settings.maxDepthRelDiff(),
                settings.minStride(),
                settings.maxStride(),
                settings.niceness());
    }

    /** What the worker made of one key frame, and which teacher made it. */
    private record Labelled(
            PseudoLabeler.Result result,
            byte[] teacherClasses,
            int height,
            int width,
            double ms,
            String teacherName,
            long teacherVersion,
            int nonFinite) {}

    @Override
    public void processElement1(StreamRecord<KeyFrame> element) throws Exception {
        takeResult(false);
        KeyFrame k = element.getValue();
        Long due = nextAt.value();
        if (due != null && k.sequence < due) {
            skipped.inc();
            return;
        }
        if (waiting.remove(k.cameraId) != null) {
            skippedBusy(1);
        }
        waiting.put(k.cameraId, k);
        if (waiting.size() > WAITING_CAP) {
            // Push out the frame of the camera labelled last: it has had the teacher most recently.
            String last = null;
            for (String camera : waiting.keySet()) {
                if (last == null || startedAt(camera) >= startedAt(last)) {
                    last = camera;
                }
            }
            waiting.remove(last);
            skippedBusy(1);
        }
        startNext();
    }

    private long startedAt(String camera) {
        return startedAt.getOrDefault(camera, -1L);
    }

    private void skippedBusy(int frames) {
        busySkipped.inc(frames);
        busySkippedTotal.add(frames);
    }

    /**
     * If the teacher is free, starts it on the waiting frame of the camera it started on longest
     * ago (first come on a tie), skipping frames that the camera's stride has passed meanwhile.
     */
    private void startNext() throws Exception {
        while (!worker.busy() && !waiting.isEmpty()) {
            String next = null;
            for (String camera : waiting.keySet()) {
                if (next == null || startedAt(camera) < startedAt(next)) {
                    next = camera;
                }
            }
            KeyFrame k = waiting.remove(next);
            Object key = getCurrentKey();
            setCurrentKey(k.cameraId);
            Long due;
            try {
                due = nextAt.value();
            } finally {
                if (key != null) {
                    setCurrentKey(key);
                }
            }
            if (due != null && k.sequence < due) {
                skipped.inc();
                continue;
            }
            startedAt.put(k.cameraId, ++started);
            inFlightFrame = k;
            worker.start(() -> label(k));
            worker.poll(
                    getProcessingTimeService(),
                    POLL_MS,
                    () -> {
                        takeResult(false);
                        startNext();
                    },
                    worker::busy);
        }
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) {
        RawRecord r = element.getValue();
        String from = "topic " + r.topic + " partition " + r.partition + " offset " + r.offset;
        // On the worker, after the frame in flight: the teacher is swapped between two frames.
        worker.queue(
                () -> {
                    slot.apply(r.value, from);
                    return null;
                });
    }

    /** Runs on the worker: the teacher on the frame and its mirror image, then the pseudo-label. */
    private Labelled label(KeyFrame k) {
        LoadedCheckpoint teacher = slot.serving();
        String name = teacher.manifest().modelName();
        int h = teacher.manifest().inputHeight();
        int w = teacher.manifest().inputWidth();
        byte[] rgb =
                k.height == h && k.width == w
                        ? k.rgb
                        : Resize.bilinearRgb(k.rgb, k.height, k.width, h, w);
        RgbFrame frame = new RgbFrame(w, h, rgb);
        RgbFrame mirrored = new RgbFrame(w, h, mirror(rgb, h, w));
        long start = System.nanoTime();
        List<FramePrediction> p = slot.predictor().predict(List.of(frame, mirrored));
        double ms = (System.nanoTime() - start) / 1e6 / 2;
        int bad = p.get(0).nonFinite() + p.get(1).nonFinite();
        if (bad > 0) {
            return new Labelled(null, null, h, w, ms, name, teacher.manifest().modelVersion(), bad);
        }
        PseudoLabeler.Result r =
                labeler.label(k.cameraId + "#" + k.sequence, rgb, p.get(0), p.get(1));
        return new Labelled(
                r, p.get(0).classes(), h, w, ms, name, teacher.manifest().modelVersion(), 0);
    }

    /**
     * Emits the worker's result if there is one (with {@code wait}, waits for it); on the task
     * thread.
     */
    private void takeResult(boolean wait) throws Exception {
        KeyFrame k = inFlightFrame;
        Labelled l;
        try {
            l = worker.take(wait);
        } catch (ExecutionException e) {
            inFlightFrame = null;
            LOG.warn(
                    "teacher failed on {}#{}; the frame is not labelled",
                    k.cameraId,
                    k.sequence,
                    e.getCause());
            return;
        }
        if (l == null) {
            return;
        }
        inFlightFrame = null;
        if (l.nonFinite() > 0) {
            nonFiniteFrames.inc();
            long n = nonFiniteFrames.getCount();
            if (n == 1 || n % 100 == 0) {
                LOG.error(
                        "teacher {} v{} gave NaN or Inf on {} pixels of {}#{}; the frame is not labelled ({} such "
                                + "frames so far): its numbers are wrong on this machine or its weights are broken",
                        l.teacherName(),
                        l.teacherVersion(),
                        l.nonFinite(),
                        k.cameraId,
                        k.sequence,
                        n);
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
        lastTeacherMs.set(l.ms());
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
        // Agreement over the whole frame with the teacher's classes, sure or not: on its confident
        // pixels alone (the easy ones) a student that fails under a new light still agrees, and the
        // stride would grow just when labels are needed.
        double agreement =
                l.teacherClasses() == null ? 1.0 : agreement(student, l.teacherClasses());
        int current = stride.value() == null ? strides.initial() : stride.value();
        int next = strides.next(current, agreement);
        stride.update(next);
        nextAt.update(k.sequence + next);

        PseudoLabel.Builder meta =
                PseudoLabel.newBuilder()
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
        byte[] payload = PseudoLabels.encode(meta, r.sample(), r.teacher()).toByteArray();
        labelled.inc();
        labelledTotal.add(1);
        lastConfidentShare.set(r.confidentShare());
        lastConsistentShare.set(r.consistentShare());
        lastAgreement.set(agreement);
        lastStride.set(next);
        output.collect(new StreamRecord<>(new PseudoLabelRecord(k.cameraId, payload)));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            takeResult(true);
            skippedBusy(waiting.size());
            waiting.clear();
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
        return worker.busy();
    }

    @Override
    public void finish() throws Exception {
        // End of a bounded input (or stop-with-savepoint): the frame being labelled is finished and
        // emitted.
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
            // The model belongs to the worker thread: closed there, after the frame in flight.
            BackgroundWorker.close(worker, () -> slot, Duration.ofMinutes(2));
        } finally {
            super.close();
        }
    }
}
