package io.scenestream.synthetic;

/**
 * A light buffer (Haines and Greenberg, 1986): for one point light, a cube map of directions around
 * it whose every cell lists the primitives that could lie in that direction (their bounding spheres
 * overlap the cell's cone). A shadow ray from a surface point to the light can only be blocked by a
 * primitive in the cell of its direction, so it tests that short list instead of walking the BVH;
 * most cells are empty or hold a few primitives. Exact: the lists are conservative. Built once per
 * scene and light; immutable.
 */
final class LightBuffer {

    /** Cells per cube face side. */
    static final int N = 32;

    private static final int CELLS = 6 * N * N;

    /** Unit direction of every cell's centre. */
    private static final double[] DIRS = new double[3 * CELLS];

    /** The largest angle between a cell's centre direction and any direction in the cell. */
    private static final double RHO;

    static {
        double rho = 0;
        for (int f = 0; f < 6; f++) {
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    double[] c = direction(f, -1 + (i + 0.5) * 2.0 / N, -1 + (j + 0.5) * 2.0 / N);
                    int k = 3 * ((f * N + i) * N + j);
                    DIRS[k] = c[0];
                    DIRS[k + 1] = c[1];
                    DIRS[k + 2] = c[2];
                    for (int corner = 0; corner < 4; corner++) {
                        double[] e =
                                direction(
                                        f,
                                        -1 + (i + (corner & 1)) * 2.0 / N,
                                        -1 + (j + (corner >> 1)) * 2.0 / N);
                        double dot = c[0] * e[0] + c[1] * e[1] + c[2] * e[2];
                        rho = Math.max(rho, Math.acos(Math.min(1, dot)));
                    }
                }
            }
        }
        RHO = rho;
    }

    private final double lx;
    private final double ly;
    private final double lz;

    /** Cell c lists {@code prims[offsets[c] .. offsets[c + 1])} (BVH leaf order). */
    final int[] offsets = new int[CELLS + 1];

    final int[] prims;

    LightBuffer(Bvh bvh, double lx, double ly, double lz) {
        this.lx = lx;
        this.ly = ly;
        this.lz = lz;
        int n = bvh.size;
        double[] cosLimit = new double[n];
        double[] dir = new double[3 * n];
        for (int p = 0; p < n; p++) {
            int o = p * Bvh.STRIDE;
            double[] g = bvh.geom;
            double r =
                    switch (bvh.kind[p]) {
                        case Bvh.AABOX, Bvh.YAWBOX ->
                                Math.sqrt(
                                        g[o + 3] * g[o + 3]
                                                + g[o + 4] * g[o + 4]
                                                + g[o + 5] * g[o + 5]);
                        case Bvh.CYLINDER -> Math.sqrt(g[o + 3] * g[o + 3] + g[o + 4] * g[o + 4]);
                        default -> g[o + 3];
                    };
            double cx = g[o] - lx;
            double cy = g[o + 1] - ly;
            double cz = g[o + 2] - lz;
            double dist = Math.sqrt(cx * cx + cy * cy + cz * cz);
            if (dist <= r * 1.0001 + 1e-9) {
                // The light is inside the bounding sphere: every direction.
                cosLimit[p] = -2;
                continue;
            }
            double angle = Math.asin(r / dist) + RHO + 1e-6;
            cosLimit[p] = angle >= Math.PI ? -2 : Math.cos(angle);
            dir[3 * p] = cx / dist;
            dir[3 * p + 1] = cy / dist;
            dir[3 * p + 2] = cz / dist;
        }
        int[] counts = new int[CELLS];
        for (int pass = 0; pass < 2; pass++) {
            int[] fill = pass == 0 ? counts : new int[CELLS];
            int[] out = pass == 0 ? null : new int[offsets[CELLS]];
            for (int c = 0; c < CELLS; c++) {
                double ax = DIRS[3 * c];
                double ay = DIRS[3 * c + 1];
                double az = DIRS[3 * c + 2];
                for (int p = 0; p < n; p++) {
                    if (ax * dir[3 * p] + ay * dir[3 * p + 1] + az * dir[3 * p + 2]
                            >= cosLimit[p]) {
                        if (out != null) {
                            out[offsets[c] + fill[c]] = p;
                        }
                        fill[c]++;
                    }
                }
            }
            if (pass == 0) {
                for (int c = 0; c < CELLS; c++) {
                    offsets[c + 1] = offsets[c] + counts[c];
                }
            } else {
                prims = out;
                return;
            }
        }
        throw new AssertionError();
    }

    /** The cell of direction (dx, dy, dz) from the light (not necessarily unit). */
    static int cell(double dx, double dy, double dz) {
        double ax = Math.abs(dx);
        double ay = Math.abs(dy);
        double az = Math.abs(dz);
        int face;
        double u;
        double v;
        if (ax >= ay && ax >= az) {
            face = dx > 0 ? 0 : 1;
            u = dy / ax;
            v = dz / ax;
        } else if (ay >= az) {
            face = dy > 0 ? 2 : 3;
            u = dx / ay;
            v = dz / ay;
        } else {
            face = dz > 0 ? 4 : 5;
            u = dx / az;
            v = dy / az;
        }
        int i = (int) ((u + 1) * (0.5 * N));
        int j = (int) ((v + 1) * (0.5 * N));
        i = i < 0 ? 0 : i >= N ? N - 1 : i;
        j = j < 0 ? 0 : j >= N ? N - 1 : j;
        return (face * N + i) * N + j;
    }

    /** The direction of face {@code f} at face coordinates (u, v) in [-1, 1], unit length. */
    private static double[] direction(int f, double u, double v) {
        double[] d =
                switch (f) {
                    case 0 -> new double[] {1, u, v};
                    case 1 -> new double[] {-1, u, v};
                    case 2 -> new double[] {u, 1, v};
                    case 3 -> new double[] {u, -1, v};
                    case 4 -> new double[] {u, v, 1};
                    default -> new double[] {u, v, -1};
                };
        double len = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        return new double[] {d[0] / len, d[1] / len, d[2] / len};
    }

    /** Light position, for checks. */
    double[] position() {
        return new double[] {lx, ly, lz};
    }
}
