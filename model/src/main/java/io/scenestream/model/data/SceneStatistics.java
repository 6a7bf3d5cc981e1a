package io.scenestream.model.data;

import io.scenestream.frames.DenseSample;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What a set of annotated frames measures like: the statistics that decide whether a model trained
 * on one set can work on another. Frames are added one at a time ({@link #add}) with the pinhole
 * intrinsics of the camera at the frames' size; {@link #summary()} gives, as named values:
 *
 * <ul>
 *   <li><b>depth</b>: quantiles of every valid pixel (sampled), and over frames the median of each
 *       frame's median and 95th percentile (how far the far wall is);
 *   <li><b>camera</b>: height above the floor, pitch (positive: looking down) and roll, from a
 *       plane fitted to the floor's pixels back-projected with the intrinsics (frames with at least
 *       2% of floor); the distance to the ceiling and the room's height likewise (frames with floor
 *       and ceiling); the field of view;
 *   <li><b>classes</b>: each class's share of the labelled pixels, the share of frames it is in,
 *       its median distance, and its size: the square root of the metric area its pixels cover in a
 *       frame ({@code sum (z/fx)(z/fy)}), median over the frames it is in;
 *   <li><b>appearance</b>: median over frames of mean luminance, RMS contrast, mean saturation and
 *       mean gradient magnitude (texture and sharpness), on 0..255.
 * </ul>
 *
 * Depth is Z along the optical axis, as a Kinect measures it and the synthetic world renders it.
 * Not thread-safe.
 */
public final class SceneStatistics {

    /** Least share of a frame's pixels a floor or ceiling fit needs. */
    static final double MIN_PLANE_SHARE = 0.02;

    /** Valid depth pixels kept for the set's quantiles: one in this many. */
    private static final int DEPTH_SAMPLE_STRIDE = 7;

    private final double fx;
    private final double fy;
    private final double cx;
    private final double cy;
    private final int height;
    private final int width;
    private final List<String> classes;
    private final int floor;
    private final int ceiling;

    private int frames;
    private final Doubles depthSample = new Doubles();
    private final Doubles frameMedian = new Doubles();
    private final Doubles frameFar = new Doubles();
    private final Doubles cameraHeight = new Doubles();
    private final Doubles pitch = new Doubles();
    private final Doubles roll = new Doubles();
    private final Doubles ceilingDistance = new Doubles();
    private final Doubles roomHeight = new Doubles();
    private final long[] classPixels;
    private long labelledPixels;
    private final int[] framesWithClass;
    private final Doubles[] classDepth;
    private final Doubles[] classSize;
    private final Doubles luminance = new Doubles();
    private final Doubles contrast = new Doubles();
    private final Doubles saturation = new Doubles();
    private final Doubles gradient = new Doubles();

    /**
     * @param fx focal length along x, in pixels of the frames to be added
     * @param fy focal length along y
     * @param cx principal point x
     * @param cy principal point y
     * @param height rows of the frames to be added
     * @param width columns
     * @param classes the label classes, in order; {@code floor} and {@code ceiling} name the
     *     classes the camera's pose is fitted to
     */
    public SceneStatistics(
            double fx,
            double fy,
            double cx,
            double cy,
            int height,
            int width,
            List<String> classes) {
        this.fx = fx;
        this.fy = fy;
        this.cx = cx;
        this.cy = cy;
        this.height = height;
        this.width = width;
        this.classes = List.copyOf(classes);
        this.floor = classes.indexOf("floor");
        this.ceiling = classes.indexOf("ceiling");
        int n = classes.size();
        classPixels = new long[n];
        framesWithClass = new int[n];
        classDepth = new Doubles[n];
        classSize = new Doubles[n];
        for (int c = 0; c < n; c++) {
            classDepth[c] = new Doubles();
            classSize[c] = new Doubles();
        }
    }

    /** Adds one frame of the size given at construction. */
    public void add(DenseSample s) {
        if (s.height() != height || s.width() != width) {
            throw new IllegalArgumentException(
                    s.id()
                            + " is "
                            + s.height()
                            + "x"
                            + s.width()
                            + ", the statistics are for "
                            + height
                            + "x"
                            + width);
        }
        frames++;
        appearance(s.rgb());
        float[] depth = s.depth();
        int[] labels = s.semseg();
        if (depth != null) {
            Doubles valid = new Doubles();
            for (int i = 0; i < depth.length; i++) {
                if (valid(depth[i])) {
                    valid.add(depth[i]);
                    if (i % DEPTH_SAMPLE_STRIDE == 0) {
                        depthSample.add(depth[i]);
                    }
                }
            }
            if (valid.size() > 0) {
                frameMedian.add(valid.quantile(0.5));
                frameFar.add(valid.quantile(0.95));
            }
        }
        if (labels != null) {
            classes(labels, depth);
        }
        if (labels != null && depth != null) {
            double[] f = plane(labels, depth, floor);
            if (f != null) {
                cameraHeight.add(f[0]);
                pitch.add(f[1]);
                roll.add(f[2]);
            }
            double[] c = plane(labels, depth, ceiling);
            if (c != null) {
                ceilingDistance.add(-c[0]);
                if (f != null) {
                    roomHeight.add(f[0] - c[0]);
                }
            }
        }
    }

