package io.scenestream.model.selftrain;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.model.train.Evaluation;
import io.scenestream.model.train.MtiNetTrainer;
import io.scenestream.model.weights.StateDict;
import java.io.IOException;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The student's side of online self-training: a replay buffer of recent pseudo-labelled frames (and
 * a held-out set of them), rounds of a few optimiser steps of the student's multi-task loss with
 * deep supervision on the confident pixels, and a check of every candidate before it may serve: it
 * must agree with the teacher on the held-out frames at least as well as the serving student does,
 * or it is rolled back (weights and optimiser state) and never served.
 *
 * <p>Owns a model of its own (its NDManager closes with {@link #close}); thread-confined: libtorch
 * keeps autograd mode per thread, so construct and use it on one thread.
 *
 * <p>One file: a round's steps, its check and its bit-exact rollback share the buffers and the
 * optimiser state, and read best in one place.
 */
public final class SelfTrainer implements AutoCloseable {

    /**
     * @param bufferSize pseudo-labelled frames kept for training (oldest dropped first)
     * @param heldOutSize pseudo-labelled frames kept for checking candidates
     * @param heldOutEvery every n-th pseudo-labelled frame goes to the held-out set instead
     * @param stepsPerRound optimiser steps per round (K)
     * @param batch frames per step
     * @param learningRate Adam's learning rate (constant online)
     * @param weightDecay L2 weight decay
     * @param seed of batch draws and flips
     */
    public record Settings(
            int bufferSize,
            int heldOutSize,
            int heldOutEvery,
            int stepsPerRound,
            int batch,
            float learningRate,
            float weightDecay,
            long seed)
            implements Serializable {

        public Settings {
            if (bufferSize < 1
                    || heldOutSize < 1
                    || heldOutEvery < 2
                    || stepsPerRound < 1
                    || batch < 1) {
                throw new IllegalArgumentException(
                        "self-training needs buffer, held-out set, steps and batch >= 1"
                                + " and held-out every >= 2 frames");
            }
            if (!(learningRate > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException(
                        "learning rate must be > 0 and weight decay >= 0");
            }
        }

        public static final int DEFAULT_BUFFER_SIZE = 256;
        public static final int DEFAULT_HELD_OUT_SIZE = 32;
        public static final int DEFAULT_HELD_OUT_EVERY = 5;
        public static final int DEFAULT_STEPS_PER_ROUND = 10;
        public static final int DEFAULT_BATCH = 4;
        public static final float DEFAULT_LEARNING_RATE = 1e-4f;
        public static final float DEFAULT_WEIGHT_DECAY = 1e-4f;

        /**
         * A builder with the defaults: 256 frames, 32 held out (every 5th), 10 steps of batch 4 at
         * lr 1e-4 per round.
         */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Settings}; every {@code optX} is optional. */
        public static final class Builder {
            private int bufferSize = DEFAULT_BUFFER_SIZE;
            private int heldOutSize = DEFAULT_HELD_OUT_SIZE;
            private int heldOutEvery = DEFAULT_HELD_OUT_EVERY;
            private int stepsPerRound = DEFAULT_STEPS_PER_ROUND;
            private int batch = DEFAULT_BATCH;
            private float learningRate = DEFAULT_LEARNING_RATE;
            private float weightDecay = DEFAULT_WEIGHT_DECAY;
            private long seed = 7;

            private Builder() {}

            /**
             * The replay buffer's size, the held-out set's size and which frames go to it (every
             * n-th).
             */
            public Builder optBuffers(int bufferSize, int heldOutSize, int heldOutEvery) {
                this.bufferSize = bufferSize;
                this.heldOutSize = heldOutSize;
                this.heldOutEvery = heldOutEvery;
                return this;
            }

            /** Optimiser steps per round and frames per step. */
            public Builder optSteps(int stepsPerRound, int batch) {
                this.stepsPerRound = stepsPerRound;
                this.batch = batch;
                return this;
            }

            public Builder optLearningRate(float learningRate) {
                this.learningRate = learningRate;
                return this;
            }

            public Builder optWeightDecay(float weightDecay) {
                this.weightDecay = weightDecay;
                return this;
            }

            public Builder optSeed(long seed) {
                this.seed = seed;
                return this;
            }

            public Settings build() {
                return new Settings(
                        bufferSize,
                        heldOutSize,
                        heldOutEvery,
                        stepsPerRound,
                        batch,
                        learningRate,
                        weightDecay,
                        seed);
            }
        }
    }

    /**
     * What one round did.
     *
     * @param version the serving version after the round
     * @param accepted whether the candidate now serves
     * @param servingAgreement agreement of the student before the round with the teacher on the
     *     held-out set
     * @param candidateAgreement agreement of the candidate
     * @param firstLoss loss of the round's first step
     * @param lastLoss loss of its last step
     * @param validation the candidate's metrics against the held-out pseudo-labels
     */
    public record Round(
            long version,
            boolean accepted,
            double servingAgreement,
            double candidateAgreement,
            float firstLoss,
            float lastLoss,
            Map<String, Double> validation) {}

    private final Settings settings;
    private final Model model;
    private final LoadedCheckpoint student;
    private final MtiNetTrainer trainer;
    private final Deque<DenseSample> buffer = new ArrayDeque<>();
    private final Deque<DenseSample> heldOut = new ArrayDeque<>();
    private final SplittableRandom random;
    private final int height;
    private final int width;
    private List<DenseSample> sourceFrames = List.of();
    private double sourceShare;
    private long received;
    private long sinceRound;
    private long version;
    private Runnable betweenSteps = () -> {};
    private double acceptTolerance;
    private int rounds;

    /**
     * @param checkpoint the student to start from: a checkpoint file's bytes, with the optimiser's
     *     state if it has one (as {@link #state} writes)
     * @param source names the bytes in messages
     */
    public SelfTrainer(byte[] checkpoint, String source, Settings settings)
            throws CheckpointException {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        Model m = Model.newInstance("self-training");
        try {
            LoadedCheckpoint lc = Checkpoints.fromBytes(checkpoint, source, m.getNDManager(), null);
            m.setBlock(lc.net());
            height = lc.manifest().inputHeight();
            width = lc.manifest().inputWidth();
            MtiNetTrainer.Options options =
                    new MtiNetTrainer.Options(
                            settings.learningRate(),
                            settings.weightDecay(),
                            Integer.MAX_VALUE,
                            0f,
                            Map.of());
            trainer = new MtiNetTrainer(m, options, new Shape(settings.batch(), 3, height, width));
            try (NDManager scratch = m.getNDManager().newSubManager()) {
                NDList opt = Checkpoints.optimizerStateFromBytes(checkpoint, source, scratch);
                if (opt != null) {
                    trainer.restoreOptimizerState(opt);
                }
            }
            student = lc;
            version = lc.manifest().modelVersion();
            model = m;
        } catch (CheckpointException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Adds a pseudo-labelled frame (at the student's input size, else it is resized): every {@code
     * heldOutEvery}-th to the held-out set ({@link #isHeldOut}), the others to the buffer.
     */
    public void add(DenseSample pseudo) {
        add(pseudo, isHeldOut(received + 1, settings));
    }

    /** Adds a frame to the held-out set or to the training buffer. */
    public void add(DenseSample pseudo, boolean toHeldOut) {
        DenseSample s = pseudo.resize(height, width);
        received++;
        if (toHeldOut) {
            push(heldOut, s, settings.heldOutSize());
        } else {
            push(buffer, s, settings.bufferSize());
            sinceRound++;
        }
    }

    /**
     * Mixes labelled frames of the source domain into training, against forgetting it: each frame
     * of a batch comes from {@code frames} with probability {@code share}.
     */
    public void useSourceFrames(List<DenseSample> frames, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("source share must be in [0, 1], got " + share);
        }
        sourceFrames = frames.stream().map(f -> f.resize(height, width)).toList();
        sourceShare = share;
    }

    /**
     * Runs {@code hook} on the round's thread after every training step and validation, e.g. to
     * keep the round within a share of the machine; nothing by default.
     */
    public void betweenSteps(Runnable hook) {
        this.betweenSteps = hook == null ? () -> {} : hook;
    }

    /**
     * Accepts a candidate that agrees with the teacher at most {@code tolerance} less than the
     * serving student (default 0: it must agree at least as well).
     */
    public void acceptWithin(double tolerance) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException(
                    "acceptance tolerance must be in [0, 1), got " + tolerance);
        }
        acceptTolerance = tolerance;
    }

    /**
     * The rollback check: whether a candidate with {@code candidate} agreement replaces the serving
     * student.
     */
    public static boolean accepts(double serving, double candidate, double tolerance) {
        return candidate >= serving - tolerance;
    }

    /** The student's input size, rows and columns. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    /** Whether the {@code n}-th frame received (from 1) is held out. */
    public static boolean isHeldOut(long n, Settings settings) {
        return n % settings.heldOutEvery() == 0;
    }

    private static void push(Deque<DenseSample> q, DenseSample s, int cap) {
        q.addLast(s);
        while (q.size() > cap) {
            q.removeFirst();
        }
    }

    /** Training frames added since the last round. */
    public long sinceRound() {
        return sinceRound;
    }

    /** Whether a round can run: a batch of training frames and a held-out frame. */
    public boolean canRun() {
        return buffer.size() >= settings.batch() && !heldOut.isEmpty();
    }

    /** The student's model name (from its checkpoint). */
    public String modelName() {
        return student.manifest().modelName();
    }

    /** The serving version (the last accepted candidate's, or the starting checkpoint's). */
    public long version() {
        return version;
    }

    public int bufferSize() {
        return buffer.size();
    }

    public int heldOutSize() {
        return heldOut.size();
    }

    /**
     * Replaces the training buffer and held-out set with these frames, oldest first (restored
     * state).
     */
    public void restoreFrames(List<DenseSample> training, List<DenseSample> held) {
        buffer.clear();
        heldOut.clear();
        training.forEach(s -> push(buffer, s.resize(height, width), settings.bufferSize()));
        held.forEach(s -> push(heldOut, s.resize(height, width), settings.heldOutSize()));
    }

    /**
     * One round: K steps on batches drawn from the buffer (each frame mirrored at random), then the
     * check against the held-out set. An accepted candidate becomes the serving version (version +
     * 1); a rejected one is rolled back.
     */
    public Round round() throws IOException {
        if (!canRun()) {
            throw new IllegalStateException(
                    "a round needs "
                            + settings.batch()
                            + " training frames and a held-out one; "
                            + "have "
                            + buffer.size()
                            + " and "
                            + heldOut.size());
        }
        sinceRound = 0;
        rounds++;
        Evaluation.Result before = validate();
        betweenSteps.run();
        double servingAgreement = agreement(before);
        Map<String, Parameter> params = StateDict.parameters(student.net());
        Map<String, float[]> saved = new LinkedHashMap<>();
        params.forEach((name, p) -> saved.put(name, p.getArray().toFloatArray()));
        byte[] optimizerBefore;
        try (NDManager m = model.getNDManager().newSubManager()) {
            optimizerBefore = encode(trainer.optimizerState(m));
        }
        List<DenseSample> pool = new ArrayList<>(buffer);
        float first = Float.NaN;
        float last = Float.NaN;
        try {
            for (int k = 0; k < settings.stepsPerRound(); k++) {
                List<DenseSample> batch = new ArrayList<>(settings.batch());
                for (int b = 0; b < settings.batch(); b++) {
                    boolean fromSource =
                            !sourceFrames.isEmpty() && random.nextDouble() < sourceShare;
                    List<DenseSample> from = fromSource ? sourceFrames : pool;
                    DenseSample s = from.get(random.nextInt(from.size()));
                    batch.add(random.nextBoolean() ? Augmentation.flipHorizontally(s) : s);
                }
                float loss = trainer.step(batch).loss();
                if (Float.isNaN(first)) {
                    first = loss;
                }
                last = loss;
                betweenSteps.run();
            }
        } catch (RuntimeException e) {
            // A round that fails (e.g. diverges) is rolled back like a rejected one, so the next
            // round starts from the serving student, not from what the failed steps left.
            rollBack(params, saved, optimizerBefore);
            throw e;
        }
        betweenSteps.run();
        Evaluation.Result after = validate();
        betweenSteps.run();
        double candidateAgreement = agreement(after);
        // A candidate that gives NaN or Inf anywhere is never served, whatever its agreement.
        boolean accepted =
                after.nonFiniteFrames() == 0
                        && accepts(servingAgreement, candidateAgreement, acceptTolerance);
        if (accepted) {
            version++;
        } else {
            rollBack(params, saved, optimizerBefore);
        }
        return new Round(
                version,
                accepted,
                servingAgreement,
                candidateAgreement,
                first,
                last,
                after.metrics());
    }

    /**
     * The student's manifest, named {@code name} at the serving version, with {@code provenance}.
     */
    private CheckpointManifest manifest(String name, Map<String, ?> provenance) {
        return student.manifest().toBuilder()
                .setModelName(name)
                .optModelVersion(version)
                .optCreatedAt(Instant.now())
                .optTraining(provenance)
                .build();
    }

    private void rollBack(
            Map<String, Parameter> params, Map<String, float[]> saved, byte[] optimizerBefore) {
        params.forEach((name, p) -> p.getArray().set(FloatBuffer.wrap(saved.get(name))));
        try (NDManager m = model.getNDManager().newSubManager()) {
            trainer.restoreOptimizerState(NDList.decode(m, optimizerBefore));
        }
    }

    private static byte[] encode(NDList list) {
        return list.encode(NDList.Encoding.NPZ);
    }

    /** The serving student's metrics against the held-out pseudo-labels. */
    public Evaluation.Result validate() throws IOException {
        List<DenseSample> held = List.copyOf(heldOut);
        SampleSource src =
                new SampleSource() {
                    @Override
                    public String describe() {
                        return "held-out pseudo-labels (" + held.size() + " frames)";
                    }

                    @Override
                    public long size() {
                        return held.size();
                    }

                    @Override
                    public DenseSample get(long index, int h, int w) {
                        return held.get((int) index).resize(h, w);
                    }
                };
        return Evaluation.run(
                student.net(),
                model.getNDManager(),
                src,
                held.size(),
                settings.batch(),
                height,
                width,
                height,
                width,
                null);
    }

    /**
     * Agreement with the teacher, in [0, 1]: the mean of the segmentation mIoU against the
     * pseudo-labels (class-averaged, so that a candidate cannot lose the small classes unseen) and
     * {@code 1 - abs rel} of depth on consistent pixels (each where there are such pixels).
     */
    public static double agreement(Evaluation.Result r) {
        double sum = 0;
        int n = 0;
        Double acc = r.metrics().get(SegmentationMetrics.MIOU);
        if (acc != null) {
            sum += acc;
            n++;
        }
        Double absRel = r.metrics().get(DepthMetrics.ABS_REL);
        if (absRel != null) {
            sum += Math.max(0, 1 - absRel);
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * The serving student as checkpoint bytes, named {@code name} at the serving version.
     *
     * @param weightsType FLOAT16 for updates on the wire, FLOAT32 for state
     * @param withOptimizer whether the optimiser state goes with it (for state, to resume training)
     * @param provenance recorded in the manifest's training section
     */
    public byte[] checkpoint(
            String name, DataType weightsType, boolean withOptimizer, Map<String, ?> provenance)
            throws IOException {
        CheckpointManifest manifest = manifest(name, provenance);
        try (NDManager m = model.getNDManager().newSubManager()) {
            return Checkpoints.toBytes(
                    student.net(),
                    manifest,
                    weightsType,
                    withOptimizer ? trainer.optimizerState(m) : null);
        }
    }

    /**
     * The mean loss of the serving student on the training frames (inference mode; changes
     * nothing).
     */
    public double bufferLoss() {
        List<DenseSample> all = new ArrayList<>(buffer);
        double sum = 0;
        int batches = 0;
        for (int i = 0; i < all.size(); i += settings.batch()) {
            sum += trainer.evaluateLoss(all.subList(i, Math.min(all.size(), i + settings.batch())));
            batches++;
        }
        return batches == 0 ? Double.NaN : sum / batches;
    }

    /** Rounds run (accepted or not) since this trainer was created. */
    public int rounds() {
        return rounds;
    }

    /** Frames received since this trainer was created. */
    public long received() {
        return received;
    }

    /** Parameters, for tests: the current value of every weight under its state-dict name. */
    Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        StateDict.parameters(student.net())
                .forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    @Override
    public void close() {
        try {
            trainer.close();
        } finally {
            model.close();
        }
    }
}
