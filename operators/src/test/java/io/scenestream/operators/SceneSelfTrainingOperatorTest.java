package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.model.selftrain.TrainedParts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Self-training per camera: each camera's rounds publish signed updates for that camera alone, as
 * deltas over the shipped student; every camera's version and adapted parameters live in keyed
 * state, and survive a restore at another parallelism.
 */
class SceneSelfTrainingOperatorTest {

    private static final int MAX_PARALLELISM = 128;

    @TempDir Path dir;

    private KeyedOneInputStreamOperatorTestHarness<String, PseudoLabelRecord, SerializedModelUpdate>
            harness(SelfTrainingSettings s, int parallelism, int subtask, String backend)
                    throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SceneSelfTrainingOperator(s),
                        (PseudoLabelRecord r) -> r.cameraId,
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri()));
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static SceneSelfTrainingOperator op(
            KeyedOneInputStreamOperatorTestHarness<String, PseudoLabelRecord, SerializedModelUpdate>
                    h) {
        return (SceneSelfTrainingOperator) h.getOperator();
    }

    /** Advances the harness's clock until {@code n} rounds finished on its worker. */
    private static List<SerializedModelUpdate> awaitRounds(
            KeyedOneInputStreamOperatorTestHarness<String, PseudoLabelRecord, SerializedModelUpdate>
                    h,
            int n)
            throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        long t = h.getProcessingTime();
        while (op(h).roundsDone() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            t += 250;
            h.setProcessingTime(t);
        }
        List<SerializedModelUpdate> out = new ArrayList<>();
        h.extractOutputValues().forEach(out::add);
        return out;
    }

    private static int owner(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                key, MAX_PARALLELISM, parallelism);
    }

    /** On the heap and in RocksDB (job.state-backend), as a job with many cameras keeps it. */
    @ParameterizedTest(name = "state in {0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void eachCameraAdaptsOnItsOwnAndKeepsItsVersionAcrossARescale(String backend) throws Exception {
        Path student =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 5, 1));
        SelfTrainingSettings settings =
                SelfTrainingSettings.builder()
                        .setStudentCheckpoint(student.toString())
                        .optTrainer(
                                SelfTrainer.Settings.builder()
                                        .optBuffers(32, 4, 4)
                                        .optMinCheckFrames(1)
                                        .optSteps(4, 2)
                                        .optLearningRate(1e-3f)
                                        .optSeed(3)
                                        .optParts(TrainedParts.BATCHNORM)
                                        .build())
                        .optRounds(6, 3_600_000)
                        .optUpdateKey("k")
                        .optWorker(0, 0)
                        .optAcceptTolerance(0.999)
                        .optBudget(0)
                        .build();
        List<DenseSample> kitchen = TinyModels.labelled(17, 16);
        List<DenseSample> hall = TinyModels.labelled(23, 4);
        OperatorSubtaskState snapshot;
        try (var h = harness(settings, 1, 0, backend)) {
            h.open();
            for (int i = 0; i < 8; i++) {
                h.processElement(
                        new StreamRecord<>(TinyModels.pseudoLabel("kitchen", kitchen.get(i), i)));
            }
            // The hall has too few frames for a round of its own.
            for (int i = 0; i < hall.size(); i++) {
                h.processElement(
                        new StreamRecord<>(TinyModels.pseudoLabel("hall", hall.get(i), i)));
            }
            List<SerializedModelUpdate> out = awaitRounds(h, 1);
            assertThat(out).as("one update, the kitchen's").hasSize(1);
            SerializedModelUpdate u = out.get(0);
            assertThat(u.scope).isEqualTo("kitchen");
            assertThat(u.key()).isEqualTo("student/kitchen");
            assertThat(u.version).isEqualTo(6);
            ModelUpdate parsed =
                    ModelUpdates.verify(u.payload, "k".getBytes(StandardCharsets.UTF_8));
            assertThat(parsed.getScope()).isEqualTo("kitchen");
            try (NDManager m = NDManager.newBaseManager()) {
                MtiNet base = new MtiNet(MtiNetConfig.named("lite"));
                base.initialize(m, DataType.FLOAT32, new Shape(1, 3, TinyModels.H, TinyModels.W));
                SceneDelta d =
                        SceneDelta.fromBytes(
                                parsed.getCheckpoint().toByteArray(), "update", m, base);
                assertThat(d.scope()).isEqualTo("kitchen");
                assertThat(d.baseVersion()).isEqualTo(5);
                assertThat(d.manifest().modelVersion()).isEqualTo(6);
                // BatchNorm scale, shift and running statistics: a small part of the student.
                long all =
                        io.scenestream.model.weights.StateDict.parameters(base).values().stream()
                                .mapToLong(p -> p.getArray().size())
                                .sum();
                assertThat(d.size()).isPositive().isLessThan(all / 20);
            }
            assertThat(op(h).versionOf("kitchen")).isEqualTo(6);
            assertThat(op(h).versionOf("hall")).isEqualTo(5);
            snapshot = h.snapshot(1, h.getProcessingTime());
        }

        // Restored at parallelism 2: each camera's state goes to the subtask that owns its key.
        int kitchenOwner = owner("kitchen", 2);
        int hallOwner = owner("hall", 2);
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask);
            try (var h = harness(settings, 2, subtask, backend)) {
                h.initializeState(part);
                h.open();
                if (subtask == kitchenOwner) {
                    assertThat(op(h).versionOf("kitchen")).isEqualTo(6);
                    // Trains on from its own v6: the next accepted round is v7.
                    for (int i = 8; i < 16; i++) {
                        h.processElement(
                                new StreamRecord<>(
                                        TinyModels.pseudoLabel("kitchen", kitchen.get(i), i)));
                    }
                    List<SerializedModelUpdate> out = awaitRounds(h, 1);
                    assertThat(out)
                            .extracting(x -> x.scope + " v" + x.version)
                            .containsExactly("kitchen v7");
                    assertThat(op(h).versionOf("kitchen")).isEqualTo(7);
                }
                if (subtask == hallOwner) {
                    assertThat(op(h).versionOf("hall")).isEqualTo(5);
                }
            }
        }
    }
}
