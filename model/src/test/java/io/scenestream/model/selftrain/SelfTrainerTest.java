package io.scenestream.model.selftrain;

import static io.scenestream.model.selftrain.SelfTrainer.Outcome.ACCEPTED;
import static io.scenestream.model.selftrain.SelfTrainer.Outcome.FROZEN;
import static io.scenestream.model.selftrain.SelfTrainer.Outcome.ROLLED_BACK;
import static io.scenestream.model.selftrain.SelfTrainer.decide;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.train.BatchNormStatistics;
import io.scenestream.model.train.Evaluation;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticDataset;
import io.scenestream.synthetic.SyntheticStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rounds of self-training on a small student: the loss falls, a worse candidate is rolled back, the
 * check looks at the current scene, the frozen student falls back in, state round-trips.
 */
class SelfTrainerTest {

    private static final int H = 64;
    private static final int W = 96;

    private static byte[] freshStudent(long version) throws Exception {
        return fresh("lite", "student", version);
    }

    /** A checkpoint of a freshly initialised model of configuration {@code config}. */
    private static byte[] fresh(String config, String name, long version) throws Exception {
        Engine.getInstance().setRandomSeed(3);
        MtiNetConfig c = MtiNetConfig.named(config);
        try (Model m = Model.newInstance(name)) {
            MtiNet net = new MtiNet(c);
            net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, H, W));
            CheckpointManifest manifest =
                    CheckpointManifest.from(c)
                            .setModelName(name)
                            .setInputSize(H, W)
                            .optModelVersion(version)
                            .build();
            return Checkpoints.toBytes(net, manifest, DataType.FLOAT32, null);
        }
    }

    /**
     * Ground truth of synthetic frames with a quarter of the pixels unlabelled, as a teacher's
     * confident labels would be; of several rooms, one frame of each in turn, as a fleet's cameras
     * deliver them (a room's frames in a row would be a camera whose scene changes).
     */
    private static List<DenseSample> pseudoLabelled(long seed, int n) {
        int perRoom = SyntheticDataset.DEFAULT_FRAMES_PER_ROOM;
        int rooms = (n + perRoom - 1) / perRoom;
        List<DenseSample> grouped =
                SyntheticDataset.frames(seed, rooms * perRoom, H, W, Domain.named("day"));
        List<DenseSample> inTurn = new ArrayList<>();
        for (int i = 0; inTurn.size() < n; i++) {
            inTurn.add(grouped.get((i % rooms) * perRoom + i / rooms));
        }
        return inTurn.stream()
                .map(
                        s -> {
                            int[] sem = s.semseg().clone();
                            float[] dep = s.depth().clone();
                            for (int i = 0; i < sem.length; i += 4) {
                                sem[i] = DenseSample.IGNORE;
                                dep[i] = 0;
                            }
                            return new DenseSample(
                                    s.id(), s.height(), s.width(), s.rgb(), sem, dep);
                        })
                .toList();
    }

    private static SelfTrainer.Settings settings(int steps) {
        return builder(steps).build();
    }

    /** The tests' settings: 64 buffered, 8 held out (every 4th), steps of 4 frames at lr 1e-3. */
    private static SelfTrainer.Settings.Builder builder(int steps) {
        return SelfTrainer.Settings.builder()
                .optBuffers(64, 8, 4)
                .optSteps(steps, 4)
                .optLearningRate(1e-3f)
                .optSeed(11);
    }

    /**
     * A round lowers the loss on its buffer, and its candidate, accepted, is the next version. The
     * fresh student's segmentation agrees with the teacher's on a few percent of the pixels, and
     * fifteen steps move that by a point either way depending on the CPU's rounding (on an AMD EPYC
     * Zen 3 it fell, with either convolution kernels); its depth RMSE falls several times over.
     * Within a tolerance of 0.05 the check judges the candidate by the depth it learnt.
     */
    @Test
    void aRoundLowersTheLossOnItsBufferAndAnAcceptedCandidateIsTheNextVersion() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(1), "fresh student", settings(15))) {
            t.acceptWithin(0.05);
            pseudoLabelled(5, 16).forEach(t::add);
            assertThat(t.bufferSize()).isEqualTo(12);
            assertThat(t.heldOutSize()).isEqualTo(4);
            assertThat(t.canRun()).isTrue();
            double before = t.bufferLoss();
            SelfTrainer.Round r = t.round();
            double after = t.bufferLoss();
            System.out.printf(
                    "self-training round: buffer loss %.3f -> %.3f, agreement %.3f -> %.3f, accepted %s%n",
                    before, after, r.servingAgreement(), r.candidateAgreement(), r.accepted());
            assertThat(r.accepted())
                    .as("serving %s, candidate %s", r.serving(), r.candidate())
                    .isTrue();
            assertThat(r.candidate().depthRmse()).isLessThan(r.serving().depthRmse() / 2);
            assertThat(r.version()).isEqualTo(2);
            assertThat(t.version()).isEqualTo(2);
            assertThat(after).isLessThan(before);
            assertThat(t.sinceRound()).isZero();
        }
    }

    /**
     * Steps on a 32x64 window of each 64x96 frame learn the scene all the same: the candidate,
     * checked on whole frames, agrees with the teacher more than the serving student and serves. A
     * window larger than the student's input is refused, naming both.
     */
    @Test
    void aRoundOnCropsOfItsFramesLearnsTheWholeFrames() throws Exception {
        SelfTrainer.Settings s = builder(15).optBuffers(64, 12, 4).optCrop(32, 64).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
            t.restoreFrames(uniform(42, 12, 0, 1f), uniform(43, 4, 0, 1f));
            SelfTrainer.Round r = t.round();
            assertThat(r.accepted())
                    .as("serving %s, candidate %s", r.serving(), r.candidate())
                    .isTrue();
            assertThat(r.candidate().segmentation()).isGreaterThan(r.serving().segmentation());
            assertThat(r.candidate().depthRmse()).isLessThan(r.serving().depthRmse());
        }
        assertThatThrownBy(
                        () ->
                                new SelfTrainer(
                                        freshStudent(4),
                                        "fresh student",
                                        builder(1).optCrop(96, 96).build()))
                .hasMessageContaining("96x96")
                .hasMessageContaining("64x96");
        assertThatThrownBy(() -> builder(1).optCrop(40, 64).build())
                .hasMessageContaining("multiples of 32");
    }

    /**
     * With only some parts trained, a round changes those and leaves every other weight bit for bit
     * (running statistics aside: every training step updates them).
     */
    @ParameterizedTest
    @EnumSource(
            value = TrainedParts.class,
            names = {"HEADS", "BATCHNORM"})
    void aRoundTrainsOnlyThePartsItIsGiven(TrainedParts parts) throws Exception {
        SelfTrainer.Settings s = builder(3).optParts(parts).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(1), "fresh student", s)) {
            pseudoLabelled(5, 16).forEach(t::add);
            t.acceptWithin(0.999);
            Map<String, float[]> before = t.weights();
            assertThat(t.round().accepted()).isTrue();
            Map<String, float[]> after = t.weights();
            long all = before.values().stream().mapToLong(w -> w.length).sum();
            assertThat(t.trainedValues()).isPositive().isLessThan(all);
            int changed = 0;
            int kept = 0;
            for (String name : before.keySet()) {
                if (name.contains("running_") || name.endsWith("num_batches_tracked")) {
                    continue;
                }
                boolean same = Arrays.equals(before.get(name), after.get(name));
                boolean trained =
                        parts == TrainedParts.HEADS
                                ? !name.startsWith("backbone.")
                                : isBatchNormAffine(name, before);
                if (trained) {
                    changed += same ? 0 : 1;
                } else {
                    assertThat(same).as("%s is frozen", name).isTrue();
                    kept++;
                }
            }
            assertThat(changed).as("trained weights that moved").isGreaterThan(3);
            assertThat(kept).as("frozen weights").isGreaterThan(3);
        }
    }

    /** A BatchNorm's weight or bias: a layer that also has running statistics. */
    private static boolean isBatchNormAffine(String name, Map<String, float[]> weights) {
        String layer = name.substring(0, name.lastIndexOf('.'));
        return (name.endsWith(".weight") || name.endsWith(".bias"))
                && weights.containsKey(layer + ".running_mean");
    }

    private static List<DenseSample> uniform(long seed, int n, int label, float metres) {
        return uniform("day", seed, n, label, metres);
    }

    /**
     * Every 5th frame of a camera walking through one room in the light of {@code domain}, labelled
     * as {@link #uniform(long, int, int, float)}.
     */
    private static List<DenseSample> walk(
            String domain, long seed, int n, int label, float metres) {
        SyntheticStream stream = new SyntheticStream(seed, H, W, Domain.named(domain));
        List<DenseSample> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            DenseSample s = stream.next();
            if (i % 5 == 0) {
                int[] sem = new int[H * W];
                float[] dep = new float[H * W];
                Arrays.fill(sem, label);
                Arrays.fill(dep, metres);
                out.add(new DenseSample(s.id(), H, W, s.rgb(), sem, dep));
            }
        }
        return out;
    }

    /** As {@link #uniform(long, int, int, float)}, frames in the light of {@code domain}. */
    private static List<DenseSample> uniform(
            String domain, long seed, int n, int label, float metres) {
        return SyntheticDataset.frames(seed, n, H, W, Domain.named(domain)).stream()
                .map(
                        s -> {
                            int[] sem = new int[H * W];
                            float[] dep = new float[H * W];
                            Arrays.fill(sem, label);
                            Arrays.fill(dep, metres);
                            return new DenseSample(s.id(), H, W, s.rgb(), sem, dep);
                        })
                .toList();
    }

    /**
     * Frames the teacher sees as class 0 on their left three quarters and class 7 on their right
     * quarter, sure of the right quarter only: with {@code confidentOnly} its pseudo-labels (the
     * rest ignored), else its prediction at every pixel. No depth.
     */
    private static List<DenseSample> sureOfTheRightQuarter(
            long seed, int n, boolean confidentOnly) {
        return SyntheticDataset.frames(seed, n, H, W, Domain.named("day")).stream()
                .map(
                        s -> {
                            int[] sem = new int[H * W];
                            for (int i = 0; i < sem.length; i++) {
                                boolean right = i % W >= 3 * W / 4;
                                sem[i] = right ? 7 : confidentOnly ? DenseSample.IGNORE : 0;
                            }
                            return new DenseSample(s.id(), H, W, s.rgb(), sem, null);
                        })
                .toList();
    }

    /**
     * A candidate trained on the few pixels the teacher is sure of spreads them over the whole
     * frame. On those pixels it agrees with the teacher better than the serving student; against
     * the teacher's prediction at every pixel, which is what held-out frames carry, it agrees worse
     * and does not serve. (Steps on BatchNorm's running statistics, so that 40 steps of a fresh
     * student change what it computes at inference, not only in training.)
     */
    @Test
    void aCandidateThatAgreesOnlyWhereTheTeacherIsSureIsRejected() throws Exception {
        SelfTrainer.Settings s =
                builder(40).optNormalisation(SelfTrainer.Normalisation.RUNNING).build();
        for (boolean everywhere : List.of(true, false)) {
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                // The serving student sees class 0, right on three quarters of a frame.
                t.restoreFrames(uniform(60, 12, 0, 1f), uniform(61, 4, 0, 1f));
                assertThat(t.round().accepted()).isTrue();
                t.restoreFrames(
                        sureOfTheRightQuarter(62, 12, true),
                        sureOfTheRightQuarter(63, 4, !everywhere));
                SelfTrainer.Round r = t.round();
                assertThat(r.outcome())
                        .as(
                                "checked %s: serving %s, candidate %s",
                                everywhere ? "everywhere" : "where the teacher is sure",
                                r.serving(),
                                r.candidate())
                        .isEqualTo(everywhere ? ROLLED_BACK : ACCEPTED);
                assertThat(t.version()).isEqualTo(everywhere ? 5 : 6);
            }
        }
    }

    @Test
    void aCandidateThatAgreesLessWithTheTeacherIsRolledBack() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(15))) {
            // First the teacher says "class 0 at 1 m" on every frame: the student learns it.
            List<DenseSample> held = uniform(9, 4, 0, 1f);
            t.restoreFrames(uniform(10, 12, 0, 1f), held);
            SelfTrainer.Round first = t.round();
            assertThat(first.accepted()).isTrue();
            assertThat(t.version()).isEqualTo(5);
            // Then training frames say "class 7 at 8 m" while the held-out frames still say
            // otherwise: the candidate drifts away from the teacher on the held-out set and must
            // not serve.
            t.restoreFrames(uniform(11, 12, 7, 8f), held);
            Map<String, float[]> before = t.weights();
            SelfTrainer.Round r = t.round();
            assertThat(r.accepted())
                    .as("agreement %f -> %f", r.servingAgreement(), r.candidateAgreement())
                    .isFalse();
            assertThat(r.candidateAgreement()).isLessThan(r.servingAgreement());
            assertThat(r.version()).isEqualTo(5);
            assertThat(t.version()).isEqualTo(5);
            Map<String, float[]> after = t.weights();
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((name, w) -> assertSameWeights(name, after.get(name), w));
        }
    }

    @Test
    void theCheckWantsNoTaskWorseThanTheServingOrTheFrozenStudent() {
        SelfTrainer.Agreement serving = new SelfTrainer.Agreement(0.50, 0.80);
        SelfTrainer.Agreement frozen = new SelfTrainer.Agreement(0.45, 0.70);
        // Better on both tasks: serves.
        assertThat(decide(serving, a(0.52, 0.81), frozen, 0, 0.01)).isEqualTo(ACCEPTED);
        // Better overall but worse on one task: rolled back, unless within the tolerance.
        assertThat(decide(serving, a(0.60, 0.79), frozen, 0, 0.01)).isEqualTo(ROLLED_BACK);
        assertThat(decide(serving, a(0.60, 0.79), frozen, 0.02, 0.01)).isEqualTo(ACCEPTED);
        // Better than the serving student, which trails the frozen one on segmentation, but still
        // behind the frozen student: the frozen student serves again.
        SelfTrainer.Agreement behind = new SelfTrainer.Agreement(0.40, 0.80);
        assertThat(decide(behind, a(0.42, 0.80), frozen, 0, 0.01)).isEqualTo(FROZEN);
        // Within the margin of the frozen student: no fallback, and the candidate serves.
        assertThat(decide(behind, a(0.445, 0.80), frozen, 0, 0.01)).isEqualTo(ACCEPTED);
        assertThat(decide(a(0.445, 0.80), a(0.44, 0.80), frozen, 0, 0.01)).isEqualTo(ROLLED_BACK);
        // Outputs that are not finite never serve.
        assertThat(decide(serving, a(Double.NaN, Double.NaN), null, 0, 0.01))
                .isEqualTo(ROLLED_BACK);
        // A task without pseudo-labels does not count.
        assertThat(decide(a(0.5, Double.NaN), a(0.51, Double.NaN), null, 0, 0.01))
                .isEqualTo(ACCEPTED);
        assertThat(a(0.5, Double.NaN).overall()).isEqualTo(0.5);
    }

    private static SelfTrainer.Agreement a(double segmentation, double depth) {
        return new SelfTrainer.Agreement(segmentation, depth);
    }

    @Test
    void aCandidateCloserOnNearPixelsButFartherOnFarOnesIsRejected() {
        // The teacher's depth of a room: a near wall at 1 m on half the pixels, the far one at 6 m.
        int n = 100;
        float[] teacher = new float[n];
        float[] serving = new float[n];
        float[] candidate = new float[n];
        for (int i = 0; i < n; i++) {
            boolean near = i < n / 2;
            teacher[i] = near ? 1f : 6f;
            // The serving student: 20% off everywhere.
            serving[i] = teacher[i] * 1.2f;
            // The candidate: right at the near wall, 35% off at the far one.
            candidate[i] = near ? 1f : 6f * 1.35f;
        }
        SelfTrainer.Agreement s = agreementOf(serving, teacher);
        SelfTrainer.Agreement c = agreementOf(candidate, teacher);
        // Abs rel: 0.2 against 0.175, so 1 - abs rel favours the candidate ...
        assertThat(s.depth()).isCloseTo(0.8, within(1e-6));
        assertThat(c.depth()).isCloseTo(0.825, within(1e-6));
        // ... while its RMSE, sqrt(2.1^2 / 2) = 1.485 m against sqrt((0.2^2 + 1.2^2) / 2) = 0.860
        // m, is far worse: it does not serve.
        assertThat(c.depthRmse()).isCloseTo(Math.sqrt(2.1 * 2.1 / 2), within(1e-4));
        assertThat(s.depthRmse()).isCloseTo(Math.sqrt((0.04 + 1.44) / 2), within(1e-4));
        assertThat(decide(s, c, null, 0, 0.01)).isEqualTo(ROLLED_BACK);
        assertThat(c.worseThan(s, 0)).containsExactly("depth RMSE");
        // With an RMSE on both sides the RMSE judges depth: the serving student, farther from the
        // teacher in abs rel, is not worse than the candidate; abs rel judges only without one.
        assertThat(s.worseThan(c, 0)).isEmpty();
        assertThat(a(0.5, 0.8).worseThan(a(0.5, 0.825), 0)).containsExactly("depth abs rel");
        assertThat(new SelfTrainer.Agreement(0.4, 0.7, s.depthRmse()).worseThan(s, 0))
                .containsExactly("segmentation");
        // Nor is a serving student that is worse on the far wall than the frozen one kept.
        assertThat(decide(c, c, s, 0, 0.01)).isEqualTo(FROZEN);
        // The RMSE may rise by the tolerance, as a share.
        SelfTrainer.Agreement slightlyFarther =
                new SelfTrainer.Agreement(s.segmentation(), 0.81, s.depthRmse() * 1.015);
        assertThat(decide(s, slightlyFarther, null, 0.02, 0.01)).isEqualTo(ACCEPTED);
        assertThat(decide(s, slightlyFarther, null, 0.01, 0.01)).isEqualTo(ROLLED_BACK);
    }

    private static SelfTrainer.Agreement agreementOf(float[] depth, float[] teacher) {
        DepthMetrics m = new DepthMetrics();
        m.update(depth, teacher);
        Map<String, Double> metrics = new LinkedHashMap<>(m.toMap());
        metrics.put(SegmentationMetrics.MIOU, 0.5);
        return SelfTrainer.Agreement.of(new Evaluation.Result(1, metrics));
    }

    @Test
    void withAToleranceACandidateThatAgreesALittleLessIsAccepted() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(15))) {
            assertThatThrownBy(() -> t.acceptWithin(-0.1)).hasMessageContaining("tolerance");
            assertThatThrownBy(() -> t.acceptWithin(1)).hasMessageContaining("tolerance");
            // A candidate drifting from the teacher's class on the held-out frames (not from its
            // depth: how far a fresh student's depth drifts is up to the CPU's rounding), within
            // the tolerance: it serves.
            List<DenseSample> held = uniform(9, 4, 0, 1f);
            t.restoreFrames(uniform(10, 12, 0, 1f), held);
            assertThat(t.round().accepted()).isTrue();
            t.restoreFrames(uniform(11, 12, 7, 1f), held);
            t.acceptWithin(0.999);
            SelfTrainer.Round r = t.round();
            assertThat(r.candidateAgreement()).isLessThan(r.servingAgreement());
            assertThat(r.accepted())
                    .as("serving %s, candidate %s", r.serving(), r.candidate())
                    .isTrue();
            assertThat(t.version()).isEqualTo(6);
        }
    }

    private static List<DenseSample> concat(List<DenseSample> a, List<DenseSample> b) {
        List<DenseSample> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * After a shift the held-out set still holds frames of the scene before it. A candidate that
     * learnt the old scene again agrees better with the teacher on those, worse on the current
     * scene: the check, on the newest frames only, rejects it. Checked on the old frames, a
     * candidate trained the same way agrees better on segmentation (on all twelve it may agree
     * better or worse, as the processor's rounding has its few steps move the class-0 frames).
     */
    @Test
    void aCandidateWorseOnTheCurrentSceneButBetterOnOldFramesIsRejected() throws Exception {
        SelfTrainer.Settings newest4 = builder(15).optBuffers(64, 12, 4).optCheck(4, 0.01).build();
        SelfTrainer.Settings old8 = builder(15).optBuffers(64, 12, 4).optCheck(8, 0.01).build();
        // Held out, oldest first: 8 frames of the old scene ("class 7 at 8 m"), then, for the
        // check on the newest, 4 of the current one ("class 0 at 1 m"); training frames of the
        // old scene.
        List<DenseSample> old = uniform(40, 8, 7, 8f);
        for (SelfTrainer.Settings s : List.of(newest4, old8)) {
            List<DenseSample> held = s == newest4 ? concat(old, uniform(41, 4, 0, 1f)) : old;
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                // The serving student knows the current scene.
                t.restoreFrames(uniform(42, 12, 0, 1f), uniform(43, 4, 0, 1f));
                assertThat(t.round().accepted()).isTrue();
                t.restoreFrames(uniform(44, 12, 7, 8f), held);
                Map<String, float[]> before = t.weights();
                SelfTrainer.Round r = t.round();
                if (s == newest4) {
                    assertThat(r.candidate().segmentation())
                            .as("serving %s, candidate %s", r.serving(), r.candidate())
                            .isLessThan(r.serving().segmentation());
                    assertThat(r.outcome()).isEqualTo(ROLLED_BACK);
                    assertThat(r.worseOn()).contains("segmentation");
                    assertThat(t.version()).isEqualTo(5);
                    Map<String, float[]> after = t.weights();
                    before.forEach((name, w) -> assertSameWeights(name, after.get(name), w));
                } else {
                    assertThat(r.candidate().segmentation())
                            .as("serving %s, candidate %s", r.serving(), r.candidate())
                            .isGreaterThan(r.serving().segmentation());
                }
            }
        }
    }

    /**
     * The same after a change of light, with every held-out frame a check frame by count: the
     * frames of the old light are told apart by their colours and left out of the check, and the
     * candidate that learnt the old scene again is rejected. Without telling scenes apart it would
     * have served.
     */
    @Test
    void afterAChangeOfLightOnlyFramesOfTheNewLightAreCheckFrames() throws Exception {
        for (double tolerance : List.of(CurrentScene.DEFAULT_TOLERANCE, 0.0)) {
            SelfTrainer.Settings s =
                    builder(15)
                            .optBuffers(64, 12, 4)
                            .optCheck(12, 0.01)
                            .optSceneTolerance(tolerance)
                            .build();
            // Held out, oldest first: 8 frames of the old scene in daylight ("class 7 at 8 m"),
            // then 4 under a warm lamp ("class 0 at 1 m"); training frames of the old scene.
            List<DenseSample> held =
                    concat(uniform(40, 8, 7, 8f), uniform("warm-lamp", 41, 4, 0, 1f));
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                t.restoreFrames(
                        uniform("warm-lamp", 42, 12, 0, 1f), uniform("warm-lamp", 43, 4, 0, 1f));
                assertThat(t.round().accepted()).isTrue();
                t.restoreFrames(uniform(44, 12, 7, 8f), held);
                SelfTrainer.Round r = t.round();
                assertThat(r.outcome())
                        .as(
                                "scene tolerance %s: serving %s, candidate %s",
                                tolerance, r.serving(), r.candidate())
                        .isEqualTo(tolerance > 0 ? ROLLED_BACK : ACCEPTED);
                // No buffered frame is of the new light: the steps drew from all twelve.
                assertThat(r.trainingFrames()).isEqualTo(12);
            }
        }
    }

    /**
     * A round that begins before a change of light and ends after it: the frames that arrive while
     * it trains are among those it is checked on, so the candidate that learnt the old scene is
     * judged on the new one, where it is worse, and rolled back. Judged on the frames it began with
     * (nothing offered meanwhile) the same candidate serves.
     */
    @Test
    void aRoundIsCheckedOnTheFramesThatArriveWhileItTrains() throws Exception {
        for (boolean lightChanges : List.of(true, false)) {
            SelfTrainer.Settings s = builder(15).optBuffers(64, 12, 4).optCheck(4, 0.01).build();
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                SelfTrainer.Round r =
                        dayRoundDuringWhichArrive(
                                t, lightChanges ? uniform("warm-lamp", 46, 4, 0, 1f) : List.of());
                assertThat(r.outcome())
                        .as(
                                "light changes %s: serving %s, candidate %s",
                                lightChanges, r.serving(), r.candidate())
                        .isEqualTo(lightChanges ? ROLLED_BACK : ACCEPTED);
                assertThat(t.heldOutSize()).isEqualTo(lightChanges ? 8 : 4);
                assertThat(r.checkFrames()).isEqualTo(4);
                assertThat(r.newCheckFrames()).isEqualTo(lightChanges ? 4 : 0);
                assertThat(r.trainingFrames()).isPositive().isLessThanOrEqualTo(t.bufferSize());
            }
        }
    }

    /**
     * A round that ends right after a change of light, with two frames of the new light to judge
     * its candidate on: with the default of at least four it is rolled back; allowed to judge on
     * one, the same candidate, better on those two frames, serves. Better in segmentation: fifteen
     * steps leave a fresh student's depth some 150 m from the 8 m it learns, and which of two such
     * students is nearer depends on the CPU's rounding (on an Intel Xeon with AVX-512 the candidate
     * was 5% farther with oneDNN, 19% nearer with libtorch's native convolutions), so the check
     * allows depth a tolerance of 0.25 here.
     */
    @Test
    void aCandidateIsNotJudgedOnTooFewFramesOfTheNewLight() throws Exception {
        for (int fewest : List.of(SelfTrainer.Settings.DEFAULT_MIN_CHECK_FRAMES, 1)) {
            SelfTrainer.Settings s =
                    builder(15)
                            .optBuffers(64, 12, 4)
                            .optCheck(4, 0.01)
                            .optMinCheckFrames(fewest)
                            .build();
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                t.acceptWithin(0.25);
                SelfTrainer.Round r =
                        dayRoundDuringWhichArrive(t, uniform("warm-lamp", 46, 2, 7, 8f));
                assertThat(r.checkFrames()).as("frames of the new light").isEqualTo(2);
                assertThat(r.outcome())
                        .as(
                                "at least %d: serving %s, candidate %s",
                                fewest, r.serving(), r.candidate())
                        .isEqualTo(fewest > 2 ? ROLLED_BACK : ACCEPTED);
            }
        }
        assertThatThrownBy(() -> builder(1).optCheck(4, 0.01).optMinCheckFrames(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 4]");
    }

    /**
     * The serving student learns "class 0 at 1 m" under a warm lamp (a first round); the next round
     * trains in daylight on "class 7 at 8 m", and after its last step the held-out frames {@code
     * arriving} come in.
     */
    private static SelfTrainer.Round dayRoundDuringWhichArrive(
            SelfTrainer t, List<DenseSample> arriving) throws Exception {
        return dayRoundDuringWhichArrive(t, arriving, 15);
    }

    /** As above, the frames arriving after step {@code step} of the day round. */
    private static SelfTrainer.Round dayRoundDuringWhichArrive(
            SelfTrainer t, List<DenseSample> arriving, int step) throws Exception {
        t.restoreFrames(uniform("warm-lamp", 42, 12, 0, 1f), uniform("warm-lamp", 43, 4, 0, 1f));
        assertThat(t.round().accepted()).isTrue();
        t.restoreFrames(uniform(44, 12, 7, 8f), uniform(45, 4, 7, 8f));
        int[] steps = {0};
        t.betweenSteps(
                () -> {
                    if (++steps[0] == step) {
                        arriving.forEach(f -> t.offer(() -> f, true));
                    }
                });
        return t.round();
    }

    /**
     * Held-out frames of a new light that arrive after the third of a round's fifteen steps stop it
     * there: rolled back, not judged, the serving weights as they were. The next round is not
     * {@link SelfTrainer#ready ready} until the buffer has two batches of frames of the new light,
     * and then trains on those only. More frames of the same room, or of another room in the same
     * light, arriving as early do not stop a round.
     */
    @Test
    void aRoundStopsWhenTheLightChangesDuringItsSteps() throws Exception {
        SelfTrainer.Settings s = builder(15).optBuffers(64, 12, 4).optCheck(4, 0.01).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
            // The next four frames of the held-out frames' room.
            SelfTrainer.Round same =
                    dayRoundDuringWhichArrive(t, uniform(45, 8, 7, 8f).subList(4, 8), 3);
            assertThat(same.stopped()).isFalse();
            assertThat(same.newCheckFrames()).isEqualTo(4);
            assertThat(t.ready()).isTrue();
        }
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
            // Four frames of another daylight room: a jump for the test relative to the camera's
            // own frames, so they alone are the current scene, but in the light of the frames the
            // round trains on.
            SelfTrainer.Round otherRoom = dayRoundDuringWhichArrive(t, uniform(46, 4, 7, 8f), 3);
            assertThat(otherRoom.stopped()).isFalse();
            assertThat(otherRoom.checkFrames()).isEqualTo(4);
            assertThat(otherRoom.newCheckFrames()).isEqualTo(4);
        }
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
            // A walk through one room under a warm lamp: four frames held out, eight for training.
            List<DenseSample> room = walk("warm-lamp", 46, 12, 0, 1f);
            List<DenseSample> warm = room.subList(0, 4);
            int[] steps = {0};
            t.restoreFrames(
                    uniform("warm-lamp", 42, 12, 0, 1f), uniform("warm-lamp", 43, 4, 0, 1f));
            assertThat(t.round().accepted()).isTrue();
            long version = t.version();
            Map<String, float[]> serving = copy(t.weights());
            t.restoreFrames(uniform(44, 12, 7, 8f), uniform(45, 4, 7, 8f));
            t.betweenSteps(
                    () -> {
                        if (++steps[0] == 3) {
                            warm.forEach(f -> t.offer(() -> f, true));
                        }
                    });
            SelfTrainer.Round r = t.round();
            assertThat(r.stopped()).isTrue();
            assertThat(r.stoppedAfter()).isEqualTo(3);
            assertThat(steps[0]).as("no step or validation after the third").isEqualTo(3);
            assertThat(r.outcome()).isEqualTo(ROLLED_BACK);
            assertThat(r.trained()).isTrue();
            assertThat(r.candidateAgreement()).isNaN();
            assertThat(r.checkFrames()).as("check frames of the new light").isEqualTo(4);
            assertThat(t.version()).isEqualTo(version);
            Map<String, float[]> after = t.weights();
            serving.forEach((name, w) -> assertSameWeights(name, after.get(name), w));
            // No training frame of the new light yet, then up to seven, then two batches.
            assertThat(t.ready()).isFalse();
            assertThat(t.readiness())
                    .isEqualTo(
                            "0 of 12 training frames in the light of the 4 held-out frames since"
                                    + " its change");
            List<DenseSample> warmTraining = room.subList(4, 12);
            for (int i = 0; i < 8; i++) {
                assertThat(t.ready()).as("%d training frames of the new light", i).isFalse();
                t.add(warmTraining.get(i), false);
            }
            assertThat(t.ready()).as(t.readiness()).isTrue();
            t.betweenSteps(null);
            SelfTrainer.Round next = t.round();
            assertThat(next.stopped()).isFalse();
            assertThat(next.trainingFrames()).as("frames of the new light only").isEqualTo(8);
        }
    }

    /**
     * With {@code batch-norm=frames}, after a change of light the first round checks the serving
     * weights with the BatchNorm statistics of the newest frames of the new light, training frames
     * then held-out ones, pooled with the frozen student's, no step: it serves (every candidate
     * does within this tolerance) with exactly those statistics and weights untouched. The next
     * round on the same light trains, and its candidate serves with the statistics of its newest
     * training frames as its steps left the weights. A camera in the light it started in trains
     * from the first round (its statistics are taken to be the shipped ones'), and so does one
     * whose light cannot change (no scene tolerance); frames of another light than its statistics'
     * make the next round check statistics first.
     */
    @Test
    void aFramesRoundFirstTriesTheStatisticsOfANewLight() throws Exception {
        SelfTrainer.Settings s =
                builder(1).optNormalisation(SelfTrainer.Normalisation.FRAMES).build();
        byte[] student = freshStudent(4);
        try (SelfTrainer t = new SelfTrainer(student, "fresh student", s);
                NDManager m = NDManager.newBaseManager()) {
            t.keepFrozen(student, "fresh student");
            List<DenseSample> day = walk("day", 69, 8, 0, 1f);
            List<DenseSample> warm = walk("warm-lamp", 70, 16, 0, 1f);
            List<DenseSample> training = warm.subList(0, 12);
            List<DenseSample> held = warm.subList(12, 16);
            t.restoreFrames(concat(day, training), held);
            t.acceptWithin(0.999);
            Map<String, float[]> before = t.weights();
            Map<String, float[]> frozen = runningStatistics(t);

            SelfTrainer.Round quick = t.round();
            assertThat(quick.accepted()).isTrue();
            assertThat(quick.statisticsOnly()).isTrue();
            assertThat(quick.statisticsFrames()).as("the new light's frames").isEqualTo(16);
            Map<String, float[]> served = t.weights();
            before.forEach(
                    (name, w) -> {
                        if (!name.endsWith("running_mean") && !name.endsWith("running_var")) {
                            assertSameWeights(name, served.get(name), w);
                        }
                    });
            assertThat(largestChange(before, served)).as("statistics set").isGreaterThan(0.05);
            assertStatisticsOf(t, m, concat(training, held), frozen);

            SelfTrainer.Round steps = t.round();
            assertThat(steps.trained()).as("the same light: steps").isTrue();
            assertThat(steps.accepted()).isTrue();
            assertThat(steps.statisticsFrames()).isEqualTo(12);
            assertStatisticsOf(t, m, training, frozen);
        }
        SelfTrainer.Settings oneScene =
                builder(1)
                        .optNormalisation(SelfTrainer.Normalisation.FRAMES)
                        .optSceneTolerance(0)
                        .build();
        try (SelfTrainer t = new SelfTrainer(student, "fresh student", oneScene);
                NDManager m = NDManager.newBaseManager()) {
            t.keepFrozen(student, "fresh student");
            List<DenseSample> training = uniform(70, 20, 0, 1f);
            t.restoreFrames(training, uniform(71, 4, 0, 1f));
            t.acceptWithin(0.999);
            Map<String, float[]> frozen = runningStatistics(t);
            assertThat(t.statisticsDue()).isFalse();
            SelfTrainer.Round steps = t.round();
            assertThat(steps.trained()).as("no scene tolerance: steps").isTrue();
            assertThat(steps.accepted()).isTrue();
            assertThat(steps.statisticsFrames()).isEqualTo(16);
            assertStatisticsOf(t, m, training.subList(4, 20), frozen);
        }
        SelfTrainer.Settings scenes =
                builder(1).optNormalisation(SelfTrainer.Normalisation.FRAMES).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", scenes)) {
            List<DenseSample> day = walk("day", 72, 24, 0, 1f);
            t.restoreFrames(day.subList(0, 20), day.subList(20, 24));
            t.acceptWithin(0.999);
            assertThat(t.statisticsDue()).as("the light the camera started in").isFalse();
            assertThat(t.round().trained()).isTrue();
            List<DenseSample> warm = walk("warm-lamp", 73, 24, 0, 1f);
            t.restoreFrames(warm.subList(0, 20), warm.subList(20, 24));
            assertThat(t.round().statisticsOnly()).as("another light").isTrue();
        }
    }

    /**
     * A statistics-only candidate that agrees less with the teacher is a round of its own, rolled
     * back: the serving weights and statistics stay, bit for bit. The rounds after it train while
     * the light is the same; frames of another light bring a statistics candidate again. A scene
     * carries the rejection: entered with it, its round trains.
     */
    @Test
    void aRejectedStatisticsCandidateIsARoundOfItsOwnAndTheNextTrains() throws Exception {
        SelfTrainer.Settings s =
                builder(1).optNormalisation(SelfTrainer.Normalisation.FRAMES).build();
        byte[] student = freshStudent(4);
        try (SelfTrainer t = new SelfTrainer(student, "fresh student", s)) {
            // Held-out frames labelled as the serving student sees them: it agrees with them
            // fully, a student normalised as the training frames less.
            List<DenseSample> night = walk("night", 80, 24, 0, 1f);
            List<DenseSample> training = concat(walk("day", 79, 8, 0, 1f), night.subList(0, 20));
            List<DenseSample> held = asSeenBy(t, night.subList(20, 24));
            t.restoreFrames(training, held);
            Map<String, float[]> before = t.weights();

            SelfTrainer.Round quick = t.round();
            assertThat(quick.statisticsOnly()).isTrue();
            assertThat(quick.outcome())
                    .as("serving %s, candidate %s", quick.serving(), quick.candidate())
                    .isEqualTo(ROLLED_BACK);
            assertThat(quick.worseOn()).contains("depth RMSE");
            assertThat(quick.version()).isEqualTo(4);
            assertThat(t.statisticsRejected()).isTrue();
            Map<String, float[]> after = t.weights();
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((name, w) -> assertSameWeights(name, after.get(name), w));

            for (int i = 0; i < 2; i++) {
                SelfTrainer.Round steps = t.round();
                assertThat(steps.trained()).as("round %d of the same light", i + 2).isTrue();
                assertThat(steps.accepted()).isFalse();
            }
            List<DenseSample> warm = walk("warm-lamp", 82, 24, 0, 1f);
            t.restoreFrames(
                    concat(night.subList(0, 8), warm.subList(0, 20)),
                    asSeenBy(t, warm.subList(20, 24)));
            assertThat(t.round().statisticsOnly()).as("another light").isTrue();

            t.keepFrozen(student, "fresh student");
            t.enter(new SelfTrainer.Scene(null, 4, true, training, held, true), "a");
            assertThat(t.statisticsRejected()).isTrue();
            assertThat(t.round().trained()).as("a scene whose statistics were rejected").isTrue();
            t.enter(new SelfTrainer.Scene(null, 4, true, training, held), "a");
            assertThat(t.statisticsRejected()).isFalse();
            assertThat(t.round().statisticsOnly()).as("a scene serving the shipped").isTrue();
        }
    }

    /**
     * A statistics candidate left unjudged is not a rejected one: a frame of another light that
     * arrives while its statistics are set leaves one check frame of the current scene, too few to
     * judge it; it is rolled back, and when its light's frames are the newest again the next round
     * tries its statistics again, where a rejected candidate's light would have the rounds train.
     */
    @Test
    void aStatisticsCandidateLeftUnjudgedIsTriedAgain() throws Exception {
        SelfTrainer.Settings s =
                builder(1).optNormalisation(SelfTrainer.Normalisation.FRAMES).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
            List<DenseSample> night = walk("night", 80, 24, 0, 1f);
            List<DenseSample> training = concat(walk("day", 79, 8, 0, 1f), night.subList(0, 20));
            List<DenseSample> held = asSeenBy(t, night.subList(20, 24));
            t.restoreFrames(training, held);
            DenseSample lamp = asSeenBy(t, walk("warm-lamp", 82, 1, 0, 1f)).get(0);
            boolean[] offered = {false};
            t.betweenSteps(
                    () -> {
                        if (!offered[0]) {
                            offered[0] = true;
                            t.offer(() -> lamp, true);
                        }
                    });

            SelfTrainer.Round unjudged = t.round();
            assertThat(unjudged.statisticsOnly()).isTrue();
            assertThat(unjudged.checkFrames()).isEqualTo(1);
            assertThat(unjudged.newCheckFrames()).isEqualTo(1);
            assertThat(unjudged.outcome()).isEqualTo(ROLLED_BACK);
            assertThat(unjudged.worseOn()).isEmpty();
            assertThat(t.statisticsRejected()).isFalse();

            t.betweenSteps(null);
            t.restoreFrames(training, held);
            assertThat(t.statisticsDue()).as(t.readiness()).isTrue();
            SelfTrainer.Round again = t.round();
            assertThat(again.statisticsOnly()).isTrue();
            assertThat(again.checkFrames()).isEqualTo(4);
        }
    }

    /** {@code frames} with labels of the trainer's serving student's predictions. */
    private static List<DenseSample> asSeenBy(SelfTrainer t, List<DenseSample> frames) {
        try (NDManager m = NDManager.newBaseManager();
                MtiNetPredictor p = new MtiNetPredictor(t.net(), m, H, W, false)) {
            List<FramePrediction> seen =
                    p.predict(frames.stream().map(f -> new RgbFrame(W, H, f.rgb())).toList());
            List<DenseSample> out = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                FramePrediction f = seen.get(i);
                int[] sem = new int[H * W];
                for (int k = 0; k < sem.length; k++) {
                    sem[k] = f.classAt(k);
                }
                DenseSample d = frames.get(i);
                out.add(new DenseSample(d.id(), H, W, d.rgb(), sem, f.depth().clone()));
            }
            return out;
        }
    }

    /**
     * After a change of light a {@code frames} round waits, beyond two batches of training frames
     * of the new light, for enough held-out frames of it to judge its first candidate, the new
     * light's statistics, at once; a {@code batch} round, judged only after its steps, does not.
     */
    @Test
    void aFramesRoundAfterAChangeOfLightWaitsForFramesToCheckItOn() throws Exception {
        for (SelfTrainer.Normalisation n : SelfTrainer.Normalisation.values()) {
            SelfTrainer.Settings s =
                    builder(1).optBuffers(64, 12, 4).optCheck(4, 0.01).optNormalisation(n).build();
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s)) {
                List<DenseSample> room = walk("warm-lamp", 46, 12, 0, 1f);
                t.restoreFrames(
                        concat(uniform(44, 12, 7, 8f), room.subList(0, 8)),
                        concat(uniform(45, 4, 7, 8f), room.subList(8, 10)));
                boolean frames = n == SelfTrainer.Normalisation.FRAMES;
                assertThat(t.ready()).as("%s: %s", n, t.readiness()).isEqualTo(!frames);
                t.add(room.get(10), true);
                t.add(room.get(11), true);
                assertThat(t.ready()).as("%s: %s", n, t.readiness()).isTrue();
                assertThat(t.statisticsDue()).isEqualTo(frames);
                if (frames) {
                    assertThat(t.readiness())
                            .endsWith("the statistics of the 4 held-out frames first");
                }
            }
        }
    }

    /**
     * The statistics of a new light need no training frame of it: with four held-out frames of the
     * new light and a buffer of the old one, a {@code frames} round is ready and due, and its
     * candidate is the serving weights normalised as those four frames alone. Accepted, the next
     * round waits for training frames of the new light; a {@code batch} round waits for them from
     * the start.
     */
    @Test
    void aStatisticsCandidateOfANewLightNeedsNoTrainingFrameOfIt() throws Exception {
        for (SelfTrainer.Normalisation n : SelfTrainer.Normalisation.values()) {
            SelfTrainer.Settings s =
                    builder(1).optBuffers(64, 12, 3).optCheck(4, 0.01).optNormalisation(n).build();
            try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", s);
                    NDManager m = NDManager.newBaseManager()) {
                t.acceptWithin(0.999);
                Map<String, float[]> frozen = runningStatistics(t);
                List<DenseSample> room = walk("warm-lamp", 47, 4, 0, 1f);
                t.restoreFrames(
                        uniform(48, 16, 7, 8f), concat(uniform(49, 4, 7, 8f), room.subList(0, 2)));
                assertThat(t.ready()).as("%s: %s", n, t.readiness()).isFalse();
                assertThat(t.statisticsDue()).isFalse();
                t.add(room.get(2), true);
                t.add(room.get(3), true);
                boolean frames = n == SelfTrainer.Normalisation.FRAMES;
                assertThat(t.ready()).as("%s: %s", n, t.readiness()).isEqualTo(frames);
                assertThat(t.statisticsDue()).isEqualTo(frames);
                if (!frames) {
                    continue;
                }
                SelfTrainer.Round quick = t.round();
                assertThat(quick.statisticsOnly()).isTrue();
                assertThat(quick.accepted()).isTrue();
                assertThat(quick.statisticsFrames()).as("the new light's frames only").isEqualTo(4);
                assertThat(quick.checkFrames()).isEqualTo(4);
                assertStatisticsOf(t, m, room, frozen);
                // Each mean a fifth of the way from the frozen student's to the four frames'
                // alone (16 frames' weight against 4).
                Map<String, float[]> served = runningStatistics(t);
                BatchNormStatistics.setFrom(t.net(), m, room, 4);
                Map<String, float[]> alone = runningStatistics(t);
                int means = 0;
                for (Map.Entry<String, float[]> e : frozen.entrySet()) {
                    if (!e.getKey().endsWith("running_mean")) {
                        continue;
                    }
                    float[] f = e.getValue();
                    float[] a = alone.get(e.getKey());
                    float[] v = served.get(e.getKey());
                    for (int c = 0; c < f.length; c++) {
                        assertThat((double) v[c])
                                .as("%s[%d]", e.getKey(), c)
                                .isCloseTo(
                                        0.8 * f[c] + 0.2 * a[c],
                                        within(1e-3 * Math.max(1, Math.abs(a[c]))));
                        means++;
                    }
                }
                assertThat(means).isGreaterThan(100);
                assertThat(t.statisticsDue()).isFalse();
                assertThat(t.ready()).as(t.readiness()).isFalse();
            }
        }
    }

    /**
     * Setting the statistics of {@code frames} pooled with the frozen student's ({@code frozen}, as
     * {@link SelfTrainer#STATISTICS_PRIOR} frames) again changes the student's by under 0.1%.
     */
    private static void assertStatisticsOf(
            SelfTrainer t, NDManager m, List<DenseSample> frames, Map<String, float[]> frozen) {
        Map<String, float[]> now = runningStatistics(t);
        BatchNormStatistics.setFrom(t.net(), m, frames, 4, SelfTrainer.STATISTICS_PRIOR, frozen);
        Map<String, float[]> again = runningStatistics(t);
        double worst = 0;
        for (Map.Entry<String, float[]> e : now.entrySet()) {
            float[] a = again.get(e.getKey());
            for (int c = 0; c < a.length; c++) {
                worst =
                        Math.max(
                                worst,
                                Math.abs(e.getValue()[c] - a[c]) / Math.max(1, Math.abs(a[c])));
            }
        }
        assertThat(worst).as("statistics of the frames").isLessThan(1e-3);
    }

    /** The largest change of a BatchNorm running statistic from {@code a} to {@code b}. */
    private static double largestChange(Map<String, float[]> a, Map<String, float[]> b) {
        double worst = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                float[] x = e.getValue();
                float[] y = b.get(e.getKey());
                for (int c = 0; c < x.length; c++) {
                    worst = Math.max(worst, Math.abs(x[c] - y[c]));
                }
            }
        }
        return worst;
    }

    /** The BatchNorm running statistics of the trainer's student, by state-dict name. */
    private static Map<String, float[]> runningStatistics(SelfTrainer t) {
        Map<String, float[]> out = new LinkedHashMap<>();
        t.parameters()
                .forEach(
                        (name, p) -> {
                            if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                                out.put(name, p.getArray().toFloatArray());
                            }
                        });
        return out;
    }

    /**
     * Each frame's light is kept while the frame is buffered or held out, and forgotten with it: a
     * camera streaming for days does not grow the trainer.
     */
    @Test
    void theLightOfFramesIsKeptOnlyWhileTheyAre() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(1))) {
            List<DenseSample> frames = uniform(61, 100, 0, 1f);
            frames.forEach(t::add);
            assertThat(t.bufferSize()).isEqualTo(64);
            assertThat(t.heldOutSize()).isEqualTo(8);
            assertThat(t.lightsKept()).isEqualTo(72);
            t.restoreFrames(frames.subList(0, 10), frames.subList(10, 12));
            assertThat(t.lightsKept()).isEqualTo(12);
        }
        SelfTrainer.Settings noScenes = builder(1).optSceneTolerance(0).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", noScenes)) {
            uniform(62, 20, 0, 1f).forEach(t::add);
            assertThat(t.lightsKept()).as("no light measured without scenes").isZero();
        }
    }

    /** A frame whose decoding fails (null) is left out; the others are added in order. */
    @Test
    void offeredFramesAreAddedOnDrain() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(1))) {
            List<DenseSample> frames = uniform(60, 3, 0, 1f);
            t.offer(() -> frames.get(0), false);
            t.offer(() -> null, true);
            t.offer(() -> frames.get(1), true);
            t.offer(() -> frames.get(2), false);
            assertThat(t.heldOutSize()).isZero();
            assertThat(t.drain()).isEqualTo(3);
            assertThat(t.heldOutSize()).isEqualTo(1);
            assertThat(t.sinceRound()).isEqualTo(2);
            assertThat(t.received()).isEqualTo(3);
            assertThat(t.drain()).isZero();
        }
    }

    @Test
    void theFrozenStudentServesAgainWhenEveryAdaptedOneIsWorse() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(15))) {
            // Scenes told apart by their classes alone (no depth labels: a fresh student's depth is
            // metres off after a few steps, and the depth check has its own test). The "shipped"
            // student knows "class 0".
            t.restoreFrames(uniform(50, 12, 0, 0f), uniform(51, 4, 0, 0f));
            assertThat(t.round().accepted()).isTrue();
            byte[] shipped = t.checkpoint("student", DataType.FLOAT32, false, Map.of());
            Map<String, float[]> frozen = t.weights();
            assertThatThrownBy(
                            () ->
                                    t.keepFrozen(
                                            fresh("reference-tiny", "other", 1), "other.ckpt.zip"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("other.ckpt.zip")
                    .hasMessageContaining("is not a frozen");
            t.keepFrozen(shipped, "shipped.ckpt.zip");
            assertThat(t.servingIsFrozen()).isTrue();
            // The camera's scene becomes "class 7": the student adapts.
            t.restoreFrames(uniform(52, 12, 7, 0f), uniform(53, 4, 7, 0f));
            SelfTrainer.Round adapted = t.round();
            assertThat(adapted.accepted())
                    .as("serving %s, candidate %s", adapted.serving(), adapted.candidate())
                    .isTrue();
            assertThat(adapted.frozen()).as("the frozen student was serving").isNull();
            assertThat(t.servingIsFrozen()).isFalse();
            // The scene is back to "class 0" while the buffer still holds the other: the
            // candidate and the serving student are both worse than the frozen one.
            t.restoreFrames(uniform(54, 12, 7, 0f), uniform(55, 4, 0, 0f));
            SelfTrainer.Round r = t.round();
            assertThat(r.outcome())
                    .as(
                            "serving %s, candidate %s, frozen %s",
                            r.serving(), r.candidate(), r.frozen())
                    .isEqualTo(FROZEN);
            assertThat(r.frozenAgreement()).isGreaterThan(r.servingAgreement());
            assertThat(r.version()).isEqualTo(7);
            assertThat(t.servingIsFrozen()).isTrue();
            Map<String, float[]> after = t.weights();
            frozen.forEach((name, w) -> assertSameWeights(name, after.get(name), w));
            assertThat(t.watch()).as("nothing to check while the frozen student serves").isEmpty();

            // Between rounds: adapted again, the student serves while it agrees with the teacher
            // on the current scene...
            t.restoreFrames(uniform(56, 12, 7, 0f), uniform(57, 4, 7, 0f));
            assertThat(t.round().accepted()).isTrue();
            Map<String, float[]> adaptedWeights = t.weights();
            assertThat(t.watch()).isEmpty();
            assertThat(t.version()).isEqualTo(8);
            Map<String, float[]> still = t.weights();
            adaptedWeights.forEach((name, w) -> assertSameWeights(name, still.get(name), w));
            // ...and when the scene goes back, the check brings the frozen student back without
            // training.
            t.restoreFrames(uniform(58, 12, 7, 0f), uniform(59, 4, 0, 0f));
            SelfTrainer.Round check = t.watch().orElseThrow();
            assertThat(check.outcome()).isEqualTo(FROZEN);
            assertThat(check.version()).isEqualTo(9);
            assertThat(check.firstLoss()).isNaN();
            Map<String, float[]> back = t.weights();
            frozen.forEach((name, w) -> assertSameWeights(name, back.get(name), w));
        }
    }

    @Test
    void sourceFramesAreMixedIntoTrainingAgainstForgetting() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(1), "fresh student", settings(15))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> t.useSourceFrames(List.of(), 1.5))
                    .hasMessageContaining("[0, 1]");
            // Pseudo-labels say "class 7 at 8 m", the labelled source frames "class 3 at 2 m". With
            // every training frame drawn from the source, the student learns class 3, never class
            // 7.
            t.useSourceFrames(uniform(30, 8, 3, 2f), 1.0);
            t.restoreFrames(uniform(31, 12, 7, 8f), uniform(32, 4, 3, 2f));
            SelfTrainer.Round r = t.round();
            assertThat(r.accepted()).isTrue();
            assertThat(r.validation().get("pixel_acc"))
                    .as("share of held-out pixels predicted as class 3")
                    .isGreaterThan(0.9);
        }
    }

    @Test
    void stateRoundTripsThroughCheckpointBytes() throws Exception {
        byte[] state;
        Map<String, float[]> weights;
        try (SelfTrainer t = new SelfTrainer(freshStudent(1), "fresh student", settings(3))) {
            pseudoLabelled(21, 8).forEach(t::add);
            t.round();
            state =
                    t.checkpoint(
                            "student",
                            DataType.FLOAT32,
                            true,
                            Map.of("self_training_rounds", t.rounds()));
            weights = t.weights();
            try (SelfTrainer back = new SelfTrainer(state, "saved state", settings(3))) {
                assertThat(back.version()).isEqualTo(t.version());
                Map<String, float[]> restored = back.weights();
                weights.forEach((name, w) -> assertSameWeights(name, restored.get(name), w));
            }
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            Object rounds =
                    Checkpoints.fromBytes(state, "saved state", m, null)
                            .manifest()
                            .training()
                            .get("self_training_rounds");
            assertThat(((Number) rounds).intValue()).isEqualTo(1);
        }
    }

    /**
     * Two cameras adapt in turn on one trainer: each starts from the frozen student, not from the
     * other's adaptation, and each resumes from its own delta bit for bit; the delta holds the
     * trained parts and the running statistics only, and names its scope and base.
     */
    @Test
    void scenesAdaptInTurnOnOneBaseAndEachResumesFromItsOwnDelta() throws Exception {
        SelfTrainer.Settings s = builder(3).optParts(TrainedParts.BATCHNORM).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(1), "fresh student", s)) {
            t.keepFrozen(freshStudent(1), "frozen student");
            t.acceptWithin(0.999);
            Map<String, float[]> frozen = copy(t.weights());
            List<DenseSample> a = pseudoLabelled(5, 16);
            List<DenseSample> b = uniform(9, 16, 2, 3f);

            t.enter(new SelfTrainer.Scene(null, 1, true, a.subList(0, 12), a.subList(12, 16)), "a");
            assertThat(t.round().accepted()).isTrue();
            assertThat(t.version()).isEqualTo(2);
            byte[] deltaA = t.delta("student", "cam-a", DataType.FLOAT32, true, Map.of());
            Map<String, float[]> adaptedA = copy(t.weights());

            t.enter(new SelfTrainer.Scene(null, 1, true, b.subList(0, 12), b.subList(12, 16)), "b");
            assertThat(t.version()).isEqualTo(1);
            assertThat(t.servingIsFrozen()).isTrue();
            Map<String, float[]> startB = t.weights();
            frozen.forEach((name, w) -> assertSameWeights(name, startB.get(name), w));
            t.round();

            t.enter(
                    new SelfTrainer.Scene(deltaA, 2, false, a.subList(0, 12), a.subList(12, 16)),
                    "a");
            assertThat(t.version()).isEqualTo(2);
            Map<String, float[]> resumedA = t.weights();
            adaptedA.forEach((name, w) -> assertSameWeights(name, resumedA.get(name), w));

            List<String> names = t.deltaNames();
            assertThat(names)
                    .isNotEmpty()
                    .allMatch(
                            n ->
                                    n.endsWith("running_mean")
                                            || n.endsWith("running_var")
                                            || isBatchNormAffine(n, frozen));
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                MtiNet base = new MtiNet(MtiNetConfig.named("lite"));
                base.initialize(m, DataType.FLOAT32, new Shape(1, 3, H, W));
                SceneDelta d = SceneDelta.fromBytes(deltaA, "delta of cam-a", m, base);
                assertThat(d.scope()).isEqualTo("cam-a");
                assertThat(d.baseVersion()).isEqualTo(1);
                assertThat(d.manifest().modelVersion()).isEqualTo(2);
                assertThat(d.values().keySet()).containsExactlyInAnyOrderElementsOf(names);
                long all = frozen.values().stream().mapToLong(w -> w.length).sum();
                assertThat(d.size()).isPositive().isLessThan(all / 50);
                d.layOver(base);
                Map<String, ai.djl.nn.Parameter> params =
                        io.scenestream.model.weights.StateDict.parameters(base);
                for (String n : names) {
                    assertSameWeights(n, params.get(n).getArray().toFloatArray(), adaptedA.get(n));
                }

                MtiNet other = new MtiNet(MtiNetConfig.named("reference-tiny"));
                other.initialize(m, DataType.FLOAT32, new Shape(1, 3, H, W));
                assertThatThrownBy(() -> SceneDelta.fromBytes(deltaA, "delta of cam-a", m, other))
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("architecture");
                byte[] damaged = deltaA.clone();
                damaged[damaged.length / 3] ^= 0x5a;
                assertThatThrownBy(() -> SceneDelta.fromBytes(damaged, "damaged delta", m, base))
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("damaged delta");
            }
        }
    }

    @Test
    void aRoundThatDivergesIsRolledBackAndTheNextStartsFromTheServingStudent() throws Exception {
        // A learning rate that blows the weights up within a few steps.
        SelfTrainer.Settings wild = builder(15).optLearningRate(1e30f).optWeightDecay(0f).build();
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", wild)) {
            t.restoreFrames(uniform(10, 12, 0, 1f), uniform(9, 4, 0, 1f));
            Map<String, float[]> before = t.weights();
            org.assertj.core.api.Assertions.assertThatThrownBy(t::round)
                    .hasMessageContaining("diverged");
            assertThat(t.version()).isEqualTo(4);
            Map<String, float[]> after = t.weights();
            before.forEach((name, w) -> assertSameWeights(name, after.get(name), w));
        }
    }

    /**
     * A step whose gradients are not finite (here: one left NaN after the second step) is left out;
     * the round goes on and its steps after it train.
     */
    @Test
    void aStepWhoseGradientsAreNotFiniteIsLeftOutAndTheRoundGoesOn() throws Exception {
        try (SelfTrainer t = new SelfTrainer(freshStudent(4), "fresh student", settings(6))) {
            t.restoreFrames(uniform(10, 12, 0, 0f), uniform(9, 4, 0, 0f));
            Map<String, float[]> before = t.weights();
            int[] hooks = {0};
            t.betweenSteps(
                    () -> {
                        if (++hooks[0] == 2) {
                            ai.djl.ndarray.NDArray g =
                                    t.parameters()
                                            .values()
                                            .iterator()
                                            .next()
                                            .getArray()
                                            .getGradient();
                            float[] nan = new float[Math.toIntExact(g.size())];
                            Arrays.fill(nan, Float.NaN);
                            g.set(java.nio.FloatBuffer.wrap(nan));
                        }
                    });
            SelfTrainer.Round r = t.round();
            assertThat(r.skippedSteps()).isEqualTo(1);
            assertThat(r.lastLoss()).isFinite();
            Map<String, float[]> after = t.weights();
            after.forEach(
                    (name, w) -> {
                        for (float v : w) {
                            assertThat(v).as(name).isFinite();
                        }
                    });
            // The other steps trained (a candidate, whether it serves or not, is checked on them).
            assertThat(r.trained()).isTrue();
            assertThat(
                            before.keySet().stream()
                                    .filter(n -> !Arrays.equals(before.get(n), after.get(n)))
                                    .count())
                    .isPositive();
        }
    }

    private static Map<String, float[]> copy(Map<String, float[]> w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /**
     * Bit-equal weights. The same check as AssertJ's containsExactly, which on millions of floats
     * takes minutes; the message names the first value that differs.
     */
    private static void assertSameWeights(String name, float[] actual, float[] expected) {
        assertThat(actual).as(name).isNotNull().hasSameSizeAs(expected);
        int i = Arrays.mismatch(actual, expected);
        assertThat(i)
                .as(
                        "%s: first differing value at %d (%s against %s)",
                        name, i, i < 0 ? "" : actual[i], i < 0 ? "" : expected[i])
                .isEqualTo(-1);
    }
}
