package io.scenestream.operators;

import ai.djl.Model;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.data.Resize;
import io.scenestream.model.inference.FramePrediction;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.inference.RgbFrame;
import io.scenestream.model.selftrain.AdaptiveStride;
import io.scenestream.model.selftrain.PseudoLabeler;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
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
 */
public class TeacherOperator extends AbstractStreamOperator<PseudoLabelRecord>
        implements OneInputStreamOperator<KeyFrame, PseudoLabelRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TeacherOperator.class);

    private final TeacherSettings settings;

    private transient Model model;
    private transient LoadedCheckpoint teacher;
    private transient MtiNetPredictor predictor;
    private transient PseudoLabeler labeler;
    private transient AdaptiveStride strides;
    private transient ValueState<Long> nextAt;
    private transient ValueState<Integer> stride;
    private transient Counter labelled;
    private transient Counter skipped;
    private transient volatile double lastConfidentShare;
    private transient volatile double lastConsistentShare;
    private transient volatile double lastAgreement;
    private transient volatile int lastStride;
    private transient volatile double lastTeacherMs;

    public TeacherOperator(TeacherSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = Model.newInstance("teacher", Devices.of(settings.device(), getRuntimeContext()));
        teacher = Checkpoints.load(Path.of(settings.checkpoint()), model.getNDManager());
        predictor = new MtiNetPredictor(teacher.net(), model.getNDManager(), teacher.manifest().inputHeight(),
                teacher.manifest().inputWidth(), false);
        labeler = new PseudoLabeler(settings.labeler());
        strides = settings.stride();
        nextAt = getRuntimeContext().getState(new ValueStateDescriptor<>("next-labelled-sequence", Types.LONG));
        stride = getRuntimeContext().getState(new ValueStateDescriptor<>("stride", Types.INT));
        labelled = getMetricGroup().counter("pseudoLabels");
        skipped = getMetricGroup().counter("keyFramesSkipped");
        getMetricGroup().gauge("confidentPixelShare", () -> lastConfidentShare);
        getMetricGroup().gauge("consistentDepthShare", () -> lastConsistentShare);
        getMetricGroup().gauge("studentAgreement", () -> lastAgreement);
        getMetricGroup().gauge("stride", () -> lastStride);
        getMetricGroup().gauge("teacherMsPerFrame", () -> lastTeacherMs);
        LOG.info("teacher {} v{} labels key frames (threshold {}, depth flip tolerance {}, stride {}..{})",
                teacher.manifest().modelName(), teacher.manifest().modelVersion(), settings.threshold(),
                settings.maxDepthRelDiff(), settings.minStride(), settings.maxStride());
    }

    @Override
    public void processElement(StreamRecord<KeyFrame> element) throws Exception {
        KeyFrame k = element.getValue();
        Long due = nextAt.value();
        if (due != null && k.sequence < due) {
            skipped.inc();
            return;
        }
        int h = teacher.manifest().inputHeight();
        int w = teacher.manifest().inputWidth();
        byte[] rgb = k.height == h && k.width == w ? k.rgb : Resize.bilinearRgb(k.rgb, k.height, k.width, h, w);
        RgbFrame frame = new RgbFrame(w, h, rgb);
        RgbFrame mirrored = new RgbFrame(w, h, mirror(rgb, h, w));
        long start = System.nanoTime();
        List<FramePrediction> p = predictor.predict(List.of(frame, mirrored));
        lastTeacherMs = (System.nanoTime() - start) / 1e6 / 2;
        PseudoLabeler.Result r = labeler.label(k.cameraId + "#" + k.sequence, rgb, p.get(0), p.get(1));

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
        double agreement = p.get(0).classes() == null ? 1.0 : agreement(student, p.get(0).classes());
        int current = stride.value() == null ? strides.initial() : stride.value();
        int next = strides.next(current, agreement);
        stride.update(next);
        nextAt.update(k.sequence + next);

        PseudoLabel.Builder meta = PseudoLabel.newBuilder()
                .setCameraId(k.cameraId)
                .setSequence(k.sequence)
                .setCaptureTimeUs(k.captureTimeUs)
                .setTeacherName(teacher.manifest().modelName())
                .setTeacherVersion(teacher.manifest().modelVersion())
                .setConfidentShare((float) r.confidentShare())
                .setConsistentDepthShare((float) r.consistentShare())
                .setStudentAgreement((float) agreement)
                .setStudentName(k.studentName == null ? "" : k.studentName)
                .setStudentVersion(k.studentVersion);
        byte[] payload = PseudoLabels.encode(meta, r.sample()).toByteArray();
        labelled.inc();
        lastConfidentShare = r.confidentShare();
        lastConsistentShare = r.consistentShare();
        lastAgreement = agreement;
        lastStride = next;
        output.collect(new StreamRecord<>(new PseudoLabelRecord(k.cameraId, payload)));
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
}
