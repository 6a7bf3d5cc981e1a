package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticDataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-training operator publishes signed updates of accepted rounds, and its student survives
 * a restore.
 */
class SelfTrainingOperatorTest {

    @TempDir Path dir;

    private OneInputStreamOperatorTestHarness<PseudoLabelRecord, SerializedModelUpdate> harness(
            SelfTrainingSettings s) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new SelfTrainingOperator(s));
        h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri()));
        return h;
    }

    private static PseudoLabelRecord record(DenseSample s, long seq) {
        return TinyModels.pseudoLabel("kitchen", s, seq);
    }

    private static List<SerializedModelUpdate> updates(
            OneInputStreamOperatorTestHarness<PseudoLabelRecord, SerializedModelUpdate> h) {
        List<SerializedModelUpdate> out = new ArrayList<>();
        h.extractOutputValues().forEach(out::add);
        return out;
    }

    /**
     * Advances the harness's clock until {@code n} rounds finished (they run on a worker thread).
     */
    private static List<SerializedModelUpdate> awaitRounds(
            OneInputStreamOperatorTestHarness<PseudoLabelRecord, SerializedModelUpdate> h, int n)
            throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        long t = h.getProcessingTime();
        SelfTrainingOperator op = (SelfTrainingOperator) h.getOperator();
        while (op.roundsDone() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t += 250;
            h.setProcessingTime(t);
        }
        return updates(h);
    }

    /**
     * With {@code batch-norm=frames}, after a change of light (daylight to night, seen from the
     * second frame of the night on) the first four held-out frames of the night are the next four
     * frames, then every third again; restored from a checkpoint in the middle of those four, the
     * operator holds out the rest of them. With batch statistics every third frame only. No round
     * runs (the batch is larger than the buffer).
     */
    @Test
    void theFirstFramesOfANewLightAreHeldOutAcrossARestore() throws Exception {
        Path student =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 5, 1));
        List<DenseSample> day = TinyModels.labelled(21, 6);
        List<DenseSample> night =
                SyntheticDataset.frames(22, 6, TinyModels.H, TinyModels.W, Domain.named("night"));
        for (SelfTrainer.Normalisation n : SelfTrainer.Normalisation.values()) {
            if (n == SelfTrainer.Normalisation.RUNNING) {
                continue;
            }
            SelfTrainingSettings settings =
                    SelfTrainingSettings.builder()
                            .setStudentCheckpoint(student.toString())
                            .optTrainer(
                                    SelfTrainer.Settings.builder()
                                            .optBuffers(32, 16, 3)
                                            .optSteps(2, 16)
                                            .optNormalisation(n)
                                            .build())
                            .optRounds(100, 3_600_000)
                            .optWorker(0, 0)
                            .optBudget(0)
                            .build();
            boolean frames = n == SelfTrainer.Normalisation.FRAMES;
            OperatorSubtaskState snapshot;
            try (var h = harness(settings)) {
                h.open();
                for (int i = 0; i < 8; i++) {
                    DenseSample s = i < 6 ? day.get(i) : night.get(i - 6);
                    h.processElement(new StreamRecord<>(record(s, i)));
                }
                // Frames 3 and 6 of daylight; with frames 8, the second of the night, as well.
                assertThat(((SelfTrainingOperator) h.getOperator()).heldOutFrames())
                        .as("%s", n)
                        .isEqualTo(frames ? 3 : 2);
                snapshot = h.snapshot(1, h.getProcessingTime());
            }
            try (var h = harness(settings)) {
                h.initializeState(snapshot);
                h.open();
                for (int i = 8; i < 12; i++) {
                    h.processElement(new StreamRecord<>(record(night.get(i - 6), i)));
                }
                // Then 9, 10, 11 and 12; without frames (or without the held-out frames' light
                // after the restore) 9 and 12.
                assertThat(((SelfTrainingOperator) h.getOperator()).heldOutFrames())
                        .as("%s", n)
                        .isEqualTo(frames ? 7 : 4);
                assertThat(((SelfTrainingOperator) h.getOperator()).roundsDone()).isZero();
            }
        }
    }

    @Test
    void acceptedRoundsBecomeSignedUpdatesAndTheStudentSurvivesARestore() throws Exception {
        Path student =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 5, 1));
        SelfTrainer.Settings trainer =
                SelfTrainer.Settings.builder()
                        .optBuffers(32, 4, 4)
                        .optMinCheckFrames(1)
                        .optSteps(6, 2)
                        .optLearningRate(1e-3f)
                        .optWeightDecay(1e-4f)
                        .optSeed(3)
                        .build();
        SelfTrainingSettings settings =
                SelfTrainingSettings.builder()
                        .setStudentCheckpoint(student.toString())
                        .optTrainer(trainer)
                        .optRounds(6, 3_600_000)
                        .optUpdateKey("k")
                        .optWorker(0, 0)
                        .optBudget(0)
                        .build();
        List<DenseSample> frames = TinyModels.labelled(17, 16);
        OperatorSubtaskState snapshot;
        long version;
        try (var h = harness(settings)) {
            h.open();
            for (int i = 0; i < 8; i++) {
                h.processElement(new StreamRecord<>(record(frames.get(i), i)));
            }
            // Bad records are counted and skipped.
            h.processElement(
                    new StreamRecord<>(new PseudoLabelRecord("kitchen", new byte[] {1, 2, 3})));
            List<SerializedModelUpdate> out = awaitRounds(h, 1);
            assertThat(out).as("the first round (from random weights) is accepted").hasSize(1);
            SerializedModelUpdate u = out.get(0);
            assertThat(u.modelName).isEqualTo("student");
            assertThat(u.version).isEqualTo(6);
            ModelUpdate parsed =
                    ModelUpdates.verify(u.payload, "k".getBytes(StandardCharsets.UTF_8));
            assertThat(parsed.getValidationMap())
                    .containsKeys("agreement", "serving_agreement", "pixel_acc", "rmse");
            try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
                assertThat(
                                Checkpoints.fromBytes(
                                                parsed.getCheckpoint().toByteArray(),
                                                "update",
                                                m,
                                                null)
                                        .manifest()
                                        .modelVersion())
                        .isEqualTo(6);
            }
            version = ((SelfTrainingOperator) h.getOperator()).servingVersion();
            assertThat(version).isEqualTo(6);
            snapshot = h.snapshot(1, h.getProcessingTime());
        }
        // A restored operator trains on from v6 with its buffers, not from the shipped v5.
        try (var h = harness(settings)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(((SelfTrainingOperator) h.getOperator()).servingVersion()).isEqualTo(6);
            for (int i = 8; i < 16; i++) {
                h.processElement(new StreamRecord<>(record(frames.get(i), i)));
            }
            List<SerializedModelUpdate> out = awaitRounds(h, 1);
            assertThat(((SelfTrainingOperator) h.getOperator()).roundsDone()).isEqualTo(1);
            // The round is accepted (one update, v7, never a second v6) or rolled back (none, v6
            // serves on).
            long serving = ((SelfTrainingOperator) h.getOperator()).servingVersion();
            if (serving == 7) {
                assertThat(out).extracting(u -> u.version).containsExactly(7L);
            } else {
                assertThat(serving).isEqualTo(6);
                assertThat(out).isEmpty();
            }
        }
    }
}