    private static boolean valid(float z) {
        return z > 0 && !Float.isInfinite(z);
    }

    private void classes(int[] labels, float[] depth) {
        int n = classes.size();
        long[] count = new long[n];
        double[] area = new double[n];
        Doubles[] depthOf = new Doubles[n];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= n) {
                continue;
            }
            count[c]++;
            if (depth != null && valid(depth[i])) {
                double z = depth[i];
                area[c] += (z / fx) * (z / fy);
                if (depthOf[c] == null) {
                    depthOf[c] = new Doubles();
                }
                depthOf[c].add(z);
            }
        }
        for (int c = 0; c < n; c++) {
            labelledPixels += count[c];
            classPixels[c] += count[c];
            if (count[c] > 0) {
                framesWithClass[c]++;
            }
            if (depthOf[c] != null) {
                classDepth[c].add(depthOf[c].quantile(0.5));
                classSize[c].add(Math.sqrt(area[c]));
            }
        }
    }

    /**
     * Fits the plane {@code y = a x + b z + c} (camera coordinates: x right, y down, z forward) to
     * the class's back-projected pixels, twice: the second time without the points more than 10 cm
     * off the first plane. Null when the class covers too little of the frame.
     *
     * @return {signed distance of the camera above the plane (negative: below it, as for a
     *     ceiling), pitch in degrees (positive: looking down on it), roll in degrees}
     */
    private double[] plane(int[] labels, float[] depth, int cls) {
        if (cls < 0) {
            return null;
        }
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == cls && valid(depth[i])) {
                n++;
            }
        }
        if (n < MIN_PLANE_SHARE * labels.length || n < 50) {
            return null;
        }
        double[][] p = new double[n][];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == cls && valid(depth[i])) {
                double z = depth[i];
                // Pixel centres at whole coordinates, as the intrinsics (OpenCV's) have them.
                double u = i % width;
                double v = i / width;
                p[k++] = new double[] {(u - cx) * z / fx, (v - cy) * z / fy, z};
            }
        }
        double[] fit = fit(p, null);
        if (fit == null) {
            return null;
        }
        double norm = Math.sqrt(fit[0] * fit[0] + 1 + fit[1] * fit[1]);
        double[] inlier = fit;
        fit = fit(p, q -> Math.abs(q[1] - inlier[0] * q[0] - inlier[1] * q[2] - inlier[2]) / norm);
        if (fit == null) {
            return null;
        }
        double a = fit[0];
        double b = fit[1];
        double c = fit[2];
        double m = Math.sqrt(a * a + 1 + b * b);
        // Up, from the plane towards the camera's side of it for a floor: (a, -1, b) / m.
        return new double[] {
            c / m, Math.toDegrees(Math.asin(-b / m)), Math.toDegrees(Math.atan2(a, 1))
        };
    }

    /**
     * Least squares {@code y = a x + b z + c} over the points whose {@code residual} (distance from
     * an earlier fit; null: every point) is under 10 cm.
     */
    private static double[] fit(double[][] p, ToDoubleFunction<double[]> residual) {
        double sxx = 0, sxz = 0, sx = 0, szz = 0, sz = 0, s1 = 0, sxy = 0, szy = 0, sy = 0;
        for (double[] q : p) {
            if (residual != null && residual.applyAsDouble(q) > 0.1) {
                continue;
            }
            double x = q[0];
            double y = q[1];
            double z = q[2];
            sxx += x * x;
            sxz += x * z;
            sx += x;
            szz += z * z;
            sz += z;
            s1 += 1;
            sxy += x * y;
            szy += z * y;
            sy += y;
        }
        if (s1 < 50) {
            return null;
        }
        double[][] m = {{sxx, sxz, sx}, {sxz, szz, sz}, {sx, sz, s1}};
        double det = det(m);
        if (Math.abs(det) < 1e-12 * Math.max(1, sxx * szz * s1)) {
            return null;
        }
        double[] r = {sxy, szy, sy};
        double[] out = new double[3];
        for (int col = 0; col < 3; col++) {
            double[][] mc = {m[0].clone(), m[1].clone(), m[2].clone()};
            for (int row = 0; row < 3; row++) {
                mc[row][col] = r[row];
            }
            out[col] = det(mc) / det;
        }
        return out;
    }

    private static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    private void appearance(byte[] rgb) {
        int n = height * width;
        double[] y = new double[n];
        double sum = 0;
        double sat = 0;
        for (int i = 0; i < n; i++) {
            int r = rgb[3 * i] & 0xff;
            int g = rgb[3 * i + 1] & 0xff;
            int b = rgb[3 * i + 2] & 0xff;
            y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
            sum += y[i];
            int max = Math.max(r, Math.max(g, b));
            int min = Math.min(r, Math.min(g, b));
            sat += max == 0 ? 0 : 255.0 * (max - min) / max;
        }
        double mean = sum / n;
        double var = 0;
        double grad = 0;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                int i = v * width + u;
                var += (y[i] - mean) * (y[i] - mean);
                double gx = u + 1 < width ? y[i + 1] - y[i] : 0;
                double gy = v + 1 < height ? y[i + width] - y[i] : 0;
                grad += Math.sqrt(gx * gx + gy * gy);
            }
        }
        luminance.add(mean);
        contrast.add(Math.sqrt(var / n));
        saturation.add(sat / n);
        gradient.add(grad / n);
    }

    /** Frames added. */
    public int frames() {
        return frames;
    }

    /**
     * The statistics by name, in a fixed order (NaN where the set has nothing to measure): {@code
     * depth.p05} ... {@code depth.p95}, {@code depth.frame_median}, {@code depth.frame_p95}, {@code
     * camera.*}, {@code room.*}, {@code class.NAME.share|frames|distance|size}, {@code
     * appearance.*}.
     */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("frames", (double) frames);
        for (double q : new double[] {0.05, 0.25, 0.5, 0.75, 0.95}) {
            m.put(
                    String.format(java.util.Locale.ROOT, "depth.p%02d", Math.round(q * 100)),
                    depthSample.quantile(q));
        }
        m.put("depth.frame_median", frameMedian.quantile(0.5));
        m.put("depth.frame_p95", frameFar.quantile(0.5));
        m.put("camera.hfov_deg", Math.toDegrees(2 * Math.atan(width / (2 * fx))));
        m.put("camera.vfov_deg", Math.toDegrees(2 * Math.atan(height / (2 * fy))));
        m.put("camera.frames_with_floor", (double) cameraHeight.size());
        m.put("camera.height", cameraHeight.quantile(0.5));
        m.put("camera.height_p10", cameraHeight.quantile(0.1));
        m.put("camera.height_p90", cameraHeight.quantile(0.9));
        m.put("camera.pitch_deg", pitch.quantile(0.5));
        m.put("camera.pitch_p10_deg", pitch.quantile(0.1));
        m.put("camera.pitch_p90_deg", pitch.quantile(0.9));
        m.put("camera.roll_deg", roll.quantile(0.5));
        m.put("room.ceiling_distance", ceilingDistance.quantile(0.5));
        m.put("room.height", roomHeight.quantile(0.5));
        for (int c = 0; c < classes.size(); c++) {
            String k = "class." + classes.get(c) + ".";
            m.put(
                    k + "share",
                    labelledPixels == 0 ? Double.NaN : (double) classPixels[c] / labelledPixels);
            m.put(k + "frames", frames == 0 ? Double.NaN : (double) framesWithClass[c] / frames);
            m.put(k + "distance", classDepth[c].quantile(0.5));
            m.put(k + "size", classSize[c].quantile(0.5));
        }
        m.put("appearance.luminance", luminance.quantile(0.5));
        m.put("appearance.contrast", contrast.quantile(0.5));
        m.put("appearance.saturation", saturation.quantile(0.5));
        m.put("appearance.gradient", gradient.quantile(0.5));
        return m;
    }

    /** A growable list of doubles with quantiles. */
    static final class Doubles {
        private double[] v = new double[64];
        private int n;

        void add(double x) {
            if (n == v.length) {
                v = Arrays.copyOf(v, 2 * n);
            }
            v[n++] = x;
        }

        int size() {
            return n;
        }

        /** Linear interpolation between order statistics; NaN when empty. */
        double quantile(double q) {
            if (n == 0) {
                return Double.NaN;
            }
            double[] s = Arrays.copyOf(v, n);
            Arrays.sort(s);
            double pos = q * (n - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(n - 1, lo + 1);
            return s[lo] + (pos - lo) * (s[hi] - s[lo]);
        }
    }
}
