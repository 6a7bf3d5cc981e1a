package io.scenestream.frames.viz;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Colours for depth in metres over a fixed range {@code [min, max]}, in a viridis-like perceptual
 * colormap: near is bright yellow, far is dark purple, and the luminance falls monotonically with
 * distance, so the image also reads correctly in grey. Depths outside the range are clamped to its
 * ends; invalid depth (0, negative, NaN or infinite: no measurement) is black, darker than any
 * colour of the map.
 *
 * <p>The map is piecewise linear through ten anchors, the familiar ten-step viridis colours ({@code
 * #440154} ... {@code #FDE725}), interpolated in 8-bit sRGB.
 *
 * <p>Immutable and thread-safe.
 */
public final class DepthColormap {

    /** Lower end of {@link #DEFAULT}, metres. */
    public static final double DEFAULT_MIN = 0;

    /** Upper end of {@link #DEFAULT}, metres: indoor scenes fit well inside it. */
    public static final double DEFAULT_MAX = 10;

    /** {@code [0, 10]} metres. */
    public static final DepthColormap DEFAULT = new DepthColormap(DEFAULT_MIN, DEFAULT_MAX);

    /** Colour of invalid depth: black. */
    public static final int INVALID_RGB = 0x000000;

    /** Percentiles that {@link #auto} spans, so that a few outliers do not wash the map out. */
    static final double LOW_PERCENTILE = 2;

    static final double HIGH_PERCENTILE = 98;

    /** What {@link #auto} rounds its ends to, metres. */
    static final double AUTO_ROUNDING = 0.5;

    /** Ten-step viridis, dark to bright. */
    private static final int[] ANCHORS = {
        0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C,
        0xFDE725,
    };

    /** Tick spacings {@link #ticks} chooses from, metres. */
    private static final double[] STEPS = {
        0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000
    };

    private final double min;
    private final double max;

    private DepthColormap(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min < 0 || max <= min) {
            throw new IllegalArgumentException(
                    "depth range must satisfy 0 <= min < max, finite; got ["
                            + min
                            + ", "
                            + max
                            + "]");
        }
        this.min = min;
        this.max = max;
    }

    /** The map over {@code [min, max]} metres, {@code 0 <= min < max}. */
    public static DepthColormap range(double min, double max) {
        return new DepthColormap(min, max);
    }

    /**
     * The map over the valid depths of {@code depths} (together), from their 2nd to their 98th
     * percentile, widened outwards to multiples of 0.5 m; {@link #DEFAULT} when none is valid. Null
     * arrays are skipped.
     */
    public static DepthColormap auto(float[]... depths) {
        int n = 0;
        for (float[] d : depths) {
            if (d != null) {
                for (float v : d) {
                    if (valid(v)) {
                        n++;
                    }
                }
            }
        }
        if (n == 0) {
            return DEFAULT;
        }
        float[] values = new float[n];
        int k = 0;
        for (float[] d : depths) {
            if (d != null) {
                for (float v : d) {
                    if (valid(v)) {
                        values[k++] = v;
                    }
                }
            }
        }
        Arrays.sort(values);
        double lo = values[(int) Math.floor((n - 1) * LOW_PERCENTILE / 100)];
        double hi = values[(int) Math.ceil((n - 1) * HIGH_PERCENTILE / 100)];
        lo = Math.floor(lo / AUTO_ROUNDING) * AUTO_ROUNDING;
        hi = Math.ceil(hi / AUTO_ROUNDING) * AUTO_ROUNDING;
        if (hi <= lo) {
            hi = lo + AUTO_ROUNDING;
        }
        return new DepthColormap(lo, hi);
    }

    /** Near end, metres. */
    public double min() {
        return min;
    }

    /** Far end, metres. */
    public double max() {
        return max;
    }

    /** Whether {@code metres} is a depth measurement: finite and above 0. */
    public static boolean valid(float metres) {
        return metres > 0 && metres < Float.POSITIVE_INFINITY;
    }

    /** Colour of {@code metres} as {@code 0xRRGGBB}; {@link #INVALID_RGB} for invalid depth. */
    public int rgb(float metres) {
        if (!valid(metres)) {
            return INVALID_RGB;
        }
        return viridis(brightness(metres));
    }

    /**
     * Where {@code metres} falls in the map, 1 at {@link #min()} (brightest) to 0 at {@link #max()}
     * (darkest), clamped.
     */
    public double brightness(double metres) {
        double t = (max - metres) / (max - min);
        return t < 0 ? 0 : t > 1 ? 1 : t;
    }

    /**
     * The colormap itself: {@code t} in [0, 1] (clamped; NaN as 0) from dark purple to bright
     * yellow, as {@code 0xRRGGBB}.
     */
    public static int viridis(double t) {
        if (!(t > 0)) {
            return ANCHORS[0];
        }
        if (t >= 1) {
            return ANCHORS[ANCHORS.length - 1];
        }
        double x = t * (ANCHORS.length - 1);
        int i = (int) x;
        double f = x - i;
        int a = ANCHORS[i];
        int b = ANCHORS[i + 1];
        return (mix(a >> 16, b >> 16, f) << 16) | (mix(a >> 8, b >> 8, f) << 8) | mix(a, b, f);
    }

    private static int mix(int a, int b, double f) {
        a &= 0xff;
        b &= 0xff;
        return (int) Math.round(a + (b - a) * f);
    }

    /**
     * Round tick values for a scale of this range: the multiples of the smallest spacing among
     * 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10 ... m that gives at most {@code maxTicks} ticks
     * inside {@code [min, max]}, ascending. At least one tick when {@code maxTicks >= 1}.
     */
    public List<Double> ticks(int maxTicks) {
        if (maxTicks < 1) {
            return List.of();
        }
        for (double step : STEPS) {
            long first = (long) Math.ceil(min / step - 1e-9);
            long last = (long) Math.floor(max / step + 1e-9);
            long count = last - first + 1;
            if (count <= maxTicks && count >= 1) {
                List<Double> out = new ArrayList<>((int) count);
                for (long k = first; k <= last; k++) {
                    out.add(round(k * step));
                }
                return out;
            }
        }
        return List.of(round(min));
    }

    /** A tick label: {@code "0 m"}, {@code "2 m"}, {@code "2.5 m"}, {@code "0.25 m"}. */
    public static String label(double metres) {
        return BigDecimal.valueOf(round(metres)).stripTrailingZeros().toPlainString() + " m";
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "DepthColormap[" + label(min) + " .. " + label(max) + "]";
    }
}
