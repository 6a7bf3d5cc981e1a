package io.scenestream.model.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a depth error is one of scale: each frame's prediction is multiplied by {@code
 * median(ground truth) / median(prediction)} over its valid pixels, as scale-invariant evaluations
 * of monocular depth do, and the error measured again. A model whose rooms come out too deep or too
 * shallow as a whole has a median scale far from 1 and a median-scaled RMSE well below its RMSE; a
 * model whose depth is wrong in its shape has both RMSEs alike.
 *
 * <ul>
 *   <li>{@value #MEDIAN_SCALE}: the median over frames of {@code median(prediction) / median(ground
 *       truth)} (above 1: rooms predicted too deep);
 *   <li>{@value #RMSE_MEDIAN_SCALED}: the RMSE in metres over every valid pixel of the set after
 *       each frame is scaled.
 * </ul>
 *
 * <p>Valid pixels as in {@link DepthMetrics}: ground truth finite and greater than 0. A frame
 * without valid pixels, or whose median prediction is not positive, is skipped and counted ({@link
 * #skippedFrames()}). Not thread-safe.
 */
public final class MedianScaledDepth {

    /** {@link #toMap()} key of {@link #medianScale()}. */
    public static final String MEDIAN_SCALE = "median_scale";

    /** {@link #toMap()} key of {@link #rmse()}. */
    public static final String RMSE_MEDIAN_SCALED = "rmse_median_scaled";

    private double[] scales = new double[16];
    private int frames;
    private int skipped;
    private long pixels;
    private double sumSquaredError;

    /** Adds one frame's depth maps, flat pixel arrays in the same order, in metres. */
    public void update(float[] predicted, float[] groundTruth) {
        DepthMetrics.requirePixelPairs(predicted, groundTruth);
        int n = 0;
        double[] p = new double[groundTruth.length];
        double[] g = new double[groundTruth.length];
        for (int i = 0; i < groundTruth.length; i++) {
            double gt = groundTruth[i];
            if (gt > 0 && !Double.isInfinite(gt)) {
                p[n] = predicted[i];
                g[n] = gt;
                n++;
            }
        }
        if (n == 0) {
            skipped++;
            return;
        }
        double medianPredicted = median(Arrays.copyOf(p, n));
        double medianTruth = median(Arrays.copyOf(g, n));
        if (!(medianPredicted > 0)) {
            skipped++;
            return;
        }
        double k = medianTruth / medianPredicted;
        for (int i = 0; i < n; i++) {
            double d = p[i] * k - g[i];
            sumSquaredError += d * d;
        }
        pixels += n;
        if (frames == scales.length) {
            scales = Arrays.copyOf(scales, 2 * frames);
        }
        scales[frames++] = medianPredicted / medianTruth;
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** Frames measured. */
    public int frames() {
        return frames;
    }

    /** Frames skipped: no valid pixel, or a median prediction that is not positive. */
    public int skippedFrames() {
        return skipped;
    }

    /** Median over frames of the prediction's median over the ground truth's; NaN if none. */
    public double medianScale() {
        return frames == 0 ? Double.NaN : median(Arrays.copyOf(scales, frames));
    }

    /** RMSE in metres after each frame is scaled to the ground truth's median; NaN if none. */
    public double rmse() {
        return pixels == 0 ? Double.NaN : Math.sqrt(sumSquaredError / pixels);
    }

    /** {@value #MEDIAN_SCALE} and {@value #RMSE_MEDIAN_SCALED}, in this order. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MEDIAN_SCALE, medianScale());
        m.put(RMSE_MEDIAN_SCALED, rmse());
        return m;
    }
}
