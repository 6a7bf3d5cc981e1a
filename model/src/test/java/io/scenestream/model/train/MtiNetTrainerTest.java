package io.scenestream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.data.Batches;
import io.scenestream.model.loss.DistillationLoss;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The student learns: overfitting two real NYUD frames at 96x128 halves its loss. */
class MtiNetTrainerTest {

    private static final int STEPS = 60;

    /** Two NYUD frames at 96x128. */
    private static List<DenseSample> twoNyudFrames() throws java.io.IOException {
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        return List.of(nyud.read("0001").resize(96, 128), nyud.read("0002").resize(96, 128));
    }

    /** A freshly initialised lite MTI-Net (seed 7), {@code model}'s block. */
    private static MtiNet freshLite(Model model, Shape shape) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        MtiNet net = new MtiNet(MtiNetConfig.named("lite"));
        net.initialize(model.getNDManager(), DataType.FLOAT32, shape);
        model.setBlock(net);
        return net;
    }

    @Test
    void arraysHoldingNaNOrInfinityAreNamedInOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            arrays.put("finite", m.create(new float[] {1f, -2f, Float.MAX_VALUE, 0f}));
            arrays.put("nan", m.create(new float[] {1f, Float.NaN}));
            arrays.put("empty", m.create(new float[0]));
            arrays.put("minus infinity", m.create(new float[] {0f, 3f, Float.NEGATIVE_INFINITY}));
            arrays.put("both", m.create(new float[] {Float.POSITIVE_INFINITY, Float.NaN}));
            assertThat(MtiNetTrainer.nonFinite(arrays))
                    .containsExactly("nan", "minus infinity", "both");
            assertThat(MtiNetTrainer.nonFinite(Map.of("x", m.ones(new Shape(3, 3))))).isEmpty();
            assertThat(arrays.get("nan").toFloatArray()[1]).isNaN();
            // A message names a few, and counts many by module.
            assertThat(MtiNetTrainer.named(List.of("a.w", "b.w"))).isEqualTo("[a.w, b.w]");
            List<String> many = new java.util.ArrayList<>();
            for (int i = 0; i < 7; i++) {
                many.add("backbone.layer" + i + ".weight");
            }
            many.add("scale_1.decoders.depth.weight");
            many.add("scale_1.decoders.depth.bias");
            assertThat(MtiNetTrainer.named(many)).isEqualTo("9 arrays {backbone=7, scale_1=2}");
        }
    }

    @Test
    void liteOverfitsTwoNyudFramesAndEvalModeUsesRunningStatistics() throws Exception {
        List<DenseSample> batch = twoNyudFrames();
        try (Model model = Model.newInstance("overfit")) {
            Shape shape = new Shape(2, 3, 96, 128);
            MtiNet net = freshLite(model, shape);
            Parameter bn = StateDict.parameters(net).get("backbone.bn1.running_mean");
            float[] meanBefore = bn.getArray().toFloatArray();

            float first;
            float last;
            try (MtiNetTrainer trainer =
                    new MtiNetTrainer(
                            model,
                            MtiNetTrainer.Options.reference(STEPS).withLearningRate(1e-3f),
                            shape)) {
                MtiNetTrainer.StepResult r = trainer.step(batch);
                first = r.loss();
                assertThat(r.terms())
                        .containsKeys("semseg", "depth", "scale_0_semseg", "scale_3_depth");
                for (int i = 1; i < STEPS; i++) {
                    r = trainer.step(batch);
                }
                last = r.loss();
            }
            System.out.printf("lite overfit: loss %.3f -> %.3f in %d steps%n", first, last, STEPS);
            assertThat(last)
                    .as("loss after %d steps (first %f)", STEPS, first)
                    .isLessThanOrEqualTo(first / 2);

            // Training mode updated BatchNorm's running statistics.
            assertThat(bn.getArray().toFloatArray()).isNotEqualTo(meanBefore);

            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = Batches.images(m, batch);
                ParameterStore ps = new ParameterStore(m, false);
                float[] runningBefore = bn.getArray().toFloatArray();
                NDArray eval1 = net.forward(ps, new NDList(x), false).get(1);
                NDArray eval2 = net.forward(ps, new NDList(x), false).get(1);
                // Eval mode reads the running statistics and leaves them alone: deterministic.
                assertThat(eval1.toFloatArray()).containsExactly(eval2.toFloatArray());
                assertThat(bn.getArray().toFloatArray()).containsExactly(runningBefore);
                // Training mode normalises with the batch statistics instead: a different output.
                NDArray train = net.forward(ps, new NDList(x), true).get(1);
                float diff = train.sub(eval1).abs().max().getFloat();
                assertThat(diff)
                        .as("train-mode vs eval-mode depth difference")
                        .isGreaterThan(1e-4f);
            }
        }
    }

    /**
     * Steps on BatchNorm's running statistics, as self-training takes them: they stay as they are,
     * and what the steps learn is what inference computes, its loss in inference mode falling as
     * the steps' own.
     */
    @Test
    void stepsOnRunningStatisticsLeaveThemAndLowerTheInferenceModeLoss() throws Exception {
        List<DenseSample> batch = twoNyudFrames();
        int steps = 20;
        try (Model model = Model.newInstance("running")) {
            Shape shape = new Shape(2, 3, 96, 128);
            MtiNet net = freshLite(model, shape);
            Parameter bn = StateDict.parameters(net).get("backbone.bn1.running_mean");
            Parameter gamma = StateDict.parameters(net).get("backbone.bn1.weight");
            float[] meanBefore = bn.getArray().toFloatArray();
            float[] gammaBefore = gamma.getArray().toFloatArray();
            try (MtiNetTrainer trainer =
                    new MtiNetTrainer(
                            model,
                            MtiNetTrainer.Options.reference(steps).withLearningRate(1e-3f),
                            shape)) {
                trainer.normaliseWithRunningStatistics(true);
                float before = trainer.evaluateLoss(batch);
                float first = trainer.step(batch).loss();
                float last = first;
                for (int i = 1; i < steps; i++) {
                    last = trainer.step(batch).loss();
                }
                float after = trainer.evaluateLoss(batch);
                System.out.printf(
                        "running statistics: step loss %.3f -> %.3f, inference-mode loss %.3f ->"
                                + " %.3f%n",
                        first, last, before, after);
                // The first step's loss is the inference-mode loss: the same function.
                assertThat(first).isCloseTo(before, withPercentage(0.1));
                assertThat(after).isLessThan(before * 0.75f);
            }
            assertThat(bn.getArray().toFloatArray()).containsExactly(meanBefore);
            assertThat(gamma.getArray().toFloatArray()).isNotEqualTo(gammaBefore);
        }
    }

    @Test
    void aDivergedStepChangesNothingAndTrainingGoesOnOnceTheWeightsAreSoundAgain()
            throws Exception {
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        List<DenseSample> batch =
                List.of(nyud.read("0001").resize(64, 64), nyud.read("0002").resize(64, 64));
        MtiNetConfig config = MtiNetConfig.named("reference-tiny");
        try (Model model = Model.newInstance("diverge")) {
            MtiNet net = new MtiNet(config);
            Shape shape = new Shape(2, 3, 64, 64);
            net.initialize(model.getNDManager(), DataType.FLOAT32, shape);
            model.setBlock(net);
            try (MtiNetTrainer trainer =
                    new MtiNetTrainer(model, MtiNetTrainer.Options.reference(10), shape)) {
                assertThat(trainer.step(batch).loss()).isFinite();
                // One weight turns NaN (as a blown-up step would leave it): the next step
                // diverges...
                Map<String, float[]> sound = new LinkedHashMap<>();
                StateDict.parameters(net)
                        .forEach((n, p) -> sound.put(n, p.getArray().toFloatArray()));
                Parameter conv = StateDict.parameters(net).get("backbone.conv1.weight");
                float[] poisoned = sound.get("backbone.conv1.weight").clone();
                poisoned[0] = Float.NaN;
                conv.getArray().set(FloatBuffer.wrap(poisoned));
                // naming the loss terms and the frames of the step...
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer.step(batch))
                        .hasMessageContaining("diverged")
                        .hasMessageMatching("(?s).*terms \\{.*semseg=NaN.*")
                        .hasMessageContaining("frames [" + batch.get(0).id() + ", ")
                        // ...and the weights that are not finite.
                        .hasMessageMatching(
                                "(?s).*weights not finite: \\[backbone.conv1.weight\\], and \\d+"
                                        + " running statistics.*");
                // ...and the optimiser applied nothing (batch-norm statistics move in any forward
                // pass in training mode; a rollback, as self-training does, restores them with the
                // weights),
                StateDict.parameters(net)
                        .forEach(
                                (n, p) -> {
                                    if (!n.contains("running_")
                                            && !n.equals("backbone.conv1.weight")) {
                                        assertThat(p.getArray().toFloatArray())
                                                .as(n)
                                                .containsExactly(sound.get(n));
                                    }
                                });
                // and once everything is rolled back, training goes on with finite losses: the
                // diverged step's gradients do not linger.
                StateDict.parameters(net)
                        .forEach((n, p) -> p.getArray().set(FloatBuffer.wrap(sound.get(n))));
                assertThat(trainer.step(batch).loss()).isFinite();
                assertThat(trainer.step(batch).loss()).isFinite();
            }
        }
    }

    @Test
    void aStudentWithoutLabelsMovesTowardsItsTeacher() throws Exception {
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        List<DenseSample> unlabelled =
                List.of(
                        nyud.read("0001").resize(64, 96).withoutDepth().withoutSemseg(),
                        nyud.read("0002").resize(64, 96).withoutDepth().withoutSemseg());
        MtiNetConfig config = MtiNetConfig.named("lite");
        Shape shape = new Shape(2, 3, 64, 96);
        try (Model teacherModel = Model.newInstance("teacher");
                Model model = Model.newInstance("student")) {
            // The teacher: the shipped student, a model trained on rooms.
            MtiNet teacher =
                    Checkpoints.load(
                                    Path.of("checkpoints", "student-lite.ckpt.zip"),
                                    teacherModel.getNDManager(),
                                    config)
                            .net();
            // The student starts from random weights, as training from scratch does.
            ai.djl.engine.Engine.getInstance().setRandomSeed(12);
            MtiNet net = new MtiNet(config);
            net.initialize(model.getNDManager(), DataType.FLOAT32, shape);
            OutputInit.apply(net, 2.5f, 12);
            model.setBlock(net);
            float[] before = distance(model, net, teacher, unlabelled);
            try (MtiNetTrainer trainer =
                    new MtiNetTrainer(
                            model,
                            MtiNetTrainer.Options.reference(30).withLearningRate(1e-3f),
                            shape)) {
                trainer.distilFrom(teacher, new DistillationLoss(config, config, 1f, 2f));
                Map<String, Float> terms = null;
                for (int i = 0; i < 30; i++) {
                    terms = trainer.step(unlabelled).terms();
                }
                // Without labels the supervised terms are zero; only the teacher teaches.
                assertThat(Math.abs(terms.get("semseg"))).isZero();
                assertThat(Math.abs(terms.get("depth"))).isZero();
                assertThat(terms.get("distil_semseg")).isPositive();
                assertThat(terms.get("distil_depth")).isPositive();
            }
            float[] after = distance(model, net, teacher, unlabelled);
            System.out.printf(
                    "distillation without labels: KL %.4f -> %.4f, depth L1 %.4f -> %.4f%n",
                    before[0], after[0], before[1], after[1]);
            assertThat(after[0]).as("class KL to the teacher").isLessThan(before[0] / 2);
            assertThat(after[1]).as("depth L1 to the teacher").isLessThan(before[1] / 2);
        }
    }

    /**
     * Class KL (T = 1) and depth L1 from the student's outputs (batch statistics: a student this
     * young has no running statistics worth the name) to the teacher's (inference mode).
     */
    private static float[] distance(
            Model model, MtiNet student, MtiNet teacher, List<DenseSample> batch) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDList x = new NDList(Batches.images(m, batch));
            ParameterStore ps = new ParameterStore(m, false);
            NDList s = student.forward(ps, x, true);
            NDList t = teacher.forward(ps, x, false);
            float kl = DistillationLoss.softKl(s.get(0), t.get(0), 1f).getFloat();
            float l1 = s.get(1).sub(t.get(1)).abs().mean().getFloat();
            return new float[] {kl, l1};
        }
    }

    @Test
    void partialAnnotationContributesOnlyTheLabelledTerms() throws Exception {
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        DenseSample a = nyud.read("0001").resize(64, 64);
        DenseSample b = nyud.read("0002").resize(64, 64);
        MtiNetConfig config = MtiNetConfig.named("reference-tiny");
        try (Model model = Model.newInstance("partial")) {
            MtiNet net = new MtiNet(config);
            Shape shape = new Shape(2, 3, 64, 64);
            net.initialize(model.getNDManager(), DataType.FLOAT32, shape);
            model.setBlock(net);
            try (MtiNetTrainer trainer =
                    new MtiNetTrainer(model, MtiNetTrainer.Options.reference(10), shape)) {
                // No depth anywhere: every depth term is exactly zero, segmentation terms are not.
                Map<String, Float> terms =
                        trainer.step(List.of(a.withoutDepth(), b.withoutDepth())).terms();
                assertThat(terms.get("depth")).isZero();
                assertThat(terms.get("scale_2_depth")).isZero();
                assertThat(terms.get("semseg")).isPositive();
                // A mixed batch: depth from one sample, segmentation from the other.
                terms = trainer.step(List.of(a.withoutDepth(), b.withoutSemseg())).terms();
                assertThat(terms.get("depth")).isPositive();
                assertThat(terms.get("semseg")).isPositive();
            }
        }
    }
}
