package io.scenestream.model.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import io.scenestream.frames.DenseSample;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.data.Batches;
import io.scenestream.model.loss.DistillationLoss;
import io.scenestream.model.loss.MtiNetLoss;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains an MTI-Net with its multi-task loss and deep supervision, as the reference does: Adam, L2
 * weight decay, poly learning-rate decay, BatchNorm in training mode (batch statistics, running
 * statistics updated). Wraps DJL's {@link Trainer}; one instance per model, not thread-safe.
 */
public final class MtiNetTrainer implements AutoCloseable {

    /**
     * @param learningRate initial learning rate (reference: 1e-4)
     * @param weightDecay L2 weight decay (reference: 1e-4)
     * @param totalSteps steps of the poly schedule
     * @param polyPower exponent of the poly schedule (reference: 0.9)
     * @param taskWeights loss weight per task name (absent: 1)
     */
    public record Options(
            float learningRate,
            float weightDecay,
            int totalSteps,
            float polyPower,
            Map<String, Float> taskWeights) {

        /** The reference's optimiser for {@code totalSteps} steps. */
        public static Options reference(int totalSteps) {
            return new Options(1e-4f, 1e-4f, totalSteps, 0.9f, Map.of());
        }

        public Options withLearningRate(float lr) {
            return new Options(lr, weightDecay, totalSteps, polyPower, taskWeights);
        }
    }

    /** Loss of one step: the total and every term. */
    public record StepResult(int step, float loss, Map<String, Float> terms) {}

    /**
     * A step whose loss or gradients are not finite: the optimiser applied nothing and the step's
     * gradients are cleared.
     */
    public static final class Diverged extends IllegalStateException {

        private final boolean weightsFinite;

        public Diverged(String message, boolean weightsFinite) {
            super(message);
            this.weightsFinite = weightsFinite;
        }

        /**
         * Whether every trained weight was finite: then the next batch may step, else every later
         * step diverges too.
         */
        public boolean weightsFinite() {
            return weightsFinite;
        }
    }

    private final MtiNetConfig config;
    private final MtiNetLoss loss;
    private final Trainer trainer;
    private final MtiNet net;
    private final ResumableAdam adam;

    /**
     * Each step's batch is made in these (steps run one at a time; its arrays are closed at its
     * end).
     */
    private final Batches.Staging staging = new Batches.Staging();

    private int steps;

    private MtiNet teacher;
    private DistillationLoss distillation;
    private boolean runningStatistics;

    /**
     * @param model a model whose block is an initialised {@link MtiNet}
     * @param inputShape (B, 3, H, W) of the training batches
     */
    public MtiNetTrainer(Model model, Options options, Shape inputShape) {
        if (!(model.getBlock() instanceof MtiNet net)) {
            throw new IllegalArgumentException("the model's block must be an MtiNet");
        }
        this.config = net.getConfig();
        this.loss = new MtiNetLoss(config, options.taskWeights());
        this.net = net;
        adam =
                ResumableAdam.builder()
                        .setLearningRateTracker(
                                new PolyDecay(
                                        options.learningRate(),
                                        options.totalSteps(),
                                        options.polyPower()))
                        .optWeightDecays(options.weightDecay())
                        .build();
        DefaultTrainingConfig tc =
                new DefaultTrainingConfig(loss)
                        .optOptimizer(adam)
                        .optDevices(new Device[] {model.getNDManager().getDevice()});
        trainer = model.newTrainer(tc);
        trainer.initialize(inputShape);
    }

    /**
     * From now on every step also learns from {@code teacher}'s predictions on its batch ({@link
     * DistillationLoss}). The teacher runs in inference mode and is not changed; its parameters
     * stay with its owner, on this trainer's device.
     */
    public void distilFrom(MtiNet teacher, DistillationLoss distillation) {
        this.teacher = teacher;
        this.distillation = distillation;
    }

    /**
     * Whether steps normalise with BatchNorm's running statistics, as inference does, and leave
     * them as they are, instead of normalising with the batch's and updating the running ones (the
     * default, the reference's training). For a few steps on small batches: there the batch
     * statistics are not the running ones, and the running ones follow at the backbone's momentum
     * (0.01) only over hundreds of steps, so that a model trained on batch statistics computes, at
     * inference, something other than what its steps learnt. BatchNorm's scale and shift still
     * learn.
     */
    public void normaliseWithRunningStatistics(boolean on) {
        this.runningStatistics = on;
    }

