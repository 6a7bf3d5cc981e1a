package io.scenestream.model.selftrain;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import java.util.Arrays;

/**
 * Turns a teacher's predictions on a frame into pseudo-labels the student can learn from, keeping
 * only what the teacher is sure of: a segmentation pixel when the teacher's probability of its
 * class reaches that class's threshold, a depth pixel when the teacher's depth agrees with its
 * depth of the mirrored frame (mirrored back) within a relative tolerance. Every other pixel gets
 * the ignore value ({@link DenseSample#IGNORE} for classes, 0 for depth), which the loss skips.
 */
public final class PseudoLabeler {

    /**
     * @param threshold minimum teacher probability of a segmentation pixel (default 0.9)
     * @param classThresholds per-class thresholds overriding {@code threshold}, indexed by class
     *     id; null for none
     * @param maxDepthRelDiff largest |d - d_flip| / d for a depth pixel (default 0.05)
     * @param classShare class balance: at least this share of the pixels the teacher assigns to
     *     each class, its most confident ones, is labelled even below the threshold, so that small
     *     or hard classes get labels too and the student is not pulled towards the large ones; 0
     *     for none
     */
    public record Settings(
            float threshold, float[] classThresholds, float maxDepthRelDiff, float classShare) {

        /** Without class balance. */
        public Settings(float threshold, float[] classThresholds, float maxDepthRelDiff) {
            this(threshold, classThresholds, maxDepthRelDiff, 0f);
        }

        public Settings {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException(
                        "pseudo-label threshold must be in [0, 1], got " + threshold);
            }
            if (classThresholds != null) {
                classThresholds = classThresholds.clone();
                for (float t : classThresholds) {
                    if (!(t >= 0 && t <= 1)) {
                        throw new IllegalArgumentException(
                                "per-class thresholds must be in [0, 1], got "
                                        + Arrays.toString(classThresholds));
                    }
                }
            }
            if (!(classShare >= 0 && classShare <= 1)) {
                throw new IllegalArgumentException(
                        "class share must be in [0, 1], got " + classShare);
            }
            if (!(maxDepthRelDiff >= 0) || Float.isInfinite(maxDepthRelDiff)) {
                throw new IllegalArgumentException(
                        "depth flip tolerance must be finite and >= 0, got " + maxDepthRelDiff);
            }
        }

        /** Threshold 0.9, no per-class thresholds, depth within 5% under flip. */
        public static Settings defaults() {
            return new Settings(0.9f, null, 0.05f);
        }

        /** The threshold of class {@code c}. */
        public float thresholdOf(int c) {
            return classThresholds != null && c < classThresholds.length
                    ? classThresholds[c]
                    : threshold;
        }

