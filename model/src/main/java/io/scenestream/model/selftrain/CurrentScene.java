package io.scenestream.model.selftrain;

import io.scenestream.frames.DenseSample;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a camera's recent frames show the scene it sees now, by their light: the log of the mean
 * luminance, the colour cast (log red/blue and green/blue of the channel means) and the contrast
 * (luminance spread over mean). A change of light (night, a warm lamp, haze) moves them together;
 * frames from before such a shift are not the current scene. A candidate checked on them is judged
 * on a scene it no longer serves: right after a shift the newest held-out frames are still mostly
 * the old scene's, and a round trained on the old scene passed its check there and then served,
 * worse, in the new light.
 *
 * <p>Statistics are compared by their largest difference, in units of how much each varies between
 * the rooms of one light of the synthetic world ({@link #SCALES}). With the default tolerance every
 * daylight room of it is one scene with the others, and night and the warm lamp are other scenes
 * ({@code CurrentSceneTest}); a daylight room as dark as night may count as night, and haze, which
 * changes mostly contrast, is told apart from most rooms, not from all. Statistics, not a
 * guarantee: a change that leaves the light as it is (a camera turned to another room) is not seen
 * here.
 */
public final class CurrentScene {

    /**
     * How much each statistic varies between rooms of one light (a quarter of its range over
     * daylight rooms of the synthetic world): log luminance, log red/blue, log green/blue,
     * contrast.
     */
    static final double[] SCALES = {0.22, 0.09, 0.05, 0.1};

    /** Largest difference of one statistic, in units of {@link #SCALES}, within one scene. */
    public static final double DEFAULT_TOLERANCE = 5;

    private static final double EPS = 1e-3;

    private CurrentScene() {}

    /**
     * The frame's light: log mean luminance, log red/blue and log green/blue of the channel means,
     * and the luminance's standard deviation over its mean.
     */
    public static double[] statistics(DenseSample frame) {
        byte[] rgb = frame.rgb();
        int n = rgb.length / 3;
        double r = 0;
        double g = 0;
        double b = 0;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double red = (rgb[3 * i] & 0xff) / 255.0;
            double green = (rgb[3 * i + 1] & 0xff) / 255.0;
            double blue = (rgb[3 * i + 2] & 0xff) / 255.0;
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
            spread / (y + EPS)
        };
    }

    private static double luminance(double r, double g, double b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
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
     * The newest frames of {@code frames} (oldest first) that show one light: split where the mean
     * statistics of the frames before and after differ most, if by more than {@code tolerance}, and
     * again within the frames after, until no split does; oldest first. Means, not single frames,
     * are compared, so that one room unlike the others is not taken for a change of light.
     */
    public static List<DenseSample> newest(List<DenseSample> frames, double tolerance) {
        List<double[]> stats = new ArrayList<>();
        frames.forEach(f -> stats.add(statistics(f)));
        int from = 0;
        while (true) {
            int split = -1;
            double widest = tolerance;
            for (int k = from + 1; k < stats.size(); k++) {
                double d = distance(mean(stats, from, k), mean(stats, k, stats.size()));
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

    private static double[] mean(List<double[]> stats, int from, int to) {
        double[] out = new double[stats.get(from).length];
        for (int i = from; i < to; i++) {
            for (int j = 0; j < out.length; j++) {
                out[j] += stats.get(i)[j] / (to - from);
            }
        }
        return out;
    }

    /** The frames of {@code frames} within {@code tolerance} of {@code scene}'s mean statistics. */
    public static List<DenseSample> like(
            List<DenseSample> frames, List<DenseSample> scene, double tolerance) {
        if (scene.isEmpty()) {
            return List.of();
        }
        List<double[]> stats = new ArrayList<>();
        scene.forEach(f -> stats.add(statistics(f)));
        double[] mean = mean(stats, 0, stats.size());
        List<DenseSample> out = new ArrayList<>();
        for (DenseSample f : frames) {
            if (distance(statistics(f), mean) <= tolerance) {
                out.add(f);
            }
        }
        return out;
    }
}
