package io.scenestream.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DepthMetricsTest {

    /** Inputs are floats (1.2f, 2.1f are not exact), expectations are worked out in decimals. */
    private static final double EPS = 1e-6;

    // Eight pixels, four of them valid (metres):
    //   pos  gt    pred   p - g   (p-g)^2   |p-g|/g   max(p/g, g/p)
    //   0    1     1.2    0.2     0.04      0.2       1.2        < 1.25       -> d1 d2 d3
    //   1    2     3      1       1         0.5       1.5        < 1.5625     -> d2 d3
    //   2    4     2.1   -1.9     3.61      0.475     1.9048     < 1.953125   -> d3
    //   3    2    -1     -3       9         1.5       2 / 1e-9 (clamped)      -> none
    //   4    0     5     skipped (no measurement)
    //   5    NaN   1     skipped
    //   6   -1     1     skipped
    //   7    Inf   1     skipped
    // RMSE = sqrt(13.65 / 4) = sqrt(3.4125) = 1.8473; absRel = 2.675 / 4 = 0.66875;
    // d1 = 1/4, d2 = 2/4, d3 = 3/4.
    private static final float[] GT = {1f, 2f, 4f, 2f, 0f, Float.NaN, -1f, Float.POSITIVE_INFINITY};
    private static final float[] PRED = {1.2f, 3f, 2.1f, -1f, 5f, 1f, 1f, 1f};
    private static final double RMSE = Math.sqrt(3.4125);
    private static final double ABS_REL = 0.66875;

    private static DepthMetrics example() {
        DepthMetrics m = new DepthMetrics();
        m.update(PRED, GT);
        return m;
    }

    private static void assertExample(DepthMetrics m) {
        assertThat(m.validPixels()).isEqualTo(4);
        assertThat(m.rmse()).isCloseTo(RMSE, within(EPS));
        assertThat(m.absRel()).isCloseTo(ABS_REL, within(EPS));
        assertThat(m.delta(1)).isEqualTo(0.25);
        assertThat(m.delta(2)).isEqualTo(0.5);
        assertThat(m.delta(3)).isEqualTo(0.75);
    }

    @Test
    void handComputedExampleSkipsInvalidGroundTruth() {
        DepthMetrics m = example();
        assertExample(m);
        Map<String, Double> map = m.toMap();
        assertThat(map).containsOnlyKeys("rmse", "abs_rel", "delta1", "delta2", "delta3");
        assertThat(map.get("rmse")).isCloseTo(RMSE, within(EPS));
        assertThat(map.get("abs_rel")).isCloseTo(ABS_REL, within(EPS));
        assertThat(map.get("delta1")).isEqualTo(0.25);
        assertThat(map.get("delta2")).isEqualTo(0.5);
        assertThat(map.get("delta3")).isEqualTo(0.75);
    }

    @Test
    void nonPositivePredictionsMissEveryThresholdButCountInFullInTheErrors() {
        // gt 1, pred -0.5: (p-g)^2 = 2.25, |p-g|/g = 1.5; gt 1, pred 0: 1 and 1.
        // RMSE = sqrt(3.25 / 2), absRel = 1.25. Unclamped, -0.5 would give max(-0.5, -2) < 1.25.
        DepthMetrics m = new DepthMetrics();
        m.update(new float[] {-0.5f, 0f}, new float[] {1f, 1f});
        assertThat(m.validPixels()).isEqualTo(2);
        assertThat(m.rmse()).isCloseTo(Math.sqrt(1.625), within(EPS));
        assertThat(m.absRel()).isCloseTo(1.25, within(EPS));
        assertThat(m.delta(1)).isZero();
        assertThat(m.delta(2)).isZero();
        assertThat(m.delta(3)).isZero();
    }

    @Test
    void thresholdsAreStrict() {
        // Ratios exactly 1.25 and 1.5625 (exact in binary): the first misses d1, the second d2.
        DepthMetrics m = new DepthMetrics();
        m.update(new float[] {1.25f, 1f}, new float[] {1f, 1.5625f});
        assertThat(m.delta(1)).isZero();
        assertThat(m.delta(2)).isEqualTo(0.5);
        assertThat(m.delta(3)).isEqualTo(1.0);
        assertThatThrownBy(() -> m.delta(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.delta(4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutValidPixelsEveryMetricIsNaN() {
        DepthMetrics m = new DepthMetrics();
        assertThat(m.toMap().values()).allMatch(v -> v.isNaN());
        m.update(new float[] {1f, 2f, 3f}, new float[] {0f, Float.NaN, -2f});
        assertThat(m.validPixels()).isZero();
        assertThat(m.rmse()).isNaN();
        assertThat(m.absRel()).isNaN();
        assertThat(m.delta(1)).isNaN();
        assertThat(m.delta(3)).isNaN();
    }

    @Test
    void twoUpdatesEqualOneUpdateOfTheConcatenation() {
        // Pixels 0-1 alone: RMSE sqrt(1.04 / 2) = 0.7211; pixels 2-7 alone: sqrt(12.61 / 2) =
        // 2.5110.
        // Their mean, 1.616, is not the dataset's pooled 1.8473.
        DepthMetrics m = new DepthMetrics();
        m.update(Arrays.copyOfRange(PRED, 0, 2), Arrays.copyOfRange(GT, 0, 2));
        assertThat(m.rmse()).isCloseTo(Math.sqrt(0.52), within(EPS));
        m.update(Arrays.copyOfRange(PRED, 2, 8), Arrays.copyOfRange(GT, 2, 8));
        assertExample(m);
    }

    @Test
    void mergeAndReset() {
        DepthMetrics a = new DepthMetrics();
        a.update(Arrays.copyOfRange(PRED, 0, 3), Arrays.copyOfRange(GT, 0, 3));
        DepthMetrics b = new DepthMetrics();
        b.update(Arrays.copyOfRange(PRED, 3, 8), Arrays.copyOfRange(GT, 3, 8));
        a.merge(b);
        assertExample(a);
        assertThat(b.validPixels()).isEqualTo(1);

        a.reset();
        assertThat(a.validPixels()).isZero();
        assertThat(a.rmse()).isNaN();
        a.update(PRED, GT);
        assertExample(a);
    }

    @Test
    void lengthMismatchIsRejected() {
        DepthMetrics m = new DepthMetrics();
        assertThatThrownBy(() -> m.update(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(m.validPixels()).isZero();
    }

    @Test
    void ndArrayOverloadMatchesTheArrayOneAndLeaksNothing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Prediction float32 (1, 2, 4), ground truth float64: the latter is converted.
            NDArray pred = manager.create(PRED, new Shape(1, 2, 4));
            double[] gt64 = new double[GT.length];
            for (int i = 0; i < GT.length; i++) {
                gt64[i] = GT[i];
            }
            NDArray gt = manager.create(gt64, new Shape(1, 2, 4));
            assertThat(gt.getDataType()).isEqualTo(DataType.FLOAT64);
            int before = manager.getManagedArrays().size();

            DepthMetrics m = new DepthMetrics();
            m.update(pred, gt);
            assertExample(m);
            assertThat(manager.getManagedArrays()).hasSize(before);
            assertThat(pred.isReleased()).isFalse();
            assertThat(gt.isReleased()).isFalse();
            assertThat(pred.toFloatArray()).containsExactly(PRED);

            NDArray flat = manager.create(GT, new Shape(8));
            assertThatThrownBy(() -> m.update(pred, flat))
                    .isInstanceOf(IllegalArgumentException.class);
            NDArray ints = manager.create(new int[8], new Shape(1, 2, 4));
            assertThatThrownBy(() -> m.update(pred, ints))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(m.validPixels()).isEqualTo(4);
        }
    }
}
