package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.weights.StateDict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hot swap in the inference operator: an update reaches it and later predictions carry the new
 * version and equal the new weights' output; frames buffered before it go through the old model;
 * bad updates are rejected and the serving model stays; the serving version survives a restore.
 */
class InferenceOperatorTest {

    private static final byte[] KEY = "test-key".getBytes(StandardCharsets.UTF_8);

    @TempDir Path dir;

    private KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction>
            harness(InferenceSettings settings) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<
                        String, RawRecord, RawRecord, RawPrediction>(
                        new InferenceOperator(settings, FrameLimits.DEFAULT),
                        new CameraOfRecord(),
                        r -> "model-updates",
                        Types.STRING);
        // A model is larger than the 5 MB memory-backed state allows, as in the job.
        h.setCheckpointStorage(new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri()));
        return h;
    }

    private static RawRecord record(byte[] value) {
        return new RawRecord(
                "model-updates", 0, 0, 0, "student".getBytes(StandardCharsets.UTF_8), value);
    }

    private static List<DeadLetter> deadLetters(
            KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction> h) {
        List<DeadLetter> dead = new ArrayList<>();
        h.getSideOutput(InferenceOperator.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        return dead;
    }

    private static List<RawPrediction> predictions(
            KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction> h) {
        List<RawPrediction> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof RawPrediction p) {
                out.add(p);
            }
        }
        return out;
    }

    /** The class ids of a prediction, from the PNG the operator encoded. */
    private static byte[] classesOf(RawPrediction p) {
        return PredictionMaps.segmentation(p.segmentationPng, p.width, p.height);
    }

    private static byte[] expectedClasses(byte[] checkpoint, DecodedFrame f) throws Exception {
        try (Model m = Model.newInstance("expected")) {
            LoadedCheckpoint lc =
                    Checkpoints.fromBytes(checkpoint, "expected", m.getNDManager(), null);
            try (MtiNetPredictor p =
                    new MtiNetPredictor(
                            lc.net(), m.getNDManager(), TinyModels.H, TinyModels.W, false)) {
                FramePrediction fp =
                        p.predict(List.of(new RgbFrame(f.width, f.height, f.rgb))).get(0);
                return fp.classes();
            }
        }
    }

    /** With and without the codecs and the model beside the task's thread. */
    @ParameterizedTest(name = "overlapped codecs: {0}")
    @ValueSource(booleans = {false, true})
    void updatesSwapBetweenBatchesBadOnesAreRejectedAndTheServingVersionIsRestored(boolean overlap)
            throws Exception {
        Path shipped =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 1, 1));
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(2, 1000)
                        .optDevice("cpu")
                        .optConfidenceThreshold(0.9f)
                        .optKeyFrameEvery(0)
                        .optUpdateKey("test-key")
                        .optThreads(0)
                        .optCodecThreads(0)
                        .optOverlapCodecs(overlap)
                        .build();
        byte[] v2 = TinyModels.checkpoint("student", 2, 2);
        List<DecodedFrame> frames = TinyModels.frames("kitchen", 3, 8);
        OperatorSubtaskState snapshot;
        try (var h = harness(settings)) {
            h.open();
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(0))));
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(1))));
            // One frame waits in the batch when the update comes: it must go through v1.
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(2))));
            h.processElement2(
                    new StreamRecord<>(
                            record(
                                    ModelUpdates.create(
                                                    "student", 2, v2, Map.of("agreement", 0.9), KEY)
                                            .toByteArray())));
            // The update loads on another thread while frames go on through v1; wait for it here so
            // that the test knows which frames come after the swap.
            ((InferenceOperator) h.getOperator()).awaitPendingUpdate();
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(3))));
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(4))));

            // Bad updates: a corrupt checksum, truncated bytes, a wrong architecture, unsigned, an
            // old version.
            ModelUpdate good3 =
                    ModelUpdates.create(
                            "student", 3, TinyModels.checkpoint("student", 3, 3), Map.of(), KEY);
            byte[] corrupt = good3.toBuilder().setSha256("0".repeat(64)).build().toByteArray();
            byte[] truncated = Arrays.copyOf(good3.toByteArray(), good3.getSerializedSize() / 2);
            byte[] otherShape =
                    ModelUpdates.create(
                                    "student",
                                    3,
                                    TinyModels.checkpoint(
                                            "student",
                                            3,
                                            3,
                                            MtiNetConfig.named("lite", MtiNetConfig.nyud13(40))),
                                    Map.of(),
                                    KEY)
                            .toByteArray();
            byte[] unsigned =
                    ModelUpdates.create(
                                    "student",
                                    3,
                                    TinyModels.checkpoint("student", 3, 3),
                                    Map.of(),
                                    null)
                            .toByteArray();
            byte[] wrongKey =
                    ModelUpdates.create(
                                    "student",
                                    3,
                                    TinyModels.checkpoint("student", 3, 3),
                                    Map.of(),
                                    "other".getBytes(StandardCharsets.UTF_8))
                            .toByteArray();
            for (byte[] bad : List.of(corrupt, truncated, otherShape, unsigned, wrongKey)) {
                h.processElement2(new StreamRecord<>(record(bad)));
            }
            ((InferenceOperator) h.getOperator()).awaitPendingUpdate();
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(5))));
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(6))));

            List<RawPrediction> out = awaitPredictions(h, 7);
            assertThat(out).extracting(p -> p.sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(out)
                    .extracting(p -> p.modelVersion)
                    .containsExactly(1L, 1L, 1L, 2L, 2L, 2L, 2L);
            assertThat(classesOf(out.get(3))).containsExactly(expectedClasses(v2, frames.get(3)));
            assertThat(classesOf(out.get(6))).containsExactly(expectedClasses(v2, frames.get(6)));
            assertThat(((InferenceOperator) h.getOperator()).servingVersion()).isEqualTo(2);
            assertThat(h.getOperator().getMetricGroup()).isNotNull();
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(settings)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(7))));
            h.processElement1(new StreamRecord<>(TinyModels.record(frames.get(0))));
            List<RawPrediction> out = awaitPredictions(h, 2);
            assertThat(out).extracting(p -> p.modelVersion).containsExactly(2L, 2L);
            assertThat(classesOf(out.get(0))).containsExactly(expectedClasses(v2, frames.get(7)));
        }
    }

    /** A delta for {@code scope}: every parameter of the tiny student of {@code seed}. */
    private static byte[] sceneDelta(String scope, long version, long baseVersion, int seed)
            throws Exception {
        try (Model m = Model.newInstance("delta")) {
            LoadedCheckpoint lc =
                    Checkpoints.fromBytes(
                            TinyModels.checkpoint("student", version, seed),
                            "adapted",
                            m.getNDManager(),
                            null);
            CheckpointManifest manifest =
                    lc.manifest().toBuilder()
                            .optTraining(
                                    Map.of(
                                            SceneDelta.SCOPE,
                                            scope,
                                            SceneDelta.BASE_VERSION,
                                            baseVersion))
                            .build();
            return SceneDelta.toBytes(
                    lc.net(),
                    manifest,
                    StateDict.parameters(lc.net()).keySet(),
                    DataType.FLOAT32,
                    null);
        }
    }

    /**
     * Per-camera adaptation: a camera's update serves that camera's frames only (the other camera's
     * stay on the shared model, bit for bit), even when both share a batch; a bad update for one
     * camera is rejected for it alone; each camera's version survives a restore.
     */
    @ParameterizedTest(name = "overlapped codecs: {0}")
    @ValueSource(booleans = {false, true})
    void aCamerasUpdateServesThatCameraAloneAndABadOneIsRejectedForItAlone(boolean overlap)
            throws Exception {
        byte[] base = TinyModels.checkpoint("student", 1, 1);
        Path shipped = TinyModels.write(dir, "student.ckpt.zip", base);
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(2, 1000)
                        .optDevice("cpu")
                        .optKeyFrameEvery(0)
                        .optUpdateKey("test-key")
                        .optOverlapCodecs(overlap)
                        .optScope(AdaptationScope.parse("camera", ""))
                        .build();
        List<DecodedFrame> kitchen = TinyModels.frames("kitchen", 3, 3);
        List<DecodedFrame> hall = TinyModels.frames("hall", 4, 3);
        byte[] adapted = TinyModels.checkpoint("student", 2, 2);
        byte[] kitchenV2 = sceneDelta("kitchen", 2, 1, 2);
        // The two models tell their frames apart: else the test could not see which one ran.
        assertThat(expectedClasses(adapted, kitchen.get(0)))
                .isNotEqualTo(expectedClasses(base, kitchen.get(0)));
        OperatorSubtaskState snapshot;
        try (var h = harness(settings)) {
            h.open();
            h.processElement2(
                    new StreamRecord<>(
                            record(
                                    ModelUpdates.create(
                                                    "student", "kitchen", 2, kitchenV2, Map.of(),
                                                    KEY)
                                            .toByteArray())));
            ((InferenceOperator) h.getOperator()).awaitPendingUpdate();
            // For the hall: a delta that lies on another base version, and the kitchen's next
            // update moved to the hall (its signature names the kitchen).
            byte[] otherBase =
                    ModelUpdates.create(
                                    "student",
                                    "hall",
                                    2,
                                    sceneDelta("hall", 2, 5, 3),
                                    Map.of(),
                                    KEY)
                            .toByteArray();
            byte[] moved =
                    ModelUpdates.create(
                                    "student",
                                    "kitchen",
                                    3,
                                    sceneDelta("kitchen", 3, 1, 3),
                                    Map.of(),
                                    KEY)
                            .toBuilder()
                            .setScope("hall")
                            .build()
                            .toByteArray();
            for (byte[] bad : List.of(otherBase, moved)) {
                h.processElement2(new StreamRecord<>(record(bad)));
                ((InferenceOperator) h.getOperator()).awaitPendingUpdate();
            }
            for (int i = 0; i < 2; i++) {
                h.processElement1(new StreamRecord<>(TinyModels.record(kitchen.get(i))));
                h.processElement1(new StreamRecord<>(TinyModels.record(hall.get(i))));
            }
            List<RawPrediction> out = awaitPredictions(h, 4);
            assertThat(out).hasSize(4);
            for (RawPrediction p : out) {
                boolean k = p.cameraId.equals("kitchen");
                DecodedFrame f = (k ? kitchen : hall).get((int) p.sequence);
                assertThat(p.modelVersion).as(p.cameraId).isEqualTo(k ? 2L : 1L);
                assertThat(p.scope).as("%s's adaptation scope", p.cameraId).isEqualTo(p.cameraId);
                assertThat(classesOf(p))
                        .as("%s#%d", p.cameraId, p.sequence)
                        .containsExactly(expectedClasses(k ? adapted : base, f));
            }
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(settings)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement1(new StreamRecord<>(TinyModels.record(hall.get(2))));
            h.processElement1(new StreamRecord<>(TinyModels.record(kitchen.get(2))));
            List<RawPrediction> out = awaitPredictions(h, 2);
            assertThat(out)
                    .extracting(p -> p.cameraId + " v" + p.modelVersion)
                    .containsExactly("hall v1", "kitchen v2");
            assertThat(classesOf(out.get(1)))
                    .containsExactly(expectedClasses(adapted, kitchen.get(2)));
            assertThat(classesOf(out.get(0))).containsExactly(expectedClasses(base, hall.get(2)));
        }
    }

    @Test
    void keyFramesCarryTheStudentsClassesEveryNthFrameOfACamera() throws Exception {
        Path shipped =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 1, 1));
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(1, 1000)
                        .optDevice("cpu")
                        .optConfidenceThreshold(0.9f)
                        .optKeyFrameEvery(3)
                        .optUpdateKey("")
                        .build();
        try (var h = harness(settings)) {
            h.open();
            List<DecodedFrame> frames = TinyModels.frames("hall", 5, 7);
            for (DecodedFrame f : frames) {
                h.processElement1(new StreamRecord<>(TinyModels.record(f)));
                if (f.sequence == 2) {
                    // A record that is no frame: a dead letter with its reason, and the stream goes
                    // on.
                    h.processElement1(
                            new StreamRecord<>(
                                    new RawRecord("frames", 0, 99, 0, null, new byte[] {7, 7, 7})));
                }
            }
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason).isEqualTo("UNPARSABLE");
            assertThat(predictions(h))
                    .extracting(p -> p.sequence)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            // Decoded here from the record (raw RGB: exactly the frame's pixels).
            assertThat(classesOf(predictions(h).get(4)))
                    .containsExactly(
                            expectedClasses(TinyModels.checkpoint("student", 1, 1), frames.get(4)));
            List<KeyFrame> keys = new ArrayList<>();
            h.getSideOutput(InferenceOperator.KEY_FRAMES).forEach(r -> keys.add(r.getValue()));
            assertThat(keys).extracting(k -> k.sequence).containsExactly(0L, 3L, 6L);
            List<RawPrediction> out = predictions(h);
            assertThat(keys.get(1).studentClasses).containsExactly(classesOf(out.get(3)));
            assertThat(keys.get(1).studentVersion).isEqualTo(1);
            assertThat(keys.get(1).rgb.length).isEqualTo(3 * TinyModels.H * TinyModels.W);
        }
    }

    /** With a max lag, frames that reach the operator later than it are shed and counted. */
    @ParameterizedTest(name = "max lag {0} ms")
    @ValueSource(longs = {0, 5000})
    void framesLaterThanTheMaxLagAreShedAndCounted(long maxLagMs) throws Exception {
        Path shipped =
                TinyModels.write(dir, "student.ckpt.zip", TinyModels.checkpoint("student", 1, 1));
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(1, 1000)
                        .optDevice("cpu")
                        .optMaxLagMs(maxLagMs)
                        .build();
        // Record timestamps against a processing time of 100 s: 10 s late, 2 s, unknown (0), 6 s,
        // 0.5 s.
        long[] stamps = {90_000, 98_000, 0, 94_000, 99_500};
        try (var h = harness(settings)) {
            h.open();
            h.setProcessingTime(100_000);
            List<DecodedFrame> frames = TinyModels.frames("porch", 9, stamps.length);
            for (int i = 0; i < stamps.length; i++) {
                RawRecord r = TinyModels.record(frames.get(i));
                r.timestamp = stamps[i];
                h.processElement1(new StreamRecord<>(r));
            }
            InferenceOperator op = (InferenceOperator) h.getOperator();
            if (maxLagMs == 0) {
                assertThat(predictions(h))
                        .extracting(p -> p.sequence)
                        .containsExactly(0L, 1L, 2L, 3L, 4L);
                assertThat(op.framesShed()).isZero();
            } else {
                assertThat(predictions(h)).extracting(p -> p.sequence).containsExactly(1L, 2L, 4L);
                assertThat(op.framesShed()).isEqualTo(2);
            }
            assertThat(h.getSideOutput(InferenceOperator.DEAD_LETTERS))
                    .as("shed frames are not bad records")
                    .isNullOrEmpty();
        }
    }

    @Test
    void aBatchIsDecodedAndEncodedOnSeveralThreadsAndLeavesInOrder() throws Exception {
        byte[] ckpt = TinyModels.checkpoint("student", 1, 1);
        Path shipped = TinyModels.write(dir, "student.ckpt.zip", ckpt);
        // Batches of 5 records on 3 threads: records 0 and 3 of a batch here, 1 and 4 on one
        // helper, 2 on another.
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(5, 1000)
                        .optDevice("cpu")
                        .optConfidenceThreshold(0.9f)
                        .optKeyFrameEvery(0)
                        .optUpdateKey("")
                        .optThreads(0)
                        .optCodecThreads(3)
                        .optOverlapCodecs(false)
                        .build();
        List<DecodedFrame> frames = TinyModels.frames("yard", 10, 11);
        try (var h = harness(settings)) {
            h.open();
            // Third of the second batch, decoded by a helper: a dead letter, and the rest goes on.
            feedWithGarbageAfter(h, frames, 6);
            // The eleventh frame waits for its batch; a checkpoint barrier sends it.
            h.prepareSnapshotPreBarrier(1);
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).extracting(d -> d.reason).containsExactly("UNPARSABLE");
            List<RawPrediction> out = predictions(h);
            assertThat(out)
                    .extracting(p -> p.sequence)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            // Batched as the operator batched them (frames 0-4, 5-8 beside the bad record, 9-10).
            assertEncodedAs(
                    out, directInBatches(ckpt, frames, new int[][] {{0, 5}, {5, 9}, {9, 11}}));
        }
    }

    /**
     * Sends the frames' records, and a garbage record right after the frame of sequence {@code
     * garbageAfter}.
     */
    private static void feedWithGarbageAfter(
            KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction> h,
            List<DecodedFrame> frames,
            long garbageAfter)
            throws Exception {
        for (DecodedFrame f : frames) {
            h.processElement1(new StreamRecord<>(TinyModels.record(f)));
            if (f.sequence == garbageAfter) {
                h.processElement1(
                        new StreamRecord<>(
                                new RawRecord("frames", 0, 99, 0, null, new byte[] {1, 2, 3})));
            }
        }
    }

    /**
     * Direct inference on the frames in the given batches ({from, to} ranges): batched as the
     * operator batched them, its figures are the same to the bit.
     */
    private static List<FramePrediction> directInBatches(
            byte[] ckpt, List<DecodedFrame> frames, int[][] ranges) throws Exception {
        try (Model m = Model.newInstance("expected")) {
            LoadedCheckpoint lc = Checkpoints.fromBytes(ckpt, "expected", m.getNDManager(), null);
            try (MtiNetPredictor p =
                    new MtiNetPredictor(
                            lc.net(), m.getNDManager(), TinyModels.H, TinyModels.W, false)) {
                List<FramePrediction> expected = new ArrayList<>();
                for (int[] range : ranges) {
                    List<RgbFrame> batch = new ArrayList<>();
                    for (DecodedFrame f : frames.subList(range[0], range[1])) {
                        batch.add(new RgbFrame(f.width, f.height, f.rgb));
                    }
                    expected.addAll(p.predict(batch));
                }
                return expected;
            }
        }
    }

    /** Each prediction's maps and confidence are those of the direct inference, to the bit. */
    private static void assertEncodedAs(List<RawPrediction> out, List<FramePrediction> expected) {
        assertThat(out).hasSameSizeAs(expected);
        for (int i = 0; i < out.size(); i++) {
            FramePrediction fp = expected.get(i);
            RawPrediction r = out.get(i);
            assertThat(classesOf(r)).as("classes of frame %d", i).containsExactly(fp.classes());
            assertThat(r.depthPng)
                    .as("depth of frame %d", i)
                    .containsExactly(PredictionMaps.depthPng(fp.depth(), fp.width(), fp.height()));
            assertThat(r.meanConfidence).isEqualTo((float) fp.meanConfidence());
            assertThat(r.confidenceThreshold).isEqualTo(0.9f);
        }
    }

    @Test
    void withOverlappedCodecsBatchesLeaveOnceEncodedThroughTheMailboxInOrder() throws Exception {
        byte[] ckpt = TinyModels.checkpoint("student", 1, 1);
        Path shipped = TinyModels.write(dir, "student.ckpt.zip", ckpt);
        // Batches of 2 records: decoded as they arrive on 3 codec threads, run on the model thread,
        // encoded on the codec threads while the next batch runs.
        InferenceSettings settings =
                InferenceSettings.builder()
                        .setCheckpoint(shipped.toString())
                        .setResolution(TinyModels.H, TinyModels.W)
                        .optBatch(2, 1000)
                        .optDevice("cpu")
                        .optConfidenceThreshold(0.9f)
                        .optKeyFrameEvery(0)
                        .optUpdateKey("")
                        .optThreads(0)
                        .optCodecThreads(3)
                        .optOverlapCodecs(true)
                        .build();
        List<DecodedFrame> frames = TinyModels.frames("yard", 12, 8);
        try (var h = harness(settings)) {
            h.open();
            // Decoded on a codec thread as it arrives: a dead letter, and the rest goes on.
            feedWithGarbageAfter(h, frames, 3);
            // Batches {0, 1}, {2, 3}, {garbage, 4} and {5, 6} leave once encoded, from the mailbox
            // or at a later flush, in order, with no barrier; frame 7 waits for its batch.
            assertThat(awaitPredictions(h, 7))
                    .extracting(p -> p.sequence)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).extracting(d -> d.reason).containsExactly("UNPARSABLE");
            // A checkpoint barrier sends the last frame, encoded before the barrier passes.
            h.prepareSnapshotPreBarrier(1);
            List<RawPrediction> out = predictions(h);
            assertThat(out)
                    .extracting(p -> p.sequence)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            // Mail left for a batch that already left sends nothing twice.
            while (runMail(h)) {
                // drained
            }
            assertThat(predictions(h)).hasSize(8);
            assertEncodedAs(
                    out,
                    directInBatches(
                            ckpt, frames, new int[][] {{0, 2}, {2, 4}, {4, 5}, {5, 7}, {7, 8}}));
        }
    }

    /**
     * The predictions once there are {@code n} (at most a minute), running the task's mail
     * meanwhile as its thread would: batches beside the task leave through it.
     */
    private static List<RawPrediction> awaitPredictions(
            KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction> h,
            int n)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (predictions(h).size() < n && System.nanoTime() < deadline) {
            if (!runMail(h)) {
                Thread.sleep(5);
            }
        }
        return predictions(h);
    }

    /**
     * Runs one mail of the task's mailbox, as the task's thread would between two records; false if
     * none.
     */
    private static boolean runMail(
            KeyedTwoInputStreamOperatorTestHarness<String, RawRecord, RawRecord, RawPrediction> h)
            throws Exception {
        var mail =
                h.getTaskMailbox()
                        .tryTake(
                                org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox
                                        .MIN_PRIORITY);
        if (mail.isEmpty()) {
            return false;
        }
        mail.get().run();
        return true;
    }

    @Test
    void codecsOverlapTheModelOnAGpuUnlessConfigured() {
        assertThat(
                        InferenceSettings.builder()
                                .setCheckpoint("m.ckpt.zip")
                                .setResolution(32, 32)
                                .optBatch(1, 0)
                                .optDevice("gpu")
                                .optConfidenceThreshold(0.9f)
                                .build()
                                .overlapCodecs())
                .isTrue();
        assertThat(
                        InferenceSettings.builder()
                                .setCheckpoint("m.ckpt.zip")
                                .setResolution(32, 32)
                                .optBatch(1, 0)
                                .optDevice("gpu:1")
                                .optConfidenceThreshold(0.9f)
                                .build()
                                .overlapCodecs())
                .isTrue();
        assertThat(
                        InferenceSettings.builder()
                                .setCheckpoint("m.ckpt.zip")
                                .setResolution(32, 32)
                                .optBatch(1, 0)
                                .optDevice("cpu")
                                .optConfidenceThreshold(0.9f)
                                .build()
                                .overlapCodecs())
                .isFalse();
    }
}