        /**
         * Parses per-class thresholds as {@code "0.9,0.8,..."} (one per class id) or {@code ""} for
         * none.
         */
        public static float[] parseClassThresholds(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            String[] parts = text.split(",");
            float[] out = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    out[i] = Float.parseFloat(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "per-class threshold "
                                    + (i + 1)
                                    + " is not a number: '"
                                    + parts[i].trim()
                                    + "'");
                }
            }
            return out;
        }
    }

    /**
     * A pseudo-labelled frame.
     *
     * @param sample the frame with its confident labels (ignore elsewhere): what a student learns
     *     from
     * @param teacher the frame with the teacher's class and depth at every pixel, sure or not: what
     *     a student is checked against, so that what it does outside the confident pixels counts
     * @param confidentShare share of pixels with a segmentation pseudo-label
     * @param consistentShare share of pixels with a depth pseudo-label
     */
    public record Result(
            DenseSample sample,
            DenseSample teacher,
            double confidentShare,
            double consistentShare) {}

    private final Settings settings;

    public PseudoLabeler(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Pseudo-labels of a frame.
     *
     * @param id names the frame in messages
     * @param rgb the frame at the predictions' size, interleaved RGB
     * @param teacher the teacher's prediction on the frame
     * @param teacherOnFlipped the teacher's prediction on the mirrored frame (not mirrored back);
     *     null to keep no depth labels
     */
    public Result label(
            String id, byte[] rgb, FramePrediction teacher, FramePrediction teacherOnFlipped) {
        int h = teacher.height();
        int w = teacher.width();
        int n = h * w;
        int[] semseg = null;
        int[] allClasses = null;
        int confident = 0;
        if (teacher.classes() != null) {
            semseg = new int[n];
            allClasses = new int[n];
            float[] thresholds = thresholds(teacher);
            for (int i = 0; i < n; i++) {
                int c = teacher.classAt(i);
                allClasses[i] = c;
                if (teacher.confidence()[i] >= thresholds[c]) {
                    semseg[i] = c;
                    confident++;
                } else {
                    semseg[i] = DenseSample.IGNORE;
                }
            }
        }
        float[] depth = null;
        int consistent = 0;
        if (teacher.depth() != null
                && teacherOnFlipped != null
                && teacherOnFlipped.depth() != null) {
            if (teacherOnFlipped.width() != w || teacherOnFlipped.height() != h) {
                throw new IllegalArgumentException(
                        id
                                + ": flipped prediction is "
                                + teacherOnFlipped.width()
                                + "x"
                                + teacherOnFlipped.height()
                                + ", the frame's "
                                + w
                                + "x"
                                + h);
            }
            depth = new float[n];
            float tol = settings.maxDepthRelDiff();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    float d = teacher.depth()[i];
                    float f = teacherOnFlipped.depth()[y * w + (w - 1 - x)];
                    if (d > 0
                            && f > 0
                            && Float.isFinite(d)
                            && Float.isFinite(f)
                            && Math.abs(d - f) <= tol * d) {
                        depth[i] = 0.5f * (d + f);
                        consistent++;
                    }
                }
            }
        }
        DenseSample sample = new DenseSample(id, h, w, rgb, semseg, depth);
        DenseSample all = new DenseSample(id, h, w, rgb, allClasses, teacher.depth());
        return new Result(sample, all, (double) confident / n, (double) consistent / n);
    }

    /**
     * The threshold of every class id for this frame: the configured one, lowered with class
     * balance to the confidence of the class's {@code classShare} most confident pixels.
     */
    private float[] thresholds(FramePrediction teacher) {
        float[] t = new float[256];
        for (int c = 0; c < t.length; c++) {
            t[c] = settings.thresholdOf(c);
        }
        if (settings.classShare() <= 0) {
            return t;
        }
        int n = teacher.classes().length;
        int[] count = new int[256];
        for (int i = 0; i < n; i++) {
            count[teacher.classAt(i)]++;
        }
        float[][] byClass = new float[256][];
        int[] fill = new int[256];
        for (int c = 0; c < 256; c++) {
            if (count[c] > 0) {
                byClass[c] = new float[count[c]];
            }
        }
        for (int i = 0; i < n; i++) {
            int c = teacher.classAt(i);
            byClass[c][fill[c]++] = teacher.confidence()[i];
        }
        for (int c = 0; c < 256; c++) {
            if (byClass[c] != null) {
                float[] v = byClass[c];
                Arrays.sort(v);
                int keep = (int) Math.ceil(settings.classShare() * v.length);
                float q = v[Math.max(0, v.length - keep)];
                t[c] = Math.min(t[c], q);
            }
        }
        return t;
    }

    /**
     * Share of pixels where the student's class equals the teacher's confident pseudo-label, over
     * the pseudo-labelled pixels (1 when there are none): how far the student agrees with the
     * teacher.
     */
    public static double agreement(byte[] studentClasses, int[] pseudoLabels) {
        if (studentClasses.length != pseudoLabels.length) {
            throw new IllegalArgumentException(
                    "student classes "
                            + studentClasses.length
                            + " pixels, labels "
                            + pseudoLabels.length);
        }
        long labelled = 0;
        long same = 0;
        for (int i = 0; i < pseudoLabels.length; i++) {
            if (pseudoLabels[i] != DenseSample.IGNORE) {
                labelled++;
                if ((studentClasses[i] & 0xff) == pseudoLabels[i]) {
                    same++;
                }
            }
        }
        return labelled == 0 ? 1.0 : (double) same / labelled;
    }
}