    /**
     * One optimisation step on {@code batch} (all samples the same size).
     *
     * @throws Diverged if its loss or gradients are not finite; nothing is applied then
     */
    public StepResult step(List<DenseSample> batch) {
        float total;
        Map<String, Float> terms = new LinkedHashMap<>();
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDList x = new NDList(Batches.images(m, batch, staging));
            NDList y = Batches.labels(m, batch, config, staging);
            NDList taught =
                    teacher == null
                            ? null
                            : teacher.forward(new ParameterStore(m, false), x, false);
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList predictions =
                        runningStatistics
                                ? net.forward(new ParameterStore(m, false), x, false)
                                : trainer.forward(x, y);
                Map<String, NDArray> parts = new LinkedHashMap<>(loss.terms(y, predictions));
                if (taught != null) {
                    parts.putAll(distillation.terms(y, taught, predictions));
                }
                NDArray sum = null;
                for (Map.Entry<String, NDArray> e : parts.entrySet()) {
                    sum = sum == null ? e.getValue() : sum.add(e.getValue());
                }
                gc.backward(sum);
                total = sum.getFloat();
                for (Map.Entry<String, NDArray> e : parts.entrySet()) {
                    terms.put(e.getKey(), e.getValue().getFloat());
                }
            }
            // A non-finite loss means non-finite gradients, and a finite loss can still have
            // them (an Inf times a masked-out zero): both checked before the optimiser applies
            // them, so a diverged step leaves the weights as they were, and its gradients are
            // cleared (DJL zeroes a gradient by subtracting it from itself, which leaves NaN as it
            // is, so every later step would diverge too).
            List<String> badGradients = Float.isFinite(total) ? nonFinite(gradients()) : List.of();
            if (!Float.isFinite(total) || !badGradients.isEmpty()) {
                List<String> badWeights = nonFinite(weights(true));
                int badStatistics = nonFinite(weights(false)).size();
                clearGradients();
                throw new Diverged(
                        "training diverged: "
                                + (badGradients.isEmpty()
                                        ? "loss " + total
                                        : "gradients of " + named(badGradients) + " not finite")
                                + " at step "
                                + (steps + 1)
                                + " (terms "
                                + terms
                                + "; frames "
                                + batch.stream().map(DenseSample::id).toList()
                                + "; "
                                + (badWeights.isEmpty()
                                        ? "every weight finite"
                                        : "weights not finite: " + named(badWeights))
                                + (badStatistics == 0
                                        ? ""
                                        : ", and " + badStatistics + " running statistics")
                                + ")",
                        badWeights.isEmpty());
            }
            trainer.step();
        }
        steps++;
        return new StepResult(steps, total, terms);
    }

    /**
     * The trained weights by state-dict name ({@code trained}), or the others (BatchNorm's running
     * statistics).
     */
    private Map<String, NDArray> weights(boolean trained) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        StateDict.parameters(net)
                .forEach(
                        (name, p) -> {
                            if (p.requiresGradient() == trained) {
                                out.put(name, p.getArray());
                            }
                        });
        return out;
    }

    /** The gradients of the trained weights by state-dict name. */
    private Map<String, NDArray> gradients() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        StateDict.parameters(net)
                .forEach(
                        (name, p) -> {
                            NDArray w = p.getArray();
                            if (p.requiresGradient() && w.hasGradient()) {
                                out.put(name, w.getGradient());
                            }
                        });
        return out;
    }

    /**
     * The names of the arrays that hold a NaN or an infinity, in {@code arrays}' order; changes
     * nothing (the arrays made on the way are closed).
     */
    static List<String> nonFinite(Map<String, NDArray> arrays) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            try (NDArray inf = a.isInfinite();
                    NDArray nan = a.isNaN();
                    NDArray bad = inf.logicalOr(nan);
                    NDArray any = bad.any()) {
                if (any.getBoolean()) {
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    /**
     * Names for a message: all of them when there are a few, else how many of them each module (the
     * first part of a state-dict name) has, in order, e.g. {@code 339 arrays {backbone=204,
     * scale_1=17}}.
     */
    static String named(List<String> names) {
        if (names.size() <= 8) {
            return names.toString();
        }
        Map<String, Integer> byModule = new LinkedHashMap<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            byModule.merge(dot < 0 ? n : n.substring(0, dot), 1, Integer::sum);
        }
        return names.size() + " arrays " + byModule;
    }

    private void clearGradients() {
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : net.getParameters()) {
            NDArray w = p.getValue().getArray();
            if (w.hasGradient()) {
                // Not closed: the gradient array is the parameter's own (as in DJL's
                // zeroGradients).
                NDArray g = w.getGradient();
                g.set(FloatBuffer.wrap(new float[Math.toIntExact(g.size())]));
            }
        }
    }

    /**
     * The loss on {@code batch} with the network in inference mode (running BatchNorm statistics),
     * changing nothing: to compare the loss before and after training.
     */
    public float evaluateLoss(List<DenseSample> batch) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDList x = new NDList(Batches.images(m, batch, staging));
            NDList y = Batches.labels(m, batch, config, staging);
            NDList predictions = net.forward(new ParameterStore(m, false), x, false);
            NDArray sum = null;
            for (NDArray term : loss.terms(y, predictions).values()) {
                sum = sum == null ? term : sum.add(term);
            }
            return sum.getFloat();
        }
    }

    /** Steps taken so far (restored ones included). */
    public int steps() {
        return steps;
    }

    /** The optimiser's state under state-dict names, on {@code manager}, for a checkpoint. */
    public NDList optimizerState(NDManager manager) {
        Map<String, String> names = new HashMap<>();
        StateDict.parameters(net).forEach((name, p) -> names.put(p.getId(), name));
        return adam.exportState(manager, names);
    }

    /**
     * Restores the optimiser's state saved by {@link #optimizerState}; training continues from
     * there.
     */
    public void restoreOptimizerState(NDList state) {
        Map<String, String> ids = new HashMap<>();
        Map<String, Shape> shapes = new HashMap<>();
        StateDict.parameters(net)
                .forEach(
                        (name, p) -> {
                            if (p.requiresGradient()) {
                                ids.put(name, p.getId());
                                shapes.put(name, p.getArray().getShape());
                            }
                        });
        adam.importState(state, ids, shapes);
        steps = adam.steps();
    }

    @Override
    public void close() {
        trainer.close();
        adam.close();
    }
}
