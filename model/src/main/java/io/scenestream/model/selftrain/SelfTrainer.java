package io.scenestream.model.selftrain;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
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
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.train.BatchNormStatistics;
import io.scenestream.model.train.Evaluation;
import io.scenestream.model.train.MtiNetTrainer;
import io.scenestream.model.weights.StateDict;
import java.io.IOException;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The student's side of online self-training: a replay buffer of recent pseudo-labelled frames (and
 * a held-out set of them), rounds of a few optimiser steps of the student's multi-task loss with
 * deep supervision on the confident pixels, and a check of every candidate before it may serve.
 *
 * <p>The check runs on the newest held-out frames of the camera's current scene only, not the one
 * it saw before a shift (by their colour statistics, {@link CurrentScene}; rounds train on the
 * current scene's frames too once there are a batch of them), labelled with the teacher's
 * prediction at every pixel, not only where it is sure (a student trained on the confident pixels
 * can agree there ever better while it gets worse everywhere else), and asks, task by task, how
 * well a student agrees with the teacher there: the candidate serves only if it agrees at least as
 * well as the serving student and as the frozen student (the shipped one, {@link #keepFrozen}) on
 * segmentation and on depth; otherwise it is rolled back (weights and optimiser state) and never
 * served. When the serving student itself has fallen behind the frozen one on the current scene,
 * the frozen student serves again: adaptation never leaves a camera with a model the teacher rates
 * worse than the one it shipped with.
 *
 * <p>Owns a model of its own (its NDManager closes with {@link #close}); thread-confined: libtorch
 * keeps autograd mode per thread, so construct and use it on one thread. Only {@link #offer} may be
 * called from any thread.
 *
 * <p>One file: a round's steps, its check and its bit-exact rollback share the buffers and the
 * optimiser state, and read best in one place.
 */
public final class SelfTrainer implements AutoCloseable {

    /**
     * @param bufferSize pseudo-labelled frames kept for training (oldest dropped first)
     * @param heldOutSize pseudo-labelled frames kept for checking candidates
     * @param heldOutEvery every n-th pseudo-labelled frame goes to the held-out set instead
     * @param checkFrames the newest held-out frames a candidate is checked on (the current scene)
     * @param fallbackMargin agreement, per task, by which the frozen student must lead the serving
     *     one before it serves again (and that a candidate may trail it by)
     * @param stepsPerRound optimiser steps per round (K)
     * @param batch frames per step
     * @param learningRate Adam's learning rate (constant online)
     * @param weightDecay L2 weight decay
     * @param seed of batch draws and flips
     * @param parts which parameters rounds update
     * @param normalisation how a round treats BatchNorm's statistics ({@link Normalisation})
     * @param sceneTolerance how far the light of the held-out frames before and after a point must
     *     differ for those after it to be the current scene ({@link CurrentScene#newest}): only
     *     those are check frames, and rounds train on the buffer's frames like them once there are
     *     a batch of them; 0 for no such restriction
     * @param minCheckFrames the fewest check frames a candidate is judged on: a round whose check
     *     has fewer frames of the current scene (right after a change of light) is rolled back, for
     *     a gain on so few frames is noise
     * @param cropHeight rows of the window of each training frame a step trains on, at a random
     *     place (a multiple of 32, at most the student's input); 0 for the whole frame
     * @param cropWidth its columns; 0 with {@code cropHeight} 0
     */
    public record Settings(
            int bufferSize,
            int heldOutSize,
            int heldOutEvery,
            int checkFrames,
            double fallbackMargin,
            int stepsPerRound,
            int batch,
            float learningRate,
            float weightDecay,
            long seed,
            TrainedParts parts,
            Normalisation normalisation,
            double sceneTolerance,
            int minCheckFrames,
            int cropHeight,
            int cropWidth)
            implements Serializable {

        public Settings {
            if (bufferSize < 1
                    || heldOutSize < 1
                    || heldOutEvery < 2
                    || checkFrames < 1
                    || stepsPerRound < 1
                    || batch < 1) {
                throw new IllegalArgumentException(
                        "self-training needs buffer, held-out set, check frames, steps and"
                                + " batch >= 1 and held-out every >= 2 frames");
            }
            if (minCheckFrames < 1 || minCheckFrames > checkFrames) {
                throw new IllegalArgumentException(
                        "the fewest check frames a candidate is judged on must be in [1, "
                                + checkFrames
                                + "] (the check frames), got "
                                + minCheckFrames);
            }
            if (!(fallbackMargin >= 0 && fallbackMargin < 1)) {
                throw new IllegalArgumentException(
                        "fallback margin must be in [0, 1), got " + fallbackMargin);
            }
            if (parts == null || normalisation == null) {
                throw new IllegalArgumentException("trained parts and normalisation must be set");
            }
            if (!(sceneTolerance >= 0) || Double.isInfinite(sceneTolerance)) {
                throw new IllegalArgumentException(
                        "scene tolerance must be finite and >= 0, got " + sceneTolerance);
            }
            if ((cropHeight == 0) != (cropWidth == 0)
                    || cropHeight < 0
                    || cropWidth < 0
                    || cropHeight % 32 != 0
                    || cropWidth % 32 != 0) {
                throw new IllegalArgumentException(
                        "a training crop must be HxW, both positive multiples of 32 (or 0x0 for the"
                                + " whole frame), got "
                                + cropHeight
                                + "x"
                                + cropWidth);
            }
            if (!(learningRate > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException(
                        "learning rate must be > 0 and weight decay >= 0");
            }
        }

        public static final int DEFAULT_BUFFER_SIZE = 256;
        public static final int DEFAULT_HELD_OUT_SIZE = 32;
        public static final int DEFAULT_HELD_OUT_EVERY = 3;
        public static final int DEFAULT_CHECK_FRAMES = 8;
        public static final int DEFAULT_MIN_CHECK_FRAMES = 4;
        public static final double DEFAULT_FALLBACK_MARGIN = 0.01;
        public static final int DEFAULT_STEPS_PER_ROUND = 10;
        public static final int DEFAULT_BATCH = 4;
        public static final float DEFAULT_LEARNING_RATE = 1e-4f;
        public static final float DEFAULT_WEIGHT_DECAY = 1e-4f;

        /**
         * Whether a candidate checked on {@code checkFrames} frames of the current scene is judged:
         * at least {@link #minCheckFrames}; with fewer it is rolled back unjudged.
         */
        public boolean judges(int checkFrames) {
            return checkFrames >= minCheckFrames;
        }

        /**
         * A builder with the defaults: 256 frames, 32 held out (every 3rd), candidates checked on
         * the newest 8 (at least 4) with a fallback margin of 0.01, 10 steps of batch 4 at lr 1e-4
         * per round, BatchNorm on batch statistics.
         */
        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link Settings}; every {@code optX} is optional. */
        public static final class Builder {
            private int bufferSize = DEFAULT_BUFFER_SIZE;
            private int heldOutSize = DEFAULT_HELD_OUT_SIZE;
            private int heldOutEvery = DEFAULT_HELD_OUT_EVERY;
            private int checkFrames = DEFAULT_CHECK_FRAMES;
            private double fallbackMargin = DEFAULT_FALLBACK_MARGIN;
            private int stepsPerRound = DEFAULT_STEPS_PER_ROUND;
            private int batch = DEFAULT_BATCH;
            private float learningRate = DEFAULT_LEARNING_RATE;
            private float weightDecay = DEFAULT_WEIGHT_DECAY;
            private long seed = 7;
            private TrainedParts parts = TrainedParts.ALL;
            private Normalisation normalisation = Normalisation.BATCH;
            private double sceneTolerance = CurrentScene.DEFAULT_TOLERANCE;
            private int minCheckFrames = DEFAULT_MIN_CHECK_FRAMES;
            private int cropHeight;
            private int cropWidth;

            private Builder() {}

            /** Which parameters rounds update (all by default). */
            public Builder optParts(TrainedParts parts) {
                this.parts = parts;
                return this;
            }

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

            /**
             * How candidates are checked: on the newest {@code checkFrames} held-out frames, and
             * the frozen student serves again when it leads the serving one by {@code
             * fallbackMargin} on a task.
             */
            public Builder optCheck(int checkFrames, double fallbackMargin) {
                this.checkFrames = checkFrames;
                this.fallbackMargin = fallbackMargin;
                return this;
            }

            /**
             * The fewest check frames a candidate is judged on (default {@value
             * #DEFAULT_MIN_CHECK_FRAMES}); with fewer the round is rolled back.
             */
            public Builder optMinCheckFrames(int minCheckFrames) {
                this.minCheckFrames = minCheckFrames;
                return this;
            }

            /**
             * Steps train on a {@code height x width} window of each frame, at a random place
             * (multiples of 32; 0x0, the default, for the whole frame): a step costs about the
             * share of the frame's pixels it sees.
             */
            public Builder optCrop(int height, int width) {
                this.cropHeight = height;
                this.cropWidth = width;
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

            /**
             * How far the light must change for a new scene (default {@link
             * CurrentScene#DEFAULT_TOLERANCE}; 0: every frame counts).
             */
            public Builder optSceneTolerance(double sceneTolerance) {
                this.sceneTolerance = sceneTolerance;
                return this;
            }

            /** How a round treats BatchNorm's statistics (default {@link Normalisation#BATCH}). */
            public Builder optNormalisation(Normalisation normalisation) {
                this.normalisation = normalisation;
                return this;
            }

            public Settings build() {
                return new Settings(
                        bufferSize,
                        heldOutSize,
                        heldOutEvery,
                        checkFrames,
                        fallbackMargin,
                        stepsPerRound,
                        batch,
                        learningRate,
                        weightDecay,
                        seed,
                        parts,
                        normalisation,
                        sceneTolerance,
                        minCheckFrames,
                        cropHeight,
                        cropWidth);
            }
        }
    }

    /** How a round treats BatchNorm's statistics. */
    public enum Normalisation {
        /**
         * Steps normalise with each batch's statistics and move the running ones towards them by
         * the layer's momentum (the backbone's: 0.01 a step), as offline training does: after a
         * change of light a candidate serves with running statistics mostly of the light before.
         */
        BATCH,
        /**
         * Steps normalise with the running statistics, as inference does, and leave them as they
         * are ({@link MtiNetTrainer#normaliseWithRunningStatistics}): what a round learns is what
         * its candidate computes when it serves; on adapt-eval its students' depth was worse.
         */
        RUNNING,
        /**
         * As {@link #BATCH}, then the candidate's running statistics are set to those of the
         * round's newest training frames ({@link #STATISTICS_FRAMES}; {@link BatchNormStatistics})
         * pooled with the frozen student's ({@link #STATISTICS_PRIOR}): it serves normalised as the
         * frames of the light it trained on.
         */
        FRAMES
    }

    /**
     * The newest training frames whose BatchNorm statistics a {@link Normalisation#FRAMES}
     * candidate gets.
     */
    static final int STATISTICS_FRAMES = 16;

    /**
     * The weight, in frames, of the frozen student's BatchNorm statistics in those a {@link
     * Normalisation#FRAMES} candidate gets: pooled with the newest frames' ({@link
     * BatchNormStatistics#setFrom(ai.djl.nn.Block, ai.djl.ndarray.NDManager, List, int, double,
     * Map)}), so that the first frames of a new light, all views of one scene, move them part of
     * the way. Replaced outright by 4-16 consecutive frames of a synthetic camera's room under a
     * warm lamp, the student's depth RMSE nearly doubled; pooled with the frozen statistics as 16
     * frames it fell by a fifth ({@code bin/scenestream-statistics-eval}).
     */
    static final int STATISTICS_PRIOR = 16;

    /** What a round did with its candidate. */
    public enum Outcome {
        /** The candidate serves, as the next version. */
        ACCEPTED,
        /** The candidate was rolled back; the serving student stays. */
        ROLLED_BACK,
        /**
         * The serving student had fallen behind the frozen one on the current scene and no
         * candidate did better: the frozen student serves again, as the next version.
         */
        FROZEN
    }

    /**
     * How well a student agrees with the teacher on the check frames, per task: the segmentation
     * mIoU against the check frames' labels (class-averaged, so that a student cannot lose the
     * small classes unseen) and {@code 1 - abs rel} of depth on their valid pixels, both in [0, 1],
     * and the depth RMSE against the teacher's depth in metres. Abs rel weighs each pixel by the
     * inverse of its depth, so the near ones count most; the RMSE weighs the far ones, where a
     * room's depth errors are largest. Depth is judged by the RMSE where both sides have one, as
     * the adaptation targets measure it: after a change of light, candidates (the new light's
     * BatchNorm statistics above all) that came closer to the teacher in RMSE and segmentation, and
     * to the ground truth in both RMSE and abs rel, agreed less with the teacher in abs rel. Abs
     * rel judges where there is no RMSE. NaN for a task the labels have no pixels of, and for all
     * when the student's outputs are not finite.
     *
     * @param depthRmse depth RMSE against the teacher in metres (lower agrees better); NaN where
     *     not measured
     */
    public record Agreement(double segmentation, double depth, double depthRmse) {

        /** Without a depth RMSE: judged on mIoU and abs rel only. */
        public Agreement(double segmentation, double depth) {
            this(segmentation, depth, Double.NaN);
        }

        /** A student's agreement from its metrics against the pseudo-labels. */
        public static Agreement of(Evaluation.Result r) {
            if (r.nonFiniteFrames() > 0) {
                return new Agreement(Double.NaN, Double.NaN, Double.NaN);
            }
            Double miou = r.metrics().get(SegmentationMetrics.MIOU);
            Double absRel = r.metrics().get(DepthMetrics.ABS_REL);
            Double rmse = r.metrics().get(DepthMetrics.RMSE);
            return new Agreement(
                    miou == null ? Double.NaN : miou,
                    absRel == null ? Double.NaN : Math.max(0, 1 - absRel),
                    rmse == null ? Double.NaN : rmse);
        }

        /** The mean of the tasks that have a value; NaN if none has. */
        public double overall() {
            boolean s = !Double.isNaN(segmentation);
            boolean d = !Double.isNaN(depth);
            if (s && d) {
                return (segmentation + depth) / 2;
            }
            return s ? segmentation : d ? depth : Double.NaN;
        }

        /**
         * Whether this agrees at least as well as {@code other}, less {@code slack}, on every
         * measure {@code other} has a value for: mIoU within {@code slack} of it, the depth RMSE at
         * most {@code slack} (as a share) above it, or where either has no RMSE {@code 1 - abs rel}
         * within {@code slack} of it.
         */
        public boolean atLeast(Agreement other, double slack) {
            return worseThan(other, slack).isEmpty();
        }

        /**
         * The measures on which this agrees less than {@code other} by more than {@code slack} (as
         * in {@link #atLeast}): {@code segmentation}, {@code depth RMSE}, or where either has no
         * RMSE {@code depth abs rel}.
         */
        public List<String> worseThan(Agreement other, double slack) {
            List<String> out = new ArrayList<>();
            if (!atLeast(segmentation, other.segmentation, slack)) {
                out.add("segmentation");
            }
            boolean byRmse = !Double.isNaN(depthRmse) && !Double.isNaN(other.depthRmse);
            if (!byRmse && !atLeast(depth, other.depth, slack)) {
                out.add("depth abs rel");
            }
            if (!(Double.isNaN(other.depthRmse) || depthRmse <= other.depthRmse * (1 + slack))) {
                out.add("depth RMSE");
            }
            return out;
        }

        private static boolean atLeast(double a, double b, double slack) {
            return Double.isNaN(b) || a >= b - slack;
        }
    }

    /**
     * What one round did.
     *
     * @param version the serving version after the round
     * @param outcome what became of the candidate
     * @param serving agreement of the student that served before the round, on the check frames
     * @param candidate agreement of the candidate
     * @param frozen agreement of the frozen student; null when it was the serving one (or there is
     *     none)
     * @param firstLoss loss of the round's first step
     * @param lastLoss loss of its last step
     * @param validation the metrics of the student that serves after the round, against the check
     *     frames' pseudo-labels
     * @param checkFrames how many frames the check looked at
     * @param newCheckFrames how many of them arrived while the round trained
     * @param trainingFrames how many buffered frames the round's steps drew from (those of the
     *     current scene, or the whole buffer while there are fewer than a batch of them); 0 when it
     *     did not train
     * @param skippedSteps steps left out because their gradients were not finite
     * @param worseOn the measures on which the candidate agreed less than the serving student (by
     *     more than the tolerance) or the frozen one (by more than the margin); empty when it was
     *     not judged
     * @param stoppedAfter the steps the round had trained when the light of its check frames
     *     changed and it stopped, not judged (see {@link #round}); 0 when it ran its steps
     */
    public record Round(
            long version,
            Outcome outcome,
            Agreement serving,
            Agreement candidate,
            Agreement frozen,
            float firstLoss,
            float lastLoss,
            Map<String, Double> validation,
            int checkFrames,
            int newCheckFrames,
            int trainingFrames,
            int skippedSteps,
            List<String> worseOn,
            int stoppedAfter,
            int statisticsFrames) {

        public Round {
            worseOn = List.copyOf(worseOn);
        }

        /** Whether the candidate serves. */
        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }

        /** Whether steps were trained: a round, not a check between rounds ({@link #watch}). */
        public boolean trained() {
            return !Float.isNaN(firstLoss);
        }

        /**
         * Whether the candidate was the serving weights with the BatchNorm statistics of the newest
         * training frames, without a step ({@link Normalisation#FRAMES}).
         */
        public boolean statisticsOnly() {
            return statisticsFrames > 0 && !trained();
        }

        /** Whether the round stopped when the light changed during its steps. */
        public boolean stopped() {
            return stoppedAfter > 0;
        }

        /** Whether a new version serves: the candidate or, fallen back to, the frozen student. */
        public boolean newVersion() {
            return outcome != Outcome.ROLLED_BACK;
        }

        public double servingAgreement() {
            return serving.overall();
        }

        public double candidateAgreement() {
            return candidate.overall();
        }

        /** The frozen student's agreement; NaN when it was the serving one. */
        public double frozenAgreement() {
            return frozen == null ? Double.NaN : frozen.overall();
        }
    }

    private final Settings settings;
    private final Model model;
    private final LoadedCheckpoint student;

    /** Values of the parameters rounds update (see {@link TrainedParts}). */
    private final long trainedValues;

    private final MtiNetTrainer trainer;
    private final Deque<DenseSample> buffer = new ArrayDeque<>();
    private final Deque<DenseSample> heldOut = new ArrayDeque<>();

    /**
     * Each buffered and held-out frame's light ({@link CurrentScene#statistics}), measured once
     * when it is added: readiness is decided again for every frame added, over all of them.
     */
    private final Map<DenseSample, double[]> lights = new IdentityHashMap<>();

    /** Frames offered from other threads, added on this one ({@link #drain}). */
    private final Queue<Offered> offered = new ConcurrentLinkedQueue<>();

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
     * Batches of training frames of a new light a round waits for: its steps draw {@code
     * steps-per-round x batch} frames, and from a single batch of them (on adapt-eval under a warm
     * lamp a round trained on the first four) it learns those frames rather than the light: its
     * candidate agreed a little better with the teacher on five check frames and served, 1.3 to 3.4
     * mIoU points below the frozen student.
     */
    static final int NEW_LIGHT_BATCHES = 2;

    /** {@link #ready}, as of the last frame added or round; read from other threads. */
    private volatile boolean ready;

    /** {@link #statisticsDue}, as of the last frame added or round; read from other threads. */
    private volatile boolean statisticsDue;

    /** What {@link #ready} was decided on, for {@link #readiness}. */
    private volatile String readiness = "no frames yet";

    /** The frozen student's weights by state-dict name; null without one. */
    private Map<String, float[]> frozenWeights;

    /**
     * The frames the serving student's BatchNorm statistics were set from ({@link
     * Normalisation#FRAMES}); null for those it shipped with, or a restored student's.
     */
    private List<DenseSample> servingStatistics;

    /**
     * The frames of the last statistics-only candidate that did not serve, since the last candidate
     * that did; null if none. Rounds train until the newest frames show another light than these.
     */
    private List<DenseSample> rejectedStatistics;

    /** Whether the serving weights are the frozen student's. */
    private boolean servingIsFrozen;

    /** The frozen student's version. */
    private long frozenVersion;

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
            if (settings.cropHeight() > height || settings.cropWidth() > width) {
                throw new IllegalArgumentException(
                        "training crop "
                                + settings.cropHeight()
                                + "x"
                                + settings.cropWidth()
                                + " is larger than the student's input "
                                + height
                                + "x"
                                + width
                                + " ("
                                + source
                                + ")");
            }
            MtiNetTrainer.Options options =
                    new MtiNetTrainer.Options(
                            settings.learningRate(),
                            settings.weightDecay(),
                            Integer.MAX_VALUE,
                            0f,
                            Map.of());
            trainer = new MtiNetTrainer(m, options, new Shape(settings.batch(), 3, height, width));
            trainer.normaliseWithRunningStatistics(
                    settings.normalisation() == Normalisation.RUNNING);
            Map<String, Parameter> params = StateDict.parameters(lc.net());
            trainedValues = settings.parts().apply(params);
            try (NDManager scratch = m.getNDManager().newSubManager()) {
                NDList opt = Checkpoints.optimizerStateFromBytes(checkpoint, source, scratch);
                if (opt != null) {
                    // Only the trained parameters have optimiser state (a checkpoint saved
                    // training other parts has some of the others').
                    NDList kept = new NDList();
                    for (NDArray a : opt) {
                        String name = a.getName();
                        Parameter p =
                                params.get(name.substring(0, Math.max(0, name.lastIndexOf('.'))));
                        if (p == null || p.requiresGradient()) {
                            kept.add(a);
                        }
                    }
                    trainer.restoreOptimizerState(kept);
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

    /**
     * Adds a frame to the held-out set or to the training buffer. A held-out frame is labelled with
     * the teacher's prediction everywhere ({@code PseudoLabeler.Result#teacher}), a training frame
     * with its confident pixels only.
     */
    public void add(DenseSample pseudo, boolean toHeldOut) {
        DenseSample s = pseudo.resize(height, width);
        received++;
        if (toHeldOut) {
            push(heldOut, s, settings.heldOutSize());
        } else {
            push(buffer, s, settings.bufferSize());
            sinceRound++;
        }
        ready = computeReady();
    }

    /** A frame offered for the buffer or the held-out set, decoded when it is added. */
    private record Offered(Supplier<DenseSample> frame, boolean toHeldOut) {}

    /**
     * Offers a frame from any thread, to be {@link #add added} on the trainer's thread by the next
     * {@link #drain}: at the start of a round or a check and before a round's check, so that frames
     * which arrive while a round runs are among those it is checked on. {@code frame} is called on
     * the trainer's thread; if it gives null (it could not decode its frame, and said so) nothing
     * is added.
     */
    public void offer(Supplier<DenseSample> frame, boolean toHeldOut) {
        offered.add(new Offered(Objects.requireNonNull(frame, "frame"), toHeldOut));
    }

    /**
     * Adds the frames {@link #offer offered} so far, in the order they were offered.
     *
     * @return how many were added
     */
    public int drain() {
        int added = 0;
        for (Offered o = offered.poll(); o != null; o = offered.poll()) {
            DenseSample s = o.frame().get();
            if (s != null) {
                add(s, o.toHeldOut());
                added++;
            }
        }
        return added;
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
     * Runs {@code hook} on the round's thread after every training step, validation and setting of
     * BatchNorm statistics, e.g. to keep the round within a share of the machine; nothing by
     * default.
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
     * The check of a round: the candidate serves if it agrees with the teacher, on every task, at
     * least as well as the serving student (less {@code tolerance}) and as the frozen student (less
     * {@code margin}); else the frozen student serves again if the serving one trails it by more
     * than {@code margin} on a task; else the candidate is rolled back.
     *
     * @param candidate the candidate's agreement; null when it is not judged (too few check frames
     *     of the current scene): it never serves
     * @param frozen the frozen student's agreement; null when it is the serving one
     */
    public static Outcome decide(
            Agreement serving,
            Agreement candidate,
            Agreement frozen,
            double tolerance,
            double margin) {
        boolean judged = candidate != null && !Double.isNaN(candidate.overall());
        if (judged
                && candidate.atLeast(serving, tolerance)
                && (frozen == null || candidate.atLeast(frozen, margin))) {
            return Outcome.ACCEPTED;
        }
        if (frozen != null && !serving.atLeast(frozen, margin)) {
            return Outcome.FROZEN;
        }
        return Outcome.ROLLED_BACK;
    }

    /**
     * Keeps the frozen student (the shipped checkpoint the adaptation started from, as {@code
     * checkpoint}'s bytes): every round checks it against the serving student on the current scene,
     * and it serves again when that one falls behind.
     *
     * @throws CheckpointException if it is not a checkpoint of the student's architecture
     */
    public void keepFrozen(byte[] checkpoint, String source) throws CheckpointException {
        Map<String, Parameter> params = StateDict.parameters(student.net());
        Map<String, float[]> frozen = new LinkedHashMap<>();
        long frozenAt;
        try (NDManager m = model.getNDManager().newSubManager()) {
            LoadedCheckpoint lc = Checkpoints.fromBytes(checkpoint, source, m, null);
            frozenAt = lc.manifest().modelVersion();
            Map<String, Parameter> theirs = StateDict.parameters(lc.net());
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                Parameter p = theirs.get(e.getKey());
                if (p == null
                        || !p.getArray().getShape().equals(e.getValue().getArray().getShape())) {
                    throw new CheckpointException(
                            Path.of(source),
                            "is not a frozen "
                                    + modelName()
                                    + ": "
                                    + (p == null
                                            ? "it has no " + e.getKey()
                                            : e.getKey()
                                                    + " is "
                                                    + p.getArray().getShape()
                                                    + ", not "
                                                    + e.getValue().getArray().getShape()));
                }
                frozen.put(e.getKey(), p.getArray().toFloatArray());
            }
        }
        frozenWeights = frozen;
        frozenVersion = frozenAt;
        servingIsFrozen = sameWeights(snapshot(params), frozen);
    }

    /**
     * One camera's (or group's) adaptation, for a trainer that adapts several scenes in turn on one
     * shared base, the frozen student ({@link #enter}).
     *
     * @param delta the scene's {@link SceneDelta} as bytes (with the optimiser's state), or null
     *     while it serves the base
     * @param version the scene's serving version
     * @param servingIsFrozen whether the scene serves the base
     * @param training the scene's training buffer, oldest first
     * @param heldOut the scene's held-out set, oldest first
     * @param statisticsRejected whether a statistics-only candidate of the scene did not serve
     *     since the last that did ({@link #round}): its rounds train until its frames show another
     *     light than those it holds
     */
    public record Scene(
            byte[] delta,
            long version,
            boolean servingIsFrozen,
            List<DenseSample> training,
            List<DenseSample> heldOut,
            boolean statisticsRejected) {

        /** A scene with no rejected statistics-only candidate. */
        public Scene(
                byte[] delta,
                long version,
                boolean servingIsFrozen,
                List<DenseSample> training,
                List<DenseSample> heldOut) {
            this(delta, version, servingIsFrozen, training, heldOut, false);
        }
    }

    /**
     * Makes {@code scene} the one this trainer adapts: the frozen student's weights with the
     * scene's delta laid over them, its optimiser state (none for a scene without a delta), its
     * frames and its version. Needs {@link #keepFrozen} first.
     *
     * @param source names the delta in error messages
     * @throws CheckpointException if the delta does not fit the student; the trainer then holds the
     *     frozen student
     */
    public void enter(Scene scene, String source) throws CheckpointException {
        if (frozenWeights == null) {
            throw new IllegalStateException("scenes lie on the frozen student: keepFrozen first");
        }
        // Frames offered for the scene before belong to it, not to this one.
        offered.clear();
        Map<String, Parameter> params = StateDict.parameters(student.net());
        load(params, frozenWeights);
        servingIsFrozen = true;
        version = frozenVersion;
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDList optimizer = new NDList();
            if (scene.delta() != null) {
                SceneDelta d = SceneDelta.fromBytes(scene.delta(), source, m, student.net());
                d.layOver(student.net());
                if (d.optimizerState() != null) {
                    optimizer = d.optimizerState();
                }
            }
            trainer.restoreOptimizerState(optimizer);
        }
        version = scene.version();
        servingIsFrozen = scene.servingIsFrozen();
        sinceRound = 0;
        restoreFrames(scene.training(), scene.heldOut());
        // A scene serving the base has its statistics; an adapted one, as far as is known, those
        // of the frames it holds, and rejected ones those of its frames too.
        List<DenseSample> held = statisticsFrames(statisticsPool(checkFrames()));
        servingStatistics = scene.delta() == null ? null : held;
        rejectedStatistics = scene.statisticsRejected() ? held : null;
        ready = computeReady();
    }

    /**
     * The state-dict names of what adaptation changes: the trained parameters ({@link
     * TrainedParts}) and every BatchNorm running statistic (which every training step moves).
     */
    public List<String> deltaNames() {
        List<String> out = new ArrayList<>();
        StateDict.parameters(student.net())
                .forEach(
                        (name, p) -> {
                            if (p.requiresGradient()
                                    || p.getType() == Parameter.Type.RUNNING_MEAN
                                    || p.getType() == Parameter.Type.RUNNING_VAR) {
                                out.add(name);
                            }
                        });
        return out;
    }

    /** How many values a delta holds ({@link #deltaNames}). */
    public long deltaValues() {
        Map<String, Parameter> params = StateDict.parameters(student.net());
        long n = 0;
        for (String name : deltaNames()) {
            n += params.get(name).getArray().size();
        }
        return n;
    }

    /**
     * The serving student's difference from the frozen one as a {@link SceneDelta} for {@code
     * scope}, named {@code name} at the serving version.
     *
     * @param storage FLOAT16 for updates on the wire, FLOAT32 for state
     * @param withOptimizer whether the optimiser's state goes with it (for state)
     * @param provenance recorded in the manifest's training section
     */
    public byte[] delta(
            String name,
            String scope,
            DataType storage,
            boolean withOptimizer,
            Map<String, ?> provenance)
            throws IOException {
        Map<String, Object> training = new LinkedHashMap<>(provenance);
        training.put(SceneDelta.SCOPE, scope);
        training.put(SceneDelta.BASE_VERSION, frozenVersion);
        try (NDManager m = model.getNDManager().newSubManager()) {
            return SceneDelta.toBytes(
                    student.net(),
                    manifest(name, training),
                    deltaNames(),
                    storage,
                    withOptimizer ? trainer.optimizerState(m) : null);
        }
    }

    /** Whether the serving student is the frozen one. */
    public boolean servingIsFrozen() {
        return frozenWeights != null && servingIsFrozen;
    }

    /** The student's input size, rows and columns. */
    public int[] inputSize() {
        return new int[] {height, width};
    }

    /** Whether the {@code n}-th frame received (from 1) is held out. */
    public static boolean isHeldOut(long n, Settings settings) {
        return n % settings.heldOutEvery() == 0;
    }

    private void push(Deque<DenseSample> q, DenseSample s, int cap) {
        q.addLast(s);
        if (settings.sceneTolerance() > 0) {
            lights.put(s, CurrentScene.statistics(s));
        }
        while (q.size() > cap) {
            lights.remove(q.removeFirst());
        }
    }

    /** How many frames' light is kept: that of the buffered and held-out frames only. */
    int lightsKept() {
        return lights.size();
    }

    /** A frame's light: measured when it was added, if it is still buffered or held out. */
    private double[] light(DenseSample frame) {
        double[] known = lights.get(frame);
        return known != null ? known : CurrentScene.statistics(frame);
    }

    /** Training frames added since the last round. */
    public long sinceRound() {
        return sinceRound;
    }

    /** Whether a round can run: a batch of training frames and a held-out frame. */
    public boolean canRun() {
        return buffer.size() >= settings.batch() && !heldOut.isEmpty();
    }

    /**
     * Whether a round would train on the light it is checked on: it {@link #canRun can run}, and
     * after a change of light among the held-out frames the buffer has two batches of frames of the
     * new light ({@link #NEW_LIGHT_BATCHES}). A round started before that trains on the old light
     * (there is nothing else) and is judged on the new one: a round's time spent for a candidate
     * that is rolled back. With {@link Normalisation#FRAMES} the held-out set also has {@code
     * min-check-frames} of the new light, so that the round's first candidate (the new light's
     * statistics, no step) can be judged at once. As of the last frame {@link #add added}, {@link
     * #restoreFrames} or round; safe to read from any thread.
     */
    public boolean ready() {
        return ready;
    }

    /**
     * Why a round is or is not {@link #ready}: the frames it would train on and check on. Safe to
     * read from any thread.
     */
    public String readiness() {
        return readiness;
    }

    /**
     * Whether the next round is a statistics candidate ({@link Round#statisticsOnly}), judged on
     * the check frames there are: as of the last frame {@link #add added}, {@link #restoreFrames}
     * or round; safe to read from any thread. Such a round is {@link #ready} without training
     * frames of the new light, and is worth running at once.
     */
    public boolean statisticsDue() {
        return statisticsDue;
    }

    private boolean computeReady() {
        List<DenseSample> check = checkFrames();
        statisticsDue = canRun() && statisticsDue(check, statisticsPool(check));
        if (!canRun()) {
            readiness = buffer.size() + " training frames and " + heldOut.size() + " held out";
            return false;
        }
        if (settings.sceneTolerance() <= 0) {
            readiness = buffer.size() + " training frames";
            return true;
        }
        List<DenseSample> held = new ArrayList<>(heldOut);
        List<DenseSample> scene = CurrentScene.newest(held, settings.sceneTolerance(), this::light);
        if (scene.size() == held.size()) {
            // No change of light among the held-out frames: every buffered frame may be trained on.
            readiness = buffer.size() + " training frames, no change of light";
            return true;
        }
        int ofTheLight = framesOfTheLight(new ArrayList<>(buffer), checkFrames()).size();
        readiness =
                ofTheLight
                        + " of "
                        + buffer.size()
                        + " training frames in the light of the "
                        + scene.size()
                        + " held-out frames since its change";
        if (settings.normalisation() == Normalisation.FRAMES) {
            // The new light's first candidate, its statistics, needs no training frame of it: it
            // waits for enough check frames of that light to be judged, not for a round's steps.
            if (statisticsDue) {
                readiness += "; the statistics of the " + scene.size() + " held-out frames first";
                return true;
            }
            readiness += " (" + settings.minCheckFrames() + " needed to check)";
            return ofTheLight >= NEW_LIGHT_BATCHES * settings.batch()
                    && settings.judges(scene.size());
        }
        return ofTheLight >= NEW_LIGHT_BATCHES * settings.batch();
    }

    /**
     * Whether the light changed away from the one a round trains on: none of the check frames it
     * began with ({@code before}) is of the current scene any more, and the current scene's mean
     * light differs from that of the frames it trains on ({@code trainedLight}) by more than the
     * tolerance. The second test is the absolute one of {@link CurrentScene}: a camera turning from
     * a window to a dark corner may split its held-out frames by the test relative to its own
     * variation, with few frames on a side, and must not stop every round.
     */
    private boolean lightChangedSince(List<DenseSample> before, double[] trainedLight) {
        if (trainedLight == null || before.isEmpty()) {
            return false;
        }
        List<DenseSample> scene =
                CurrentScene.newest(
                        new ArrayList<>(heldOut), settings.sceneTolerance(), this::light);
        Set<DenseSample> now = Collections.newSetFromMap(new IdentityHashMap<>());
        now.addAll(scene);
        return before.stream().noneMatch(now::contains)
                && CurrentScene.distance(CurrentScene.meanLight(scene, this::light), trainedLight)
                        > settings.sceneTolerance();
    }

    /**
     * Whether a statistics-only candidate did not serve since the last candidate that did: rounds
     * train until the newest frames show another light than its frames.
     */
    public boolean statisticsRejected() {
        return rejectedStatistics != null;
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
        lights.clear();
        training.forEach(s -> push(buffer, s.resize(height, width), settings.bufferSize()));
        held.forEach(s -> push(heldOut, s.resize(height, width), settings.heldOutSize()));
        ready = computeReady();
    }

    /**
     * One round: K steps on batches drawn from the buffer's frames of the current scene (each frame
     * mirrored at random), then the check ({@link #decide}) of the candidate, the serving and the
     * frozen student on the check frames as they are when the steps end: frames {@link #offer
     * offered} meanwhile count, so a round that began before a change of scene is judged on the
     * scene it would serve, not on the one it trained on. A candidate that serves, or the frozen
     * student falling back in, becomes the next version; a rejected candidate is rolled back.
     *
     * <p>Between steps it takes in the frames offered meanwhile; when the light of the held-out
     * frames changes away from that of the frames it trains on (none of the check frames it began
     * with is of the current scene any more, and the scene's mean light is beyond the tolerance of
     * theirs), it stops there and is rolled back without a check: its steps trained on the light
     * before, and its remaining steps and check would only delay the round that trains on the new
     * one ({@link #ready}).
     *
     * <p>With {@link Normalisation#FRAMES}, when the newest training frames show another light than
     * those the serving statistics came from, the round is instead a check of the serving weights
     * with those frames' statistics, no step ({@link Round#statisticsOnly}): accepted or rolled
     * back, it is a round of its own; after one rolled back on its check the rounds train until the
     * newest frames show another light than its frames.
     */
    public Round round() throws IOException {
        drain();
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
        Map<String, Parameter> params = StateDict.parameters(student.net());
        Map<String, float[]> saved = snapshot(params);
        byte[] optimizerBefore;
        try (NDManager m = model.getNDManager().newSubManager()) {
            optimizerBefore = encode(trainer.optimizerState(m));
        }
        List<DenseSample> before = checkFrames();
        List<DenseSample> light = statisticsPool(before);
        if (statisticsDue(before, light)) {
            // The serving weights normalised as the new light first: a few passes and a check,
            // where the steps take a round's time. If it does not serve, the steps follow.
            try {
                setStatistics(light);
            } catch (RuntimeException e) {
                rollBack(params, saved, optimizerBefore);
                throw e;
            }
            // Its own round, whatever its outcome: a rejected one is reported as such, and the
            // steps, if they are to follow, are the next round's. One left unjudged (frames of
            // another light came in while it was set, and too few check frames of the current
            // scene remain) is not rejected: its light's statistics are tried again when its
            // frames are the newest again.
            Round quick =
                    judge(before, light, params, saved, optimizerBefore, Float.NaN, Float.NaN, 0);
            if (!quick.accepted() && settings.judges(quick.checkFrames())) {
                rejectedStatistics = statisticsFrames(light);
                ready = computeReady();
            }
            return quick;
        }
        List<DenseSample> pool = trainingFrames(before);
        double[] trainedLight =
                settings.sceneTolerance() > 0 ? CurrentScene.meanLight(pool, this::light) : null;
        float first = Float.NaN;
        float last = Float.NaN;
        int skipped = 0;
        int stoppedAfter = 0;
        try {
            for (int k = 0; k < settings.stepsPerRound() && stoppedAfter == 0; k++) {
                List<DenseSample> batch = new ArrayList<>(settings.batch());
                for (int b = 0; b < settings.batch(); b++) {
                    boolean fromSource =
                            !sourceFrames.isEmpty() && random.nextDouble() < sourceShare;
                    List<DenseSample> from = fromSource ? sourceFrames : pool;
                    DenseSample s = from.get(random.nextInt(from.size()));
                    if (settings.cropHeight() > 0) {
                        s =
                                Augmentation.crop(
                                        s,
                                        random.nextInt(height - settings.cropHeight() + 1),
                                        random.nextInt(width - settings.cropWidth() + 1),
                                        settings.cropHeight(),
                                        settings.cropWidth());
                    }
                    batch.add(random.nextBoolean() ? Augmentation.flipHorizontally(s) : s);
                }
                float loss;
                try {
                    loss = trainer.step(batch).loss();
                } catch (MtiNetTrainer.Diverged d) {
                    // A batch whose gradients are not finite is left out, as mixed-precision
                    // training skips such steps; weights that are not finite, or most of the
                    // round's steps left out, fail the round.
                    skipped++;
                    if (!d.weightsFinite() || 2 * skipped > settings.stepsPerRound()) {
                        throw new MtiNetTrainer.Diverged(
                                skipped
                                        + " of "
                                        + (k + 1)
                                        + " steps diverged, the last: "
                                        + d.getMessage(),
                                d.weightsFinite());
                    }
                    betweenSteps.run();
                    continue;
                }
                if (Float.isNaN(first)) {
                    first = loss;
                }
                last = loss;
                betweenSteps.run();
                if (k + 1 < settings.stepsPerRound()
                        && drain() > 0
                        && lightChangedSince(before, trainedLight)) {
                    stoppedAfter = k + 1;
                }
            }
            if (stoppedAfter == 0 && settings.normalisation() == Normalisation.FRAMES) {
                // Normalised as the newest frames of the light it trained on, not as the running
                // statistics its few steps moved by the momentum.
                if (pool.size() >= 2) {
                    setStatistics(pool);
                }
            }
        } catch (RuntimeException e) {
            // A round that fails (e.g. diverges) is rolled back like a rejected one, so the next
            // round starts from the serving student, not from what the failed steps left.
            rollBack(params, saved, optimizerBefore);
            throw e;
        }
        if (stoppedAfter > 0) {
            rollBack(params, saved, optimizerBefore);
            Agreement none = new Agreement(Double.NaN, Double.NaN, Double.NaN);
            return new Round(
                    version,
                    Outcome.ROLLED_BACK,
                    none,
                    none,
                    null,
                    first,
                    last,
                    Map.of(),
                    checkFrames().size(),
                    0,
                    pool.size(),
                    skipped,
                    List.of(),
                    stoppedAfter,
                    0);
        }
        return judge(before, pool, params, saved, optimizerBefore, first, last, skipped);
    }

    /**
     * The check of the candidate the net holds (its weights from {@code saved} and {@code
     * optimizerBefore} if it does not serve): against the serving and the frozen student on the
     * check frames as they are now.
     */
    private Round judge(
            List<DenseSample> before,
            List<DenseSample> pool,
            Map<String, Parameter> params,
            Map<String, float[]> saved,
            byte[] optimizerBefore,
            float first,
            float last,
            int skipped)
            throws IOException {
        drain();
        List<DenseSample> check = checkFrames();
        Set<DenseSample> known = Collections.newSetFromMap(new IdentityHashMap<>());
        known.addAll(before);
        int arrived = (int) check.stream().filter(f -> !known.contains(f)).count();
        Evaluation.Result after = validate(check);
        betweenSteps.run();
        Agreement candidate = Agreement.of(after);
        Map<String, float[]> trained = snapshot(params);
        load(params, saved);
        Agreement serving = Agreement.of(validate(check));
        betweenSteps.run();
        Agreement frozen = null;
        Map<String, Double> frozenMetrics = null;
        if (frozenWeights != null && !servingIsFrozen) {
            Evaluation.Result r = validateFrozen(check, params, saved);
            frozen = Agreement.of(r);
            frozenMetrics = r.metrics();
            betweenSteps.run();
        }
        boolean judged = settings.judges(check.size());
        Set<String> worseOn = new LinkedHashSet<>();
        if (judged) {
            worseOn.addAll(candidate.worseThan(serving, acceptTolerance));
            if (frozen != null) {
                worseOn.addAll(candidate.worseThan(frozen, settings.fallbackMargin()));
            }
        }
        Outcome outcome =
                decide(
                        serving,
                        judged ? candidate : null,
                        frozen,
                        acceptTolerance,
                        settings.fallbackMargin());
        Map<String, Double> validation = after.metrics();
        switch (outcome) {
            case ACCEPTED -> {
                load(params, trained);
                servingIsFrozen = false;
                if (settings.normalisation() == Normalisation.FRAMES) {
                    servingStatistics = statisticsFrames(pool);
                    rejectedStatistics = null;
                }
            }
            case FROZEN -> {
                // Back to the shipped weights, with the optimiser's state of before the round.
                rollBack(params, frozenWeights, optimizerBefore);
                servingIsFrozen = true;
                servingStatistics = null;
                validation = frozenMetrics;
            }
            case ROLLED_BACK -> rollBack(params, saved, optimizerBefore);
        }
        if (outcome != Outcome.ROLLED_BACK) {
            version++;
        }
        // The serving or rejected statistics may have changed, and with them the next round.
        ready = computeReady();
        return new Round(
                version,
                outcome,
                serving,
                candidate,
                frozen,
                first,
                last,
                validation,
                check.size(),
                arrived,
                pool.size(),
                skipped,
                List.copyOf(worseOn),
                0,
                settings.normalisation() == Normalisation.FRAMES
                        ? statisticsFrames(pool).size()
                        : 0);
    }

    /**
     * Sets the student's BatchNorm statistics to those of {@link #statisticsFrames} pooled with the
     * frozen student's, which count as {@link #STATISTICS_PRIOR} frames (the student's own where no
     * frozen one is known).
     */
    private void setStatistics(List<DenseSample> pool) {
        BatchNormStatistics.setFrom(
                student.net(),
                model.getNDManager(),
                statisticsFrames(pool),
                settings.batch(),
                STATISTICS_PRIOR,
                frozenWeights);
        betweenSteps.run();
    }

    /**
     * The newest training frames a {@link Normalisation#FRAMES} candidate takes its BatchNorm
     * statistics from.
     */
    private static List<DenseSample> statisticsFrames(List<DenseSample> pool) {
        return List.copyOf(pool.subList(Math.max(0, pool.size() - STATISTICS_FRAMES), pool.size()));
    }

    /**
     * The frames a statistics candidate ({@link Round#statisticsOnly}) takes its BatchNorm
     * statistics from, oldest first: the buffer's frames of the check frames' light (all of them
     * without a scene tolerance), then the check frames. Statistics need images, not labels: the
     * held-out frames of a new light, which come first after a change ({@link HeldOutRouting}), are
     * its first frames, and the candidate is normalised as the very frames it is checked on, as it
     * will be on the frames it serves.
     */
    private List<DenseSample> statisticsPool(List<DenseSample> check) {
        List<DenseSample> pool = new ArrayList<>(buffer);
        if (settings.sceneTolerance() > 0 && !check.isEmpty()) {
            pool = CurrentScene.like(pool, check, settings.sceneTolerance(), this::light);
        }
        pool = new ArrayList<>(pool);
        pool.addAll(check);
        return pool;
    }

    /**
     * Whether a round is a statistics candidate: {@link Normalisation#FRAMES}, enough check frames
     * to judge it, and the newest frames of their light ({@code light}, {@link #statisticsPool})
     * show another light than the serving and the last rejected statistics came from.
     */
    private boolean statisticsDue(List<DenseSample> check, List<DenseSample> light) {
        return settings.normalisation() == Normalisation.FRAMES
                && settings.judges(check.size())
                && light.size() >= 2
                && statisticsOfAnotherLight(light);
    }

    /**
     * Whether the newest frames show another light than those the serving student's BatchNorm
     * statistics came from, by either test of {@link CurrentScene}, and than those of a rejected
     * statistics candidate: then a round checks the serving weights with the new frames'
     * statistics. Where the serving statistics are not from frames of the camera (the shipped ones,
     * or a restored student's), they are taken to serve the light of the oldest buffered frames: a
     * camera in the light it started in keeps them, and its first statistics candidate comes with a
     * change of light. Statistics of the starting light's frames, all views of one room, cost the
     * student segmentation on the light it was trained on (adapt-eval, warm lamp: a daylight
     * candidate accepted on four check frames served 3 mIoU points below the frozen student).
     */
    private boolean statisticsOfAnotherLight(List<DenseSample> pool) {
        List<DenseSample> served = servingStatistics != null ? servingStatistics : startingLight();
        return (served == null || anotherLight(served, pool))
                && (rejectedStatistics == null || anotherLight(rejectedStatistics, pool));
    }

    /**
     * The oldest buffered frames of one light ({@link #STATISTICS_FRAMES} at most, up to the first
     * change of light among them): the light the statistics not from the camera's frames are taken
     * to serve; null with an empty buffer.
     */
    private List<DenseSample> startingLight() {
        if (buffer.isEmpty()) {
            return null;
        }
        List<DenseSample> oldestFirst = buffer.stream().limit(STATISTICS_FRAMES).toList();
        if (settings.sceneTolerance() <= 0) {
            return oldestFirst;
        }
        // The newest run of one light, read from the oldest frame on.
        List<DenseSample> newestFirst = new ArrayList<>(oldestFirst);
        Collections.reverse(newestFirst);
        List<DenseSample> run =
                new ArrayList<>(
                        CurrentScene.newest(newestFirst, settings.sceneTolerance(), this::light));
        Collections.reverse(run);
        return run;
    }

    /** Whether the newest frames of {@code pool} show another light than {@code frames}. */
    private boolean anotherLight(List<DenseSample> frames, List<DenseSample> pool) {
        Set<DenseSample> old = Collections.newSetFromMap(new IdentityHashMap<>());
        old.addAll(frames);
        List<DenseSample> fresh =
                statisticsFrames(pool).stream().filter(f -> !old.contains(f)).toList();
        if (fresh.isEmpty() || settings.sceneTolerance() <= 0) {
            return false;
        }
        List<DenseSample> both = new ArrayList<>(frames);
        both.addAll(fresh);
        return CurrentScene.newest(both, settings.sceneTolerance(), this::light).stream()
                .noneMatch(old::contains);
    }

    /**
     * The check without training, for between rounds: whether the serving student still agrees with
     * the teacher on the current scene, task by task, at least as well as the frozen one less the
     * fallback margin; if not, the frozen student serves again, as the next version. Two
     * validations on the check frames; nothing to do while the frozen student serves.
     *
     * @return the record of the fallback if there was one
     */
    public Optional<Round> watch() throws IOException {
        drain();
        if (frozenWeights == null || servingIsFrozen || heldOut.isEmpty()) {
            return Optional.empty();
        }
        List<DenseSample> check = checkFrames();
        Map<String, Parameter> params = StateDict.parameters(student.net());
        Agreement serving = Agreement.of(validate(check));
        betweenSteps.run();
        Evaluation.Result r = validateFrozen(check, params, snapshot(params));
        Agreement frozen = Agreement.of(r);
        if (serving.atLeast(frozen, settings.fallbackMargin())) {
            return Optional.empty();
        }
        load(params, frozenWeights);
        servingIsFrozen = true;
        servingStatistics = null;
        version++;
        ready = computeReady();
        Agreement none = new Agreement(Double.NaN, Double.NaN, Double.NaN);
        return Optional.of(
                new Round(
                        version,
                        Outcome.FROZEN,
                        serving,
                        none,
                        frozen,
                        Float.NaN,
                        Float.NaN,
                        r.metrics(),
                        check.size(),
                        0,
                        0,
                        0,
                        List.of(),
                        0,
                        0));
    }

    /**
     * The frozen student's metrics on {@code check}: its weights in for the validation, {@code
     * serving} back after it, whatever happens.
     */
    private Evaluation.Result validateFrozen(
            List<DenseSample> check, Map<String, Parameter> params, Map<String, float[]> serving)
            throws IOException {
        load(params, frozenWeights);
        try {
            return validate(check);
        } finally {
            load(params, serving);
        }
    }

    /** The newest held-out frames, those a candidate is checked on. */
    private List<DenseSample> checkFrames() {
        List<DenseSample> all = new ArrayList<>(heldOut);
        if (settings.sceneTolerance() > 0) {
            all = CurrentScene.newest(all, settings.sceneTolerance(), this::light);
        }
        return List.copyOf(
                all.subList(Math.max(0, all.size() - settings.checkFrames()), all.size()));
    }

    /**
     * The frames a round trains on: the buffer's frames of the current scene (that of the check
     * frames), once there are two batches of them; else those in its light by the absolute test
     * alone, if a batch (a camera at night looks at a lamp and at dark corners: the test relative
     * to the check frames' own spread may leave fewer, all of them night frames); else the whole
     * buffer.
     */
    private List<DenseSample> trainingFrames(List<DenseSample> check) {
        List<DenseSample> all = new ArrayList<>(buffer);
        List<DenseSample> light = framesOfTheLight(all, check);
        return light.size() >= settings.batch() ? light : all;
    }

    /**
     * The frames of {@code all} of the check frames' scene if there are two batches of them, else
     * those in their light (see {@link #trainingFrames}); empty without a scene tolerance.
     */
    private List<DenseSample> framesOfTheLight(List<DenseSample> all, List<DenseSample> check) {
        if (settings.sceneTolerance() <= 0 || check.isEmpty()) {
            return List.of();
        }
        List<DenseSample> scene =
                CurrentScene.like(all, check, settings.sceneTolerance(), this::light);
        return scene.size() >= NEW_LIGHT_BATCHES * settings.batch()
                ? scene
                : CurrentScene.inLight(all, check, settings.sceneTolerance(), this::light);
    }

    private static Map<String, float[]> snapshot(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    private static void load(Map<String, Parameter> params, Map<String, float[]> weights) {
        params.forEach((name, p) -> p.getArray().set(FloatBuffer.wrap(weights.get(name))));
    }

    private static boolean sameWeights(Map<String, float[]> a, Map<String, float[]> b) {
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
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
        load(params, saved);
        try (NDManager m = model.getNDManager().newSubManager()) {
            trainer.restoreOptimizerState(NDList.decode(m, optimizerBefore));
        }
    }

    private static byte[] encode(NDList list) {
        return list.encode(NDList.Encoding.NPZ);
    }

    private Evaluation.Result validate(List<DenseSample> held) throws IOException {
        SampleSource src =
                SampleSource.of("held-out pseudo-labels (" + held.size() + " frames)", held);
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

    /** How many parameter values rounds update (see {@link TrainedParts}). */
    public long trainedValues() {
        return trainedValues;
    }

    /** Parameters, for tests: the current value of every weight under its state-dict name. */
    Map<String, float[]> weights() {
        return snapshot(parameters());
    }

    /** The student's net itself, for tests. */
    MtiNet net() {
        return student.net();
    }

    /** The student's parameters themselves under their state-dict names, for tests. */
    Map<String, Parameter> parameters() {
        return StateDict.parameters(student.net());
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
