package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.ModelUpdates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher labels on a worker of its own: one frame at a time, others skipped, strides kept per
 * camera; updates of its own model are swapped in, bad ones rejected, the one in use restored with
 * state.
 */
class TeacherOperatorTest {

    private static final byte[] KEY = "test-key".getBytes(StandardCharsets.UTF_8);

    private KeyedTwoInputStreamOperatorTestHarness<String, KeyFrame, RawRecord, PseudoLabelRecord>
            harness(TeacherSettings settings) throws Exception {
        // The update input is broadcast in the job; the harness wants a key for it, which nothing
        // reads.
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<
                        String, KeyFrame, RawRecord, PseudoLabelRecord>(
                        new TeacherOperator(settings), k -> k.cameraId, r -> "", Types.STRING);
        // A model is larger than the 5 MB memory-backed state allows, as in the job.
        h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri()));
        return h;
    }

    private static RawRecord update(byte[] value) {
        return new RawRecord(
                "model-updates", 0, 0, 0, "teacher".getBytes(StandardCharsets.UTF_8), value);
    }

    @TempDir Path dir;

    /**
     * A teacher with a fixed stride, labelling at probability 0.5, on the test's thread priority
     * and without an adaptation budget.
     */
    private static TeacherSettings settings(Path teacher, int stride, String updateKey) {
        return TeacherSettings.builder()
                .setCheckpoint(teacher.toString())
                .optDevice("cpu")
                .optLabels(0.5f, "", 0.05f, 0f)
                .optStride(stride, stride, 0.8, 0.95)
                .optWorker(0, 0)
                .optBudget(0)
                .optUpdateKey(updateKey)
                .build();
    }

    private static KeyFrame keyFrame(DecodedFrame f) {
        KeyFrame k = new KeyFrame();
        k.cameraId = f.cameraId;
        k.sequence = f.sequence;
        k.captureTimeUs = f.captureTimeUs;
        k.width = f.width;
        k.height = f.height;
        k.rgb = f.rgb;
        k.studentClasses = new byte[f.width * f.height];
        k.studentName = "student";
        k.studentVersion = 1;
        return k;
    }

    private static List<Long> labelledSequences(
            KeyedTwoInputStreamOperatorTestHarness<String, KeyFrame, RawRecord, PseudoLabelRecord>
                    h)
            throws Exception {
        List<Long> out = new ArrayList<>();
        for (PseudoLabelRecord r : h.extractOutputValues()) {
            out.add(PseudoLabel.parseFrom(r.payload).getSequence());
        }
        return out;
    }

    @Test
    void labelsOneFrameAtATimeAndFollowsTheStride() throws Exception {
        Path teacher =
                TinyModels.write(dir, "teacher.ckpt.zip", TinyModels.checkpoint("teacher", 1, 2));
        // Stride fixed at 4 frames; nice 0 (the test's thread priority).
        TeacherSettings settings = settings(teacher, 4, "");
        List<DecodedFrame> frames = TinyModels.frames("porch", 3, 9);
        try (var h = harness(settings)) {
            h.open();
            // Frame 1 comes while frame 0 is being labelled (skipped as busy) or just after
            // (skipped by the stride): either way frame 0 is the only one labelled.
            h.processElement1(new StreamRecord<>(keyFrame(frames.get(0))));
            h.processElement1(new StreamRecord<>(keyFrame(frames.get(1))));
            long deadline = System.nanoTime() + 60_000_000_000L;
            long t = 0;
            while (labelledSequences(h).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                h.setProcessingTime(t += 25);
            }
            assertThat(labelledSequences(h)).containsExactly(0L);
            for (int i = 2; i <= 8; i++) {
                h.processElement1(new StreamRecord<>(keyFrame(frames.get(i))));
                // Wait for each labelling to finish, so that the stride alone decides.
                while (h.getOperator() instanceof TeacherOperator op
                        && op.busy()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    h.setProcessingTime(t += 25);
                }
            }
            h.endInput1();
            // Strides of 4 from frame 0: frames 4 and 8.
            assertThat(labelledSequences(h)).containsExactly(0L, 4L, 8L);
            PseudoLabelRecord first = h.extractOutputValues().get(0);
            PseudoLabel p = PseudoLabel.parseFrom(first.payload);
            assertThat(p.getCameraId()).isEqualTo("porch");
            assertThat(p.getTeacherName()).isEqualTo("teacher");
            assertThat(p.getStudentVersion()).isEqualTo(1);
        }
    }

    /**
     * Three cameras whose key frames always come in the same order, faster than the teacher labels:
     * whenever it is free, it takes the waiting frame of the camera it labelled longest ago, so all
     * three are labelled in turn (taking the first frame that comes would label the first camera
     * only).
     */
    @Test
    void camerasShareABusyTeacherInTurn() throws Exception {
        Path teacher =
                TinyModels.write(dir, "teacher.ckpt.zip", TinyModels.checkpoint("teacher", 1, 2));
        TeacherSettings settings = settings(teacher, 1, "");
        List<String> cameras = List.of("attic", "barn", "cellar");
        Map<String, List<DecodedFrame>> frames = new HashMap<>();
        for (int c = 0; c < cameras.size(); c++) {
            frames.put(cameras.get(c), TinyModels.frames(cameras.get(c), 7 + c, 9));
        }
        try (var h = harness(settings)) {
            h.open();
            long deadline = System.nanoTime() + 120_000_000_000L;
            long t = 0;
            for (int i = 0; i < 9; i++) {
                int before = h.extractOutputValues().size();
                for (String camera : cameras) {
                    h.processElement1(new StreamRecord<>(keyFrame(frames.get(camera).get(i))));
                }
                // One label a round of key frames: the teacher is three times too slow.
                while (h.extractOutputValues().size() == before && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                    h.setProcessingTime(t += 25);
                }
            }
            Map<String, Long> labelled = new TreeMap<>();
            for (PseudoLabelRecord r : h.extractOutputValues()) {
                labelled.merge(PseudoLabel.parseFrom(r.payload).getCameraId(), 1L, Long::sum);
            }
            assertThat(h.extractOutputValues()).hasSizeGreaterThanOrEqualTo(9);
            assertThat(labelled)
                    .as("labels by camera")
                    .containsOnlyKeys(cameras)
                    .allSatisfy((camera, n) -> assertThat(n).isGreaterThanOrEqualTo(3));
        }
    }

    /** Labels one frame and waits for its pseudo-label; returns it. */
    private static PseudoLabel labelOne(
            KeyedTwoInputStreamOperatorTestHarness<String, KeyFrame, RawRecord, PseudoLabelRecord>
                    h,
            KeyFrame k,
            long[] clock)
            throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement1(new StreamRecord<>(k));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (h.extractOutputValues().size() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
            h.setProcessingTime(clock[0] += 25);
        }
        List<PseudoLabelRecord> out = h.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return PseudoLabel.parseFrom(out.get(out.size() - 1).payload);
    }

    @Test
    void updatesOfTheTeachersOwnModelAreSwappedInCheckedAndKeptAcrossARestore() throws Exception {
        Path teacher =
                TinyModels.write(dir, "teacher.ckpt.zip", TinyModels.checkpoint("teacher", 1, 1));
        // Stride 1: every frame is labelled.
        TeacherSettings settings = settings(teacher, 1, "test-key");
        List<DecodedFrame> frames = TinyModels.frames("porch", 4, 6);
        long[] clock = {0};
        OperatorSubtaskState snapshot;
        try (var h = harness(settings)) {
            h.open();
            PseudoLabel p0 = labelOne(h, keyFrame(frames.get(0)), clock);
            assertThat(p0.getTeacherName()).isEqualTo("teacher");
            assertThat(p0.getTeacherVersion()).isEqualTo(1);

            // A later teacher, then a corrupt one, an unsigned one, another model's and an older
            // one.
            h.processElement2(
                    new StreamRecord<>(
                            update(
                                    ModelUpdates.create(
                                                    "teacher",
                                                    3,
                                                    TinyModels.checkpoint("teacher", 3, 5),
                                                    Map.of(),
                                                    KEY)
                                            .toByteArray())));
            ModelUpdate v4 =
                    ModelUpdates.create(
                            "teacher", 4, TinyModels.checkpoint("teacher", 4, 6), Map.of(), KEY);
            h.processElement2(
                    new StreamRecord<>(
                            update(
                                    v4.toBuilder()
                                            .setSha256("0".repeat(64))
                                            .build()
                                            .toByteArray())));
            h.processElement2(
                    new StreamRecord<>(
                            update(
                                    ModelUpdates.create(
                                                    "teacher",
                                                    4,
                                                    TinyModels.checkpoint("teacher", 4, 6),
                                                    Map.of(),
                                                    null)
                                            .toByteArray())));
            h.processElement2(
                    new StreamRecord<>(
                            update(
                                    ModelUpdates.create(
                                                    "student",
                                                    5,
                                                    TinyModels.checkpoint("student", 5, 7),
                                                    Map.of(),
                                                    KEY)
                                            .toByteArray())));
            h.processElement2(
                    new StreamRecord<>(
                            update(
                                    ModelUpdates.create(
                                                    "teacher",
                                                    2,
                                                    TinyModels.checkpoint("teacher", 2, 8),
                                                    Map.of(),
                                                    KEY)
                                            .toByteArray())));
            PseudoLabel p1 = labelOne(h, keyFrame(frames.get(1)), clock);
            assertThat(p1.getTeacherName()).isEqualTo("teacher");
            assertThat(p1.getTeacherVersion())
                    .as("v3 swapped in; corrupt, unsigned, other model and older ignored")
                    .isEqualTo(3);
            var metrics = ((TeacherOperator) h.getOperator());
            assertThat(metrics.updatesAccepted()).isEqualTo(1);
            assertThat(metrics.updatesRejected()).isEqualTo(2);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(settings)) {
            h.initializeState(snapshot);
            h.open();
            PseudoLabel p = labelOne(h, keyFrame(frames.get(2)), clock);
            assertThat(p.getTeacherVersion())
                    .as("the restored teacher is the one it used, not the shipped one")
                    .isEqualTo(3);
        }
    }
}
