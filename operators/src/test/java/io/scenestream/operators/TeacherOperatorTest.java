package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.kafka.proto.PseudoLabel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher labels on a worker of its own: one frame at a time, others skipped, strides kept per camera. */
class TeacherOperatorTest {

    @TempDir
    Path dir;

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

    private static List<Long> labelledSequences(KeyedOneInputStreamOperatorTestHarness<String, KeyFrame, PseudoLabelRecord> h)
            throws Exception {
        List<Long> out = new ArrayList<>();
        for (PseudoLabelRecord r : h.extractOutputValues()) {
            out.add(PseudoLabel.parseFrom(r.payload).getSequence());
        }
        return out;
    }

    @Test
    void labelsOneFrameAtATimeAndFollowsTheStride() throws Exception {
        Path teacher = TinyModels.write(dir, "teacher.ckpt.zip", TinyModels.checkpoint("teacher", 1, 2));
        // Stride fixed at 4 frames; nice 0 (the test's thread priority).
        TeacherSettings settings = new TeacherSettings(teacher.toString(), "cpu", 0.5f, "", 0.05f, 4, 4, 0.8, 0.95, 0f, 0, 0);
        List<DecodedFrame> frames = TinyModels.frames("porch", 3, 9);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, KeyFrame, PseudoLabelRecord>(
                new TeacherOperator(settings), k -> k.cameraId, Types.STRING)) {
            h.open();
            // Frame 1 comes while frame 0 is being labelled (skipped as busy) or just after (skipped by
            // the stride): either way frame 0 is the only one labelled.
            h.processElement(keyFrame(frames.get(0)), 0);
            h.processElement(keyFrame(frames.get(1)), 0);
            long deadline = System.nanoTime() + 60_000_000_000L;
            long t = 0;
            while (labelledSequences(h).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                h.setProcessingTime(t += 25);
            }
            assertThat(labelledSequences(h)).containsExactly(0L);
            for (int i = 2; i <= 8; i++) {
                h.processElement(keyFrame(frames.get(i)), 0);
                // Wait for each labelling to finish, so that the stride alone decides.
                while (h.getOperator() instanceof TeacherOperator op && op.busy() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    h.setProcessingTime(t += 25);
                }
            }
            h.endInput();
            // Strides of 4 from frame 0: frames 4 and 8.
            assertThat(labelledSequences(h)).containsExactly(0L, 4L, 8L);
            PseudoLabelRecord first = h.extractOutputValues().get(0);
            PseudoLabel p = PseudoLabel.parseFrom(first.payload);
            assertThat(p.getCameraId()).isEqualTo("porch");
            assertThat(p.getTeacherName()).isEqualTo("teacher");
            assertThat(p.getStudentVersion()).isEqualTo(1);
        }
    }
}
