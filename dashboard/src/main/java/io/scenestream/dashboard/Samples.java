package io.scenestream.dashboard;

import java.util.Arrays;

/**
 * The last {@code capacity} samples of a quantity, each with its time in epoch milliseconds: a
 * fixed ring, so memory stays bounded however long the dashboard runs. Not thread-safe; its owner
 * locks.
 */
final class Samples {

    private final long[] times;
    private final double[] values;
    private int next;
    private int size;

    Samples(int capacity) {
        times = new long[capacity];
        values = new double[capacity];
    }

    void add(long timeMs, double value) {
        times[next] = timeMs;
        values[next] = value;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
    }

    int size() {
        return size;
    }

    /** The latest sample's time, or 0 with none. */
    long lastTime() {
        return size == 0 ? 0 : times[(next - 1 + times.length) % times.length];
    }

    /**
     * Samples per second over the samples of the {@code windowMs} before the latest sample: (n - 1)
     * over the span between the first and the last of them; 0 with fewer than two.
     */
    double ratePerSecond(long windowMs) {
        long last = lastTime();
        long first = last;
        int n = 0;
        for (int k = 0; k < size; k++) {
            long t = times[(next - 1 - k + 2 * times.length) % times.length];
            if (t < last - windowMs) {
                break;
            }
            first = t;
            n++;
        }
        return n < 2 || last <= first ? 0 : (n - 1) * 1000.0 / (last - first);
    }

    /** Samples whose time is at or after {@code sinceMs}. */
    int countSince(long sinceMs) {
        int n = 0;
        for (int k = 0; k < size; k++) {
            if (times[(next - 1 - k + 2 * times.length) % times.length] >= sinceMs) {
                n++;
            }
        }
        return n;
    }

    /** The values, oldest first. */
    double[] values() {
        double[] out = new double[size];
        for (int k = 0; k < size; k++) {
            out[k] = values[(next - size + k + times.length) % times.length];
        }
        return out;
    }

    /**
     * The {@code q}-quantile (0..1) of {@code values}, nearest rank; NaN when there are none. Sorts
     * a copy.
     */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.ceil(q * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }
}
