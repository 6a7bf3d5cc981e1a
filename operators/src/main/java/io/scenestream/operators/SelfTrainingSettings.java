package io.scenestream.operators;

import io.scenestream.model.data.DataSpec;
import io.scenestream.model.inference.TorchThreads;
import io.scenestream.model.selftrain.SelfTrainer;
import java.io.Serializable;

/**
 * How the student keeps learning online.
 *
 * @param studentCheckpoint the shipped student's {@code .ckpt.zip}: where training starts when the
 *     job has no state
 * @param trainer buffer sizes, steps per round, batch, learning rate
 * @param roundEvery a round starts after this many new training frames
 * @param roundIntervalMs or after this long, if any new frame came
 * @param updateKey key to sign updates with (HMAC-SHA256); empty for unsigned
 * @param sourceData labelled source-domain frames mixed into training against forgetting, as a data
 *     spec ({@code synthetic:day}, {@code nyud:PATH}); empty for none
 * @param sourceFrames how many such frames to keep
 * @param sourceShare chance that a training frame comes from them
 * @param niceness nice value (0..19) of the thread that runs the rounds, so that training uses the
 *     cores inference leaves idle and yields them to it; 0 leaves its priority
 * @param threads libtorch threads of that thread (see {@link TorchThreads}); 0 for libtorch's
 *     default
 * @param acceptTolerance agreement a candidate may lose against the serving student and still be
 *     accepted (see {@link SelfTrainer#acceptWithin}), in [0, 1)
 * @param budget share of the machine's cores that the teacher and the trainer together may take
 *     ({@link AdaptationBudget}); 0 for no limit
 * @param scope which cameras adapt together: the fleet as one ({@link SelfTrainingOperator}), or
 *     each camera or group on its own ({@link SceneSelfTrainingOperator})
 */
public record SelfTrainingSettings(
        String studentCheckpoint,
        SelfTrainer.Settings trainer,
        int roundEvery,
        long roundIntervalMs,
        String updateKey,
        String sourceData,
        int sourceFrames,
        double sourceShare,
        int niceness,
        int threads,
        double acceptTolerance,
        double budget,
        AdaptationScope scope)
        implements Serializable {

    public static final int DEFAULT_ROUND_EVERY = 16;
    public static final long DEFAULT_ROUND_INTERVAL_MS = 60_000;
    public static final int DEFAULT_SOURCE_FRAMES = 32;
    public static final double DEFAULT_SOURCE_SHARE = 0.25;
    public static final int DEFAULT_NICENESS = TeacherSettings.DEFAULT_NICENESS;
    public static final int DEFAULT_THREADS = TeacherSettings.DEFAULT_THREADS;

    /** A builder: the student checkpoint is required, the rest has the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SelfTrainingSettings}; {@code setX} are required, {@code optX} optional. */
    public static final class Builder {
        private String studentCheckpoint;
        private SelfTrainer.Settings trainer = SelfTrainer.Settings.builder().build();
        private int roundEvery = DEFAULT_ROUND_EVERY;
        private long roundIntervalMs = DEFAULT_ROUND_INTERVAL_MS;
        private String updateKey = "";
        private String sourceData = "";
        private int sourceFrames = DEFAULT_SOURCE_FRAMES;
        private double sourceShare = DEFAULT_SOURCE_SHARE;
        private int niceness = DEFAULT_NICENESS;
        private int threads = DEFAULT_THREADS;
        private double acceptTolerance;
        private double budget = TeacherSettings.DEFAULT_BUDGET;
        private AdaptationScope scope = AdaptationScope.FLEET;

        private Builder() {}

        public Builder setStudentCheckpoint(String studentCheckpoint) {
            this.studentCheckpoint = studentCheckpoint;
            return this;
        }

        public Builder optTrainer(SelfTrainer.Settings trainer) {
            this.trainer = trainer;
            return this;
        }

        /**
         * A round starts after {@code roundEvery} new training frames, or after {@code
         * roundIntervalMs} if any came.
         */
        public Builder optRounds(int roundEvery, long roundIntervalMs) {
            this.roundEvery = roundEvery;
            this.roundIntervalMs = roundIntervalMs;
            return this;
        }

        public Builder optUpdateKey(String updateKey) {
            this.updateKey = updateKey;
            return this;
        }

        /**
         * Labelled source-domain frames mixed into training: a data spec, how many, their share.
         */
        public Builder optSource(String sourceData, int sourceFrames, double sourceShare) {
            this.sourceData = sourceData;
            this.sourceFrames = sourceFrames;
            this.sourceShare = sourceShare;
            return this;
        }

        /** The worker thread's nice value and libtorch threads. */
        public Builder optWorker(int niceness, int threads) {
            this.niceness = niceness;
            this.threads = threads;
            return this;
        }

        public Builder optAcceptTolerance(double acceptTolerance) {
            this.acceptTolerance = acceptTolerance;
            return this;
        }

        /**
         * Share of the machine's cores adaptation may take (see {@link AdaptationBudget}); 0: no
         * limit.
         */
        public Builder optBudget(double budget) {
            this.budget = budget;
            return this;
        }

        /** Which cameras adapt together; the fleet as one by default. */
        public Builder optScope(AdaptationScope scope) {
            this.scope = scope;
            return this;
        }

        public SelfTrainingSettings build() {
            return new SelfTrainingSettings(
                    studentCheckpoint,
                    trainer,
                    roundEvery,
                    roundIntervalMs,
                    updateKey,
                    sourceData,
                    sourceFrames,
                    sourceShare,
                    niceness,
                    threads,
                    acceptTolerance,
                    budget,
                    scope);
        }
    }

    public SelfTrainingSettings {
        if (studentCheckpoint == null || studentCheckpoint.isBlank()) {
            throw new IllegalArgumentException("self-training needs the student checkpoint");
        }
        if (roundEvery < 1 || roundIntervalMs < 1) {
            throw new IllegalArgumentException(
                    "self-training round trigger must be at least 1 frame and 1 ms");
        }
        updateKey = updateKey == null ? "" : updateKey;
        scope = scope == null ? AdaptationScope.FLEET : scope;
        sourceData = sourceData == null ? "" : sourceData;
        if (!sourceData.isEmpty()) {
            DataSpec.parse(sourceData);
        }
        if (sourceFrames < 0 || !(sourceShare >= 0 && sourceShare <= 1)) {
            throw new IllegalArgumentException(
                    "source frames must be >= 0 and their share in [0, 1]");
        }
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException(
                    "self-training nice value must be in 0..19, got " + niceness);
        }
        if (!(acceptTolerance >= 0 && acceptTolerance < 1)) {
            throw new IllegalArgumentException(
                    "acceptance tolerance must be in [0, 1), got " + acceptTolerance);
        }
        if (!(budget >= 0 && budget <= 1)) {
            throw new IllegalArgumentException(
                    "adaptation budget must be in [0, 1] (0: no limit), got " + budget);
        }
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "self-training threads must be >= 0 (0: libtorch's default), got " + threads);
        }
    }
}
