package io.scenestream.model.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Monocular depth metrics over the valid pixels of a whole dataset. Depths are in metres.
 *
 * <p>A pixel is valid when its ground truth is finite and greater than 0; every other pixel (0,
 * negative, NaN or infinite ground truth: no measurement) is skipped and counts nowhere. The
 * metrics pool the valid pixels of every {@code update}, so an image contributes in proportion to
 * its valid pixels and the result does not depend on how the dataset is split into batches:
 *
 * <ul>
 *   <li>{@link #rmse()}: root mean squared error {@code sqrt(mean((p - g)^2))}, in metres;
 *   <li>{@link #absRel()}: absolute relative error {@code mean(|p - g| / g)}, a fraction;
 *   <li>{@link #delta(int)}: the share of pixels with {@code max(p / g, g / p) < 1.25^k}, k = 1, 2,
 *       3.
 * </ul>
 *
 * <p>Only the δ ratio clamps a prediction {@code p <= 0} to {@value #MIN_PREDICTION}, as the
 * reference evaluation does (such a pixel then misses every threshold); RMSE and absolute relative
 * error use the raw prediction, so a negative prediction is penalised by its full distance. A
 * prediction that is NaN at a valid pixel is not hidden: RMSE and absolute relative error become
 * NaN, and the pixel misses every δ threshold.
 *
 * <p>Sums are kept in doubles. Not thread-safe: give each thread its own instance and {@link
 * #merge} them.
 */
public final class DepthMetrics {

    /** What a prediction {@code <= 0} is clamped to in the δ ratio, in metres. */
    public static final double MIN_PREDICTION = 1e-9;

    /** Base of the δ thresholds: δk counts ratios below {@code 1.25^k}. */
    public static final double DELTA_BASE = 1.25;

    /** {@link #toMap()} key of {@link #rmse()}. */
    public static final String RMSE = "rmse";

    /** {@link #toMap()} key of {@link #absRel()}. */
    public static final String ABS_REL = "abs_rel";

    /** {@link #toMap()} key of {@code delta(1)}. */
    public static final String DELTA1 = "delta1";

    /** {@link #toMap()} key of {@code delta(2)}. */
    public static final String DELTA2 = "delta2";

    /** {@link #toMap()} key of {@code delta(3)}. */
    public static final String DELTA3 = "delta3";

    private static final int DELTAS = 3;

    /** {@code 1.25^k} for k = 1, 2, 3 (exact in binary: 1.25, 1.5625, 1.953125). */
    private static final double[] THRESHOLDS = {
        DELTA_BASE, DELTA_BASE * DELTA_BASE, DELTA_BASE * DELTA_BASE * DELTA_BASE
    };

    private long validPixels;
    private double sumSquaredError;
    private double sumAbsRel;

    /** {@code withinDelta[k-1]}: valid pixels whose ratio is below {@code 1.25^k}. */
    private final long[] withinDelta = new long[DELTAS];

    /** An empty accumulator. */
    public DepthMetrics() {}

    /**
     * Adds one or more depth maps, given as flat pixel arrays in the same order, in metres.
     *
     * @param predicted predicted depth of each pixel
     * @param groundTruth measured depth of each pixel; pixels that are not finite and positive are
     *     skipped
     * @throws IllegalArgumentException if the lengths differ
     */
    public void update(float[] predicted, float[] groundTruth) {
        requirePixelPairs(predicted, groundTruth);
        for (int i = 0; i < groundTruth.length; i++) {
            double g = groundTruth[i];
            if (!(g > 0) || Double.isInfinite(g)) {
                continue;
            }
            double p = predicted[i];
            double diff = p - g;
            validPixels++;
            sumSquaredError += diff * diff;
            sumAbsRel += Math.abs(diff) / g;
            double clamped = p <= 0 ? MIN_PREDICTION : p;
            double ratio = Math.max(clamped / g, g / clamped);
            for (int k = 0; k < DELTAS; k++) {
                if (ratio < THRESHOLDS[k]) {
                    withinDelta[k]++;
                }
            }
        }
    }

    /** Both maps given, with as many pixels each; IllegalArgumentException if not. */
    static void requirePixelPairs(float[] predicted, float[] groundTruth) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(groundTruth, "groundTruth");
        if (predicted.length != groundTruth.length) {
            throw new IllegalArgumentException(
                    predicted.length
                            + " predicted pixels but "
                            + groundTruth.length
                            + " ground-truth pixels");
        }
    }

    /**
     * Adds depth maps held as NDArrays, as {@link #update(float[], float[])} on their flattened
     * values. Neither array is modified or closed, and every array made here is closed before
     * returning.
     *
     * @param predicted predicted depth in metres, of any floating-point data type
     * @param groundTruth measured depth in metres, of the same shape, of any floating-point data
     *     type
     * @throws IllegalArgumentException if the shapes differ or a data type is not floating point
     */
    public void update(NDArray predicted, NDArray groundTruth) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(groundTruth, "groundTruth");
        if (!predicted.getShape().equals(groundTruth.getShape())) {
            throw new IllegalArgumentException(
                    "predicted depth has shape "
                            + predicted.getShape()
                            + " but ground truth has shape "
                            + groundTruth.getShape());
        }
        update(toFloats(predicted, "predicted depth"), toFloats(groundTruth, "ground-truth depth"));
    }

    private static float[] toFloats(NDArray a, String what) {
        DataType type = a.getDataType();
        if (!type.isFloating()) {
            throw new IllegalArgumentException(
                    what + " must be floating point (metres), not " + type);
        }
        if (type == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray floats = a.toType(DataType.FLOAT32, false)) {
            return floats.toFloatArray();
        }
    }

    /** Adds the pixels of {@code other}. */
    public void merge(DepthMetrics other) {
        Objects.requireNonNull(other, "other");
        long[] within = other.withinDelta.clone();
        validPixels += other.validPixels;
        sumSquaredError += other.sumSquaredError;
        sumAbsRel += other.sumAbsRel;
        for (int k = 0; k < DELTAS; k++) {
            withinDelta[k] += within[k];
        }
    }

    /** Forgets every pixel added so far. */
    public void reset() {
        validPixels = 0;
        sumSquaredError = 0;
        sumAbsRel = 0;
        Arrays.fill(withinDelta, 0L);
    }

    /** Number of valid pixels added so far. */
    public long validPixels() {
        return validPixels;
    }

    /** Root mean squared error in metres; NaN without valid pixels. */
    public double rmse() {
        return validPixels == 0 ? Double.NaN : Math.sqrt(sumSquaredError / validPixels);
    }

    /** Mean of {@code |p - g| / g}, a fraction; NaN without valid pixels. */
    public double absRel() {
        return validPixels == 0 ? Double.NaN : sumAbsRel / validPixels;
    }

    /**
     * Share of valid pixels with {@code max(p / g, g / p) < 1.25^k}, in {@code [0, 1]}; NaN without
     * valid pixels.
     *
     * @param k 1, 2 or 3
     */
    public double delta(int k) {
        if (k < 1 || k > DELTAS) {
            throw new IllegalArgumentException("delta threshold k must be 1, 2 or 3, not " + k);
        }
        return validPixels == 0 ? Double.NaN : (double) withinDelta[k - 1] / validPixels;
    }

    /**
     * The metrics for reports, in this order: {@value #RMSE} (metres), {@value #ABS_REL}, {@value
     * #DELTA1}, {@value #DELTA2}, {@value #DELTA3} (fractions). Unmodifiable.
     */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(RMSE, rmse());
        m.put(ABS_REL, absRel());
        m.put(DELTA1, delta(1));
        m.put(DELTA2, delta(2));
        m.put(DELTA3, delta(3));
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "DepthMetrics" + toMap() + " over " + validPixels + " pixels";
    }
}
