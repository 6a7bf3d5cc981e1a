package io.scenestream.model.selftrain;

import io.scenestream.frames.DenseSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which of a camera's recent frames show the scene it sees now, by their light: the log of the mean
 * luminance, the colour cast (log red/blue and green/blue of the channel means), the contrast
 * (luminance spread over mean) and the black level (how bright the darkest pixels are against the
 * mean: haze and fog lift it). A change of light (night, a warm lamp, haze) moves them together;
 * frames from before such a shift are not the current scene. A candidate checked on them is judged
 * on a scene it no longer serves: right after a shift the newest held-out frames are still mostly
 * the old scene's, and a round trained on the old scene passed its check there and then served,
 * worse, in the new light.
 *
 * <p>Two tests, either of which marks a change of light:
 *
 * <ul>
 *   <li>Absolute: a statistic's mean before and after differs by more than the tolerance, in units
 *       of how much it varies between the rooms of one light of the synthetic world ({@link
 *       #SCALES}). With the default tolerance every daylight room of it is one scene with the
 *       others, and night and the warm lamp are other scenes ({@code CurrentSceneTest}).
 *   <li>Relative to the camera: the mean differs by more than {@link #JUMP} standard deviations of
 *       the frames on either side, and by at least {@link #FLOOR} of the tolerance. Haze is within
 *       the variation between rooms (a bright, bare daylight room looks hazy) but is a jump for a
 *       camera that stays in one room; frames of many rooms (a fleet's) vary too much for it.
 * </ul>
 *
 * Statistics, not a guarantee: a daylight room as dark as night may count as night, and a change
 * that leaves the light as it is (a camera turned to another room) is not seen here.
 */
public final class CurrentScene {

    /**
     * How much each statistic varies between rooms of one light (about a quarter of its range over
     * daylight rooms of the synthetic world): log luminance, log red/blue, log green/blue,
     * contrast, black level.
     */
    static final double[] SCALES = {0.22, 0.09, 0.05, 0.1, 0.1};

    /**
     * Standard deviations of the frames on either side (pooled) by which a mean must move for the
     * relative test.
     */
    static final double JUMP = 5;

    /** Share of the tolerance a statistic must also move by for the relative test. */
    static final double FLOOR = 0.3;

    /** The fewest frames on each side of a split, and in a scene, for the relative test. */
    static final int MIN_FRAMES = 2;

    /** The percentile of the pixels' darkest channel that is the black level. */
    private static final double BLACK_PERCENTILE = 0.05;

    /** Largest difference of one statistic, in units of {@link #SCALES}, within one scene. */
    public static final double DEFAULT_TOLERANCE = 5;

    private static final double EPS = 1e-3;

    private CurrentScene() {}

    /**
     * The frame's light: log mean luminance, log red/blue and log green/blue of the channel means,
     * the luminance's standard deviation over its mean, and the black level: the 5th percentile of
     * the pixels' darkest channel (the dark channel of haze removal) over the mean luminance.
     */
    public static double[] statistics(DenseSample frame) {
        byte[] rgb = frame.rgb();
        int n = rgb.length / 3;
        double r = 0;
        double g = 0;
        double b = 0;
        double squares = 0;
        int[] darkest = new int[256];
        for (int i = 0; i < n; i++) {
            int red8 = rgb[3 * i] & 0xff;
            int green8 = rgb[3 * i + 1] & 0xff;
            int blue8 = rgb[3 * i + 2] & 0xff;
            darkest[Math.min(red8, Math.min(green8, blue8))]++;
            double red = red8 / 255.0;
            double green = green8 / 255.0;
            double blue = blue8 / 255.0;
            r += red;
            g += green;
            b += blue;
            double y = luminance(red, green, blue);
            squares += y * y;
        }
        r /= n;
        g /= n;
        b /= n;
        double y = luminance(r, g, b);
        double spread = Math.sqrt(Math.max(0, squares / n - y * y));
        return new double[] {
            Math.log(y + EPS),
            Math.log((r + EPS) / (b + EPS)),
            Math.log((g + EPS) / (b + EPS)),
            spread / (y + EPS),
            percentile(darkest, n, BLACK_PERCENTILE) / 255.0 / (y + EPS)
        };
    }

    /** The smallest value with more than {@code share} of the {@code n} counted below or at it. */
    private static int percentile(int[] counts, int n, double share) {
        long below = 0;
        for (int v = 0; v < counts.length; v++) {
            below += counts[v];
            if (below > share * n) {
                return v;
            }
        }
        return counts.length - 1;
    }

    private static double luminance(double r, double g, double b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
    }

    /** The mean of the frames' {@link #statistics}; at least one frame. */
    public static double[] meanLight(List<DenseSample> frames) {
        return meanLight(frames, CurrentScene::statistics);
    }

    /** {@link #meanLight(List)} with each frame's {@link #statistics} from {@code light}. */
    public static double[] meanLight(
            List<DenseSample> frames, Function<DenseSample, double[]> light) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to measure the light of");
        }
        List<double[]> stats = lights(frames, light);
        return mean(stats, 0, stats.size());
    }

    private static <T> List<double[]> lights(List<T> frames, Function<? super T, double[]> light) {
        List<double[]> stats = new ArrayList<>(frames.size());
        frames.forEach(f -> stats.add(light.apply(f)));
        return stats;
    }

    /** The largest difference of one statistic, in units of {@link #SCALES}. */
    public static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]) / SCALES[i]);
        }
        return d;
    }

    /**
     * The newest frames of {@code frames} (oldest first) that show one light: split where the
     * frames before and after differ most, if by more than {@code tolerance} (either test of the
     * class comment), and again within the frames after, until no split does; oldest first. Means,
     * not single frames, are compared, so that one room unlike the others is not taken for a change
     * of light.
     */
    public static List<DenseSample> newest(List<DenseSample> frames, double tolerance) {
        return newest(frames, tolerance, CurrentScene::statistics);
    }

    /**
     * {@link #newest(List, double)} with each frame's {@link #statistics} from {@code light}; the
     * frames may be anything a light is known of (e.g. the lights themselves).
     */
    public static <T> List<T> newest(
            List<T> frames, double tolerance, Function<? super T, double[]> light) {
        List<double[]> stats = lights(frames, light);
        int from = 0;
        while (true) {
            int split = -1;
            double widest = 1;
            for (int k = from + 1; k < stats.size(); k++) {
                double d = change(stats, from, k, stats.size(), tolerance);
                if (d > widest) {
                    widest = d;
                    split = k;
                }
            }
            if (split < 0) {
                return List.copyOf(frames.subList(from, frames.size()));
            }
            from = split;
        }
    }

    /**
     * How far the light of {@code stats[from, k)} and {@code stats[k, to)} differs, as a multiple
     * of what either test allows: above 1 is a change of light.
     */
    private static double change(List<double[]> stats, int from, int k, int to, double tolerance) {
        double[] before = mean(stats, from, k);
        double[] after = mean(stats, k, to);
        double[] deviation = null;
        if (k - from >= MIN_FRAMES && to - k >= MIN_FRAMES) {
            deviation = pooledDeviation(stats, from, k, to, before, after);
        }
        double worst = 0;
        for (int j = 0; j < SCALES.length; j++) {
            double d = Math.abs(before[j] - after[j]);
            worst = Math.max(worst, d / (tolerance * SCALES[j]));
            if (deviation != null) {
                worst = Math.max(worst, d / relativeLimit(deviation[j], j, tolerance));
            }
        }
        return worst;
    }

    /** The relative test's limit for statistic {@code j}, given the scene's standard deviation. */
    private static double relativeLimit(double deviation, int j, double tolerance) {
        return Math.max(JUMP * deviation, FLOOR * tolerance * SCALES[j]);
    }

    /** Per statistic, the standard deviation within each side, pooled. */
    private static double[] pooledDeviation(
            List<double[]> stats, int from, int k, int to, double[] before, double[] after) {
        double[] squares = new double[before.length];
        addSquares(stats, from, k, before, squares);
        addSquares(stats, k, to, after, squares);
        return deviations(squares, to - from - 2);
    }

    /**
     * Adds, per statistic, the squared differences of {@code stats[from, to)} from {@code mean}.
     */
    private static void addSquares(
            List<double[]> stats, int from, int to, double[] mean, double[] squares) {
        for (int i = from; i < to; i++) {
            for (int j = 0; j < squares.length; j++) {
                double d = stats.get(i)[j] - mean[j];
                squares[j] += d * d;
            }
        }
    }

    /** Standard deviations from sums of squares with {@code freedom} degrees of freedom. */
    private static double[] deviations(double[] squares, int freedom) {
        double[] out = new double[squares.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = Math.sqrt(squares[j] / Math.max(1, freedom));
        }
        return out;
    }

    private static double[] mean(List<double[]> stats, int from, int to) {
        double[] out = new double[stats.get(from).length];
        for (int i = from; i < to; i++) {
            for (int j = 0; j < out.length; j++) {
                out[j] += stats.get(i)[j] / (to - from);
            }
        }
        return out;
    }

    /**
     * The frames of {@code frames} within {@code tolerance} of the mean light of {@code scene}: the
     * absolute test alone, which tells night, a warm lamp and daylight apart but not haze.
     */
    public static List<DenseSample> inLight(
            List<DenseSample> frames, List<DenseSample> scene, double tolerance) {
        return inLight(frames, scene, tolerance, CurrentScene::statistics);
    }

    /**
     * {@link #inLight(List, List, double)} with each frame's {@link #statistics} from {@code
     * light}.
     */
    public static List<DenseSample> inLight(
            List<DenseSample> frames,
            List<DenseSample> scene,
            double tolerance,
            Function<DenseSample, double[]> light) {
        if (scene.isEmpty()) {
            return List.of();
        }
        double[] mean = meanLight(scene, light);
        List<DenseSample> out = new ArrayList<>();
        for (DenseSample f : frames) {
            if (distance(light.apply(f), mean) <= tolerance) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The frames of {@code frames} whose light is that of {@code scene}: within {@code tolerance}
     * of its mean statistics, and, where the scene has {@link #MIN_FRAMES} frames or more, within
     * the relative test's limit of them.
     */
    public static List<DenseSample> like(
            List<DenseSample> frames, List<DenseSample> scene, double tolerance) {
        return like(frames, scene, tolerance, CurrentScene::statistics);
    }

    /**
     * {@link #like(List, List, double)} with each frame's {@link #statistics} from {@code light}.
     */
    public static List<DenseSample> like(
            List<DenseSample> frames,
            List<DenseSample> scene,
            double tolerance,
            Function<DenseSample, double[]> light) {
        if (scene.isEmpty()) {
            return List.of();
        }
        List<double[]> stats = lights(scene, light);
        double[] mean = mean(stats, 0, stats.size());
        double[] deviation = null;
        if (stats.size() >= MIN_FRAMES) {
            double[] squares = new double[mean.length];
            addSquares(stats, 0, stats.size(), mean, squares);
            deviation = deviations(squares, stats.size() - 1);
        }
        List<DenseSample> out = new ArrayList<>();
        for (DenseSample f : frames) {
            double[] s = light.apply(f);
            boolean same = distance(s, mean) <= tolerance;
            for (int j = 0; same && deviation != null && j < mean.length; j++) {
                same = Math.abs(s[j] - mean[j]) <= relativeLimit(deviation[j], j, tolerance);
            }
            if (same) {
                out.add(f);
            }
        }
        return out;
    }
}
