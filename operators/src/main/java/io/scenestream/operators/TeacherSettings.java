package io.scenestream.operators;

import io.scenestream.model.inference.TorchThreads;
import io.scenestream.model.selftrain.AdaptiveStride;
import io.scenestream.model.selftrain.PseudoLabeler;
import java.io.Serializable;

/**
 * How the teacher labels key frames.
 *
 * @param checkpoint the teacher's {@code .ckpt.zip}, readable on every task manager
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}, as for inference
 * @param threshold minimum teacher probability of a segmentation pseudo-label
 * @param classThresholds per-class thresholds ("0.9,0.8,..."), empty for none
 * @param maxDepthRelDiff largest relative depth change under a horizontal flip
 * @param minStride fewest frames between two labelled frames of a camera
 * @param maxStride most frames between two labelled frames
 * @param lowAgreement student-teacher agreement below which the stride halves
 * @param highAgreement agreement above which it doubles
 * @param classShare class balance of the pseudo-labels (see {@link PseudoLabeler.Settings}); 0 for
 *     none
 * @param niceness nice value (0..19) of the thread the teacher runs on (see {@link
 *     ThreadNiceness}); 0 leaves its priority
 * @param threads libtorch threads of the teacher's thread (see {@link TorchThreads}); 0 for
 *     libtorch's default
 * @param updateKey key that teacher updates must be signed with (HMAC-SHA256); empty accepts
 *     unsigned ones
 * @param budget share of the machine's cores that the teacher and the trainer together may take
 *     ({@link AdaptationBudget}); 0 for no limit
 */
public record TeacherSettings(
        String checkpoint,
        String device,
        float threshold,
        String classThresholds,
        float maxDepthRelDiff,
        int minStride,
        int maxStride,
        double lowAgreement,
        double highAgreement,
        float classShare,
        int niceness,
        int threads,
        String updateKey,
        double budget)
        implements Serializable {

    public static final String DEFAULT_DEVICE = "cpu";
    public static final float DEFAULT_THRESHOLD = 0.9f;
    public static final float DEFAULT_DEPTH_FLIP_TOLERANCE = 0.05f;
    public static final int DEFAULT_MIN_STRIDE = 8;
    public static final int DEFAULT_MAX_STRIDE = 64;
    public static final double DEFAULT_LOW_AGREEMENT = 0.80;
    public static final double DEFAULT_HIGH_AGREEMENT = 0.95;
    public static final int DEFAULT_NICENESS = 0;
    public static final double DEFAULT_BUDGET = 0.25;
    public static final int DEFAULT_THREADS = 1;

    /** A builder: the checkpoint is required, the rest has the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TeacherSettings}; {@code setX} are required, {@code optX} optional. */
    public static final class Builder {
        private String checkpoint;
        private String device = DEFAULT_DEVICE;
        private float threshold = DEFAULT_THRESHOLD;
        private String classThresholds = "";
        private float maxDepthRelDiff = DEFAULT_DEPTH_FLIP_TOLERANCE;
        private int minStride = DEFAULT_MIN_STRIDE;
        private int maxStride = DEFAULT_MAX_STRIDE;
        private double lowAgreement = DEFAULT_LOW_AGREEMENT;
        private double highAgreement = DEFAULT_HIGH_AGREEMENT;
        private float classShare;
        private int niceness = DEFAULT_NICENESS;
        private int threads = DEFAULT_THREADS;
        private String updateKey = "";
        private double budget = DEFAULT_BUDGET;

        private Builder() {}

        public Builder setCheckpoint(String checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        /**
         * The pseudo-labels: class threshold, per-class thresholds, depth flip tolerance, class
         * share.
         */
        public Builder optLabels(
                float threshold, String classThresholds, float maxDepthRelDiff, float classShare) {
            this.threshold = threshold;
            this.classThresholds = classThresholds;
            this.maxDepthRelDiff = maxDepthRelDiff;
            this.classShare = classShare;
            return this;
        }

        /** The adaptive stride: its bounds and the agreements at which it halves and doubles. */
        public Builder optStride(
                int minStride, int maxStride, double lowAgreement, double highAgreement) {
            this.minStride = minStride;
            this.maxStride = maxStride;
            this.lowAgreement = lowAgreement;
            this.highAgreement = highAgreement;
            return this;
        }

        /** The worker thread's nice value and libtorch threads. */
        public Builder optWorker(int niceness, int threads) {
            this.niceness = niceness;
            this.threads = threads;
            return this;
        }

        public Builder optUpdateKey(String updateKey) {
            this.updateKey = updateKey;
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

        public TeacherSettings build() {
            return new TeacherSettings(
                    checkpoint,
                    device,
                    threshold,
                    classThresholds,
                    maxDepthRelDiff,
                    minStride,
                    maxStride,
                    lowAgreement,
                    highAgreement,
                    classShare,
                    niceness,
                    threads,
                    updateKey,
                    budget);
        }
    }

    public TeacherSettings {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException("self-training needs a teacher checkpoint");
        }
        if (device == null || !device.matches("cpu|gpu|gpu:\\d+")) {
            throw new IllegalArgumentException(
                    "teacher device must be cpu, gpu or gpu:N, got " + device);
        }
        classThresholds = classThresholds == null ? "" : classThresholds;
        updateKey = updateKey == null ? "" : updateKey;
        // Checked here, once, so a bad option fails at start-up with its reason.
        new PseudoLabeler.Settings(
                threshold,
                PseudoLabeler.Settings.parseClassThresholds(classThresholds),
                maxDepthRelDiff,
                classShare);
        new AdaptiveStride(minStride, maxStride, lowAgreement, highAgreement);
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException(
                    "teacher nice value must be in 0..19, got " + niceness);
        }
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "teacher threads must be >= 0 (0: libtorch's default), got " + threads);
        }
        if (!(budget >= 0 && budget <= 1)) {
            throw new IllegalArgumentException(
                    "adaptation budget must be in [0, 1] (0: no limit), got " + budget);
        }
    }

    public PseudoLabeler.Settings labeler() {
        return new PseudoLabeler.Settings(
                threshold,
                PseudoLabeler.Settings.parseClassThresholds(classThresholds),
                maxDepthRelDiff,
                classShare);
    }

    public AdaptiveStride stride() {
        return new AdaptiveStride(minStride, maxStride, lowAgreement, highAgreement);
    }
}
