package io.scenestream.synthetic;

/**
 * Stateless hashing and lattice value noise: every value is a pure function of its arguments, so
 * textures and sensor noise do not depend on the order in which pixels are rendered.
 */
final class Noise {

    private Noise() {}

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A hash of a seed and two integers. */
    static long hash(long seed, long a, long b) {
        return mix(seed + 0x9e3779b97f4a7c15L * (a + 1) + 0xc2b2ae3d27d4eb4fL * (b + 1));
    }

    /** A hash of a seed and three integers. */
    static long hash(long seed, long a, long b, long c) {
        return mix(hash(seed, a, b) + 0x165667b19e3779f9L * (c + 1));
    }

    /** The top 53 bits of {@code h} as a double in [0, 1). */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A uniform [0, 1) value of a lattice point. */
    private static double lattice(long seed, int x, int y) {
        long h = seed ^ (x * 0x9e3779b97f4a7c15L) ^ (y * 0xc2b2ae3d27d4eb4fL);
        h = (h ^ (h >>> 32)) * 0xd6e8feb86659fd93L;
        h = (h ^ (h >>> 32)) * 0xd6e8feb86659fd93L;
        return ((h ^ (h >>> 32)) >>> 11) * 0x1.0p-53;
    }

    private static double lattice(long seed, int x, int y, int z) {
        return lattice(seed + z * 0x632be59bd9b4e019L, x, y);
    }

    /** Smooth 2D value noise in [0, 1) with unit lattice spacing. */
    static double value(long seed, double x, double y) {
        double fx = Math.floor(x);
        double fy = Math.floor(y);
        int ix = (int) fx;
        int iy = (int) fy;
        double tx = x - fx;
        double ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = lattice(seed, ix, iy);
        double b = lattice(seed, ix + 1, iy);
        double c = lattice(seed, ix, iy + 1);
        double d = lattice(seed, ix + 1, iy + 1);
        double top = a + (b - a) * tx;
        return top + (c + (d - c) * tx - top) * ty;
    }

    /** Smooth 3D value noise in [0, 1) with unit lattice spacing. */
    static double value(long seed, double x, double y, double z) {
        double fz = Math.floor(z);
        int iz = (int) fz;
        double tz = z - fz;
        tz = tz * tz * (3 - 2 * tz);
        double a = value(seed + iz * 0x632be59bd9b4e019L, x, y);
        double b = value(seed + (iz + 1) * 0x632be59bd9b4e019L, x, y);
        return a + (b - a) * tz;
    }

    /** Two octaves of 2D value noise, in [0, 1). */
    static double fbm2(long seed, double x, double y) {
        return 0.667 * value(seed, x, y) + 0.333 * value(seed + 1, 2.03 * x, 2.03 * y);
    }

    /** Smooth 1D noise in [-1, 1] (cubic interpolation of lattice values), for camera motion. */
    static double smooth1(long seed, double t) {
        double ft = Math.floor(t);
        int i = (int) ft;
        double f = t - ft;
        double p0 = 2 * lattice(seed, i - 1, 7) - 1;
        double p1 = 2 * lattice(seed, i, 7) - 1;
        double p2 = 2 * lattice(seed, i + 1, 7) - 1;
        double p3 = 2 * lattice(seed, i + 2, 7) - 1;
        // Catmull-Rom through p1 .. p2.
        double v =
                0.5
                        * (2 * p1
                                + (-p0 + p2) * f
                                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f * f
                                + (-p0 + 3 * p1 - 3 * p2 + p3) * f * f * f);
        return Math.max(-1, Math.min(1, v));
    }

    /**
     * An approximately standard normal value from 16 bits of {@code h} at {@code shift}: the sum of
     * four 4-bit uniforms (Irwin-Hall), centred and scaled to unit variance.
     */
    static double gauss16(long h, int shift) {
        int bits = (int) (h >>> shift) & 0xffff;
        int s = (bits & 0xf) + ((bits >>> 4) & 0xf) + ((bits >>> 8) & 0xf) + ((bits >>> 12) & 0xf);
        // Each nibble is uniform on 0..15: mean 7.5, variance 255/12.
        return (s - 30) * 0.21693045781865616; // 1 / sqrt(4 * 255 / 12)
    }
}
