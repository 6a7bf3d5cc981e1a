package io.scenestream.synthetic;

import java.util.Arrays;
import java.util.List;

/**
 * A bounding volume hierarchy over a scene's primitives (surface-area heuristic, flattened in
 * depth-first order), with nearest-hit and any-hit ray queries. Rays are {@code o + t d} with an
 * arbitrary (not necessarily unit) direction; {@code t} is returned in units of {@code d}.
 * Immutable after construction; queries are thread-safe given a per-thread stack.
 *
 * <p>One file: the bounding-volume hierarchy's build and its traversal depend on the same flat node
 * layout, which is kept private to it.
 */
final class Bvh {

    static final int AABOX = 0;
    static final int YAWBOX = 1;
    static final int CYLINDER = 2;
    static final int SPHERE = 3;

    /** Doubles per primitive: centre x y z, sizes x y z, cos and sin of the yaw. */
    static final int STRIDE = 8;

    private static final int LEAF_SIZE = 3;
    static final int STACK = 64;

    final int size;

    /** Kind per primitive, in leaf order. */
    final int[] kind;

    /** Geometry per primitive, in leaf order, {@link #STRIDE} doubles each. */
    final double[] geom;

    /** Index into the scene's primitive list, per primitive in leaf order. */
    final int[] original;

    private final double[] nodeBounds;

    /** Leaf: first primitive; inner: index of the right child (the left one is the next node). */
    private final int[] nodeIndex;

    /** Leaf: number of primitives; inner: 0. */
    private final int[] nodeCount;

    /** Inner: the axis the children were split along. */
    private final int[] nodeAxis;

    private int nodes;

    Bvh(List<Primitive> prims) {
        size = prims.size();
        kind = new int[size];
        geom = new double[size * STRIDE];
        original = new int[size];
        double[][] bounds = new double[size][];
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            bounds[i] = prims.get(i).bounds();
            order[i] = i;
        }
        int maxNodes = Math.max(1, 2 * size);
        nodeBounds = new double[6 * maxNodes];
        nodeIndex = new int[maxNodes];
        nodeCount = new int[maxNodes];
        nodeAxis = new int[maxNodes];
        if (size > 0) {
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) {
                idx[i] = i;
            }
            build(idx, 0, size, bounds, new int[] {0});
        }
        for (int i = 0; i < size; i++) {
            Primitive p = prims.get(original[i]);
            int o = i * STRIDE;
            geom[o] = p.x();
            geom[o + 1] = p.y();
            geom[o + 2] = p.z();
            geom[o + 3] = p.sx();
            geom[o + 4] = p.sy();
            geom[o + 5] = p.sz();
            geom[o + 6] = Math.cos(p.yaw());
            geom[o + 7] = Math.sin(p.yaw());
            kind[i] =
                    switch (p.shape()) {
                        case BOX -> p.yaw() == 0 ? AABOX : YAWBOX;
                        case CYLINDER -> CYLINDER;
                        case SPHERE -> SPHERE;
                    };
        }
    }

    /** Builds the subtree of {@code idx[from, to)}; {@code next[0]} is the next free leaf slot. */
    private void build(int[] idx, int from, int to, double[][] bounds, int[] next) {
        int node = nodes++;
        double[] box = union(idx, from, to, bounds);
        System.arraycopy(box, 0, nodeBounds, 6 * node, 6);
        int n = to - from;
        int bestAxis = -1;
        int bestSplit = -1;
        double bestCost = n * area(box);
        if (n > LEAF_SIZE) {
            double[] rightArea = new double[n];
            for (int axis = 0; axis < 3; axis++) {
                sortByCentre(idx, from, to, bounds, axis);
                double[] acc = empty();
                for (int i = n - 1; i > 0; i--) {
                    grow(acc, bounds[idx[from + i]]);
                    rightArea[i] = area(acc);
                }
                acc = empty();
                for (int i = 1; i < n; i++) {
                    grow(acc, bounds[idx[from + i - 1]]);
                    double cost = 0.5 * area(box) + i * area(acc) + (n - i) * rightArea[i];
                    if (cost < bestCost) {
                        bestCost = cost;
                        bestAxis = axis;
                        bestSplit = i;
                    }
                }
            }
        }
        if (bestAxis < 0) {
            nodeIndex[node] = next[0];
            nodeCount[node] = n;
            for (int i = from; i < to; i++) {
                original[next[0]++] = idx[i];
            }
            return;
        }
        sortByCentre(idx, from, to, bounds, bestAxis);
        nodeCount[node] = 0;
        nodeAxis[node] = bestAxis;
        build(idx, from, from + bestSplit, bounds, next);
        nodeIndex[node] = nodes;
        build(idx, from + bestSplit, to, bounds, next);
    }

    private static void sortByCentre(int[] idx, int from, int to, double[][] bounds, int axis) {
        Integer[] tmp = new Integer[to - from];
        for (int i = from; i < to; i++) {
            tmp[i - from] = idx[i];
        }
        // Ties broken by index: the build is deterministic.
        Arrays.sort(
                tmp,
                (a, b) -> {
                    int c =
                            Double.compare(
                                    bounds[a][axis] + bounds[a][axis + 3],
                                    bounds[b][axis] + bounds[b][axis + 3]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
        for (int i = from; i < to; i++) {
            idx[i] = tmp[i - from];
        }
    }

    private static double[] empty() {
        return new double[] {
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
        };
    }

    private static void grow(double[] acc, double[] b) {
        for (int k = 0; k < 3; k++) {
            acc[k] = Math.min(acc[k], b[k]);
            acc[k + 3] = Math.max(acc[k + 3], b[k + 3]);
        }
    }

    private static double[] union(int[] idx, int from, int to, double[][] bounds) {
        double[] acc = empty();
        for (int i = from; i < to; i++) {
            grow(acc, bounds[idx[i]]);
        }
        return acc;
    }

    private static double area(double[] b) {
        double x = b[3] - b[0];
        double y = b[4] - b[1];
        double z = b[5] - b[2];
        return x * y + y * z + z * x;
    }

    /**
     * The nearest primitive hit with {@code tmin < t < tmax}.
     *
     * @param hit receives the primitive (leaf order) in {@code hit[0]}, or -1
     * @return the hit's t, or {@code tmax} if none
     */
    double nearest(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax,
            int[] stack,
            int[] hit) {
        if (size == 0) {
            hit[0] = -1;
            return tmax;
        }
        // A zero component would make 0 * infinity = NaN in the slab tests.
        dx = dx == 0 ? 1e-300 : dx;
        dy = dy == 0 ? 1e-300 : dy;
        dz = dz == 0 ? 1e-300 : dz;
        double ix = 1 / dx;
        double iy = 1 / dy;
        double iz = 1 / dz;
        // Slab planes chosen by the ray's signs: near plane first, no min/max per node.
        int xn = ix >= 0 ? 0 : 3;
        int yn = iy >= 0 ? 1 : 4;
        int zn = iz >= 0 ? 2 : 5;
        int xf = 3 - xn;
        int yf = 5 - yn;
        int zf = 7 - zn;
        double best = tmax;
        int bestPrim = -1;
        int sp = 0;
        int node = 0;
        double[] nb = nodeBounds;
        while (true) {
            int b = 6 * node;
            double tn = (nb[b + xn] - ox) * ix;
            double t = (nb[b + yn] - oy) * iy;
            tn = t > tn ? t : tn;
            t = (nb[b + zn] - oz) * iz;
            tn = t > tn ? t : tn;
            tn = tmin > tn ? tmin : tn;
            double tf = (nb[b + xf] - ox) * ix;
            t = (nb[b + yf] - oy) * iy;
            tf = t < tf ? t : tf;
            t = (nb[b + zf] - oz) * iz;
            tf = t < tf ? t : tf;
            tf = best < tf ? best : tf;
            if (tn <= tf) {
                int count = nodeCount[node];
                if (count == 0) {
                    // Visit the child on the ray's side of the split first.
                    boolean reverse =
                            switch (nodeAxis[node]) {
                                case 0 -> dx < 0;
                                case 1 -> dy < 0;
                                default -> dz < 0;
                            };
                    if (reverse) {
                        stack[sp++] = node + 1;
                        node = nodeIndex[node];
                    } else {
                        stack[sp++] = nodeIndex[node];
                        node = node + 1;
                    }
                    continue;
                }
                int first = nodeIndex[node];
                for (int p = first; p < first + count; p++) {
                    double th = intersect(p, ox, oy, oz, dx, dy, dz, ix, iy, iz, tmin, best);
                    if (th < best) {
                        best = th;
                        bestPrim = p;
                    }
                }
            }
            if (sp == 0) {
                break;
            }
            node = stack[--sp];
        }
        hit[0] = bestPrim;
        return best;
    }

    /** Whether any primitive is hit with {@code tmin < t < tmax} (shadow rays). */
    boolean any(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax,
            int[] stack) {
        return anyHit(ox, oy, oz, dx, dy, dz, tmin, tmax, stack) >= 0;
    }

    /** A primitive (leaf order) hit with {@code tmin < t < tmax}, or -1 if none. */
    int anyHit(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax,
            int[] stack) {
        if (size == 0) {
            return -1;
        }
        dx = dx == 0 ? 1e-300 : dx;
        dy = dy == 0 ? 1e-300 : dy;
        dz = dz == 0 ? 1e-300 : dz;
        double ix = 1 / dx;
        double iy = 1 / dy;
        double iz = 1 / dz;
        int xn = ix >= 0 ? 0 : 3;
        int yn = iy >= 0 ? 1 : 4;
        int zn = iz >= 0 ? 2 : 5;
        int xf = 3 - xn;
        int yf = 5 - yn;
        int zf = 7 - zn;
        int sp = 0;
        int node = 0;
        double[] nb = nodeBounds;
        while (true) {
            int b = 6 * node;
            double tn = (nb[b + xn] - ox) * ix;
            double t = (nb[b + yn] - oy) * iy;
            tn = t > tn ? t : tn;
            t = (nb[b + zn] - oz) * iz;
            tn = t > tn ? t : tn;
            tn = tmin > tn ? tmin : tn;
            double tf = (nb[b + xf] - ox) * ix;
            t = (nb[b + yf] - oy) * iy;
            tf = t < tf ? t : tf;
            t = (nb[b + zf] - oz) * iz;
            tf = t < tf ? t : tf;
            tf = tmax < tf ? tmax : tf;
            if (tn <= tf) {
                int count = nodeCount[node];
                if (count == 0) {
                    stack[sp++] = nodeIndex[node];
                    node = node + 1;
                    continue;
                }
                int first = nodeIndex[node];
                for (int p = first; p < first + count; p++) {
                    if (intersect(p, ox, oy, oz, dx, dy, dz, ix, iy, iz, tmin, tmax) < tmax) {
                        return p;
                    }
                }
            }
            if (sp == 0) {
                return -1;
            }
            node = stack[--sp];
        }
    }

    /** Whether any of {@code list[from, to)} (leaf order) is hit with {@code tmin < t < tmax}. */
    boolean anyOf(
            int[] list,
            int from,
            int to,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax) {
        dx = dx == 0 ? 1e-300 : dx;
        dy = dy == 0 ? 1e-300 : dy;
        dz = dz == 0 ? 1e-300 : dz;
        double ix = 1 / dx;
        double iy = 1 / dy;
        double iz = 1 / dz;
        for (int k = from; k < to; k++) {
            if (intersect(list[k], ox, oy, oz, dx, dy, dz, ix, iy, iz, tmin, tmax) < tmax) {
                return true;
            }
        }
        return false;
    }

    /** Whether primitive {@code p} (leaf order) is hit with {@code tmin < t < tmax}. */
    boolean hits(
            int p,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax) {
        dx = dx == 0 ? 1e-300 : dx;
        dy = dy == 0 ? 1e-300 : dy;
        dz = dz == 0 ? 1e-300 : dz;
        return intersect(p, ox, oy, oz, dx, dy, dz, 1 / dx, 1 / dy, 1 / dz, tmin, tmax) < tmax;
    }

    /** The ray's t at primitive {@code p} in {@code (tmin, tmax)}, or {@code tmax}. */
    private double intersect(
            int p,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double ix,
            double iy,
            double iz,
            double tmin,
            double tmax) {
        int k = kind[p];
        if (k == AABOX) {
            return aaBox(p * STRIDE, ox, oy, oz, ix, iy, iz, tmin, tmax);
        }
        if (k == YAWBOX) {
            return yawBox(p * STRIDE, ox, oy, oz, dx, dz, iy, tmin, tmax);
        }
        if (k == CYLINDER) {
            return cylinder(p * STRIDE, ox, oy, oz, dx, dy, dz, iy, tmin, tmax);
        }
        return sphere(p * STRIDE, ox, oy, oz, dx, dy, dz, tmin, tmax);
    }

    private double aaBox(
            int o,
            double ox,
            double oy,
            double oz,
            double ix,
            double iy,
            double iz,
            double tmin,
            double tmax) {
        double[] g = geom;
        double rx = ox - g[o];
        double ry = oy - g[o + 1];
        double rz = oz - g[o + 2];
        double hx = g[o + 3];
        double hy = g[o + 4];
        double hz = g[o + 5];
        double tx0 = (-hx - rx) * ix;
        double tx1 = (hx - rx) * ix;
        double ty0 = (-hy - ry) * iy;
        double ty1 = (hy - ry) * iy;
        double tz0 = (-hz - rz) * iz;
        double tz1 = (hz - rz) * iz;
        double tn = Math.max(Math.max(Math.min(tx0, tx1), Math.min(ty0, ty1)), Math.min(tz0, tz1));
        double tf = Math.min(Math.min(Math.max(tx0, tx1), Math.max(ty0, ty1)), Math.max(tz0, tz1));
        return tn <= tf && tn > tmin && tn < tmax ? tn : tmax;
    }

    private double yawBox(
            int o,
            double ox,
            double oy,
            double oz,
            double dx,
            double dz,
            double iy,
            double tmin,
            double tmax) {
        double[] g = geom;
        double rx = ox - g[o];
        double ry = oy - g[o + 1];
        double rz = oz - g[o + 2];
        double c = g[o + 6];
        double s = g[o + 7];
        double lx = c * rx - s * rz;
        double lz = s * rx + c * rz;
        double ldx = c * dx - s * dz;
        double ldz = s * dx + c * dz;
        double jx = 1 / (ldx == 0 ? 1e-300 : ldx);
        double jz = 1 / (ldz == 0 ? 1e-300 : ldz);
        double hx = g[o + 3];
        double hy = g[o + 4];
        double hz = g[o + 5];
        double tx0 = (-hx - lx) * jx;
        double tx1 = (hx - lx) * jx;
        double ty0 = (-hy - ry) * iy;
        double ty1 = (hy - ry) * iy;
        double tz0 = (-hz - lz) * jz;
        double tz1 = (hz - lz) * jz;
        double tn = Math.max(Math.max(Math.min(tx0, tx1), Math.min(ty0, ty1)), Math.min(tz0, tz1));
        double tf = Math.min(Math.min(Math.max(tx0, tx1), Math.max(ty0, ty1)), Math.max(tz0, tz1));
        return tn <= tf && tn > tmin && tn < tmax ? tn : tmax;
    }

    private double cylinder(
            int o,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double iy,
            double tmin,
            double tmax) {
        double[] g = geom;
        double rx = ox - g[o];
        double ry = oy - g[o + 1];
        double rz = oz - g[o + 2];
        double r = g[o + 3];
        double hy = g[o + 4];
        double best = tmax;
        double a = dx * dx + dz * dz;
        if (a > 1e-18) {
            double b = rx * dx + rz * dz;
            double cc = rx * rx + rz * rz - r * r;
            double disc = b * b - a * cc;
            if (disc >= 0) {
                double t = (-b - Math.sqrt(disc)) / a;
                if (t > tmin && t < best) {
                    double y = ry + t * dy;
                    if (y >= -hy && y <= hy) {
                        best = t;
                    }
                }
            }
        }
        double cap = dy < 0 ? hy : -hy;
        double t = (cap - ry) * iy;
        if (t > tmin && t < best) {
            double x = rx + t * dx;
            double z = rz + t * dz;
            if (x * x + z * z <= r * r) {
                best = t;
            }
        }
        return best;
    }

    private double sphere(
            int o,
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tmin,
            double tmax) {
        double[] g = geom;
        double rx = ox - g[o];
        double ry = oy - g[o + 1];
        double rz = oz - g[o + 2];
        double r = g[o + 3];
        double a = dx * dx + dy * dy + dz * dz;
        double b = rx * dx + ry * dy + rz * dz;
        double cc = rx * rx + ry * ry + rz * rz - r * r;
        double disc = b * b - a * cc;
        if (disc < 0) {
            return tmax;
        }
        double t = (-b - Math.sqrt(disc)) / a;
        return t > tmin && t < tmax ? t : tmax;
    }

    /**
     * The outward unit normal of primitive {@code p} (leaf order) at a point on its surface, and
     * the point in the primitive's own frame (relative to its centre, yaw undone).
     *
     * @param out receives {nx, ny, nz, lx, ly, lz, face axis (0, 1, 2; boxes only)}
     */
    void surface(int p, double px, double py, double pz, double[] out) {
        double[] g = geom;
        int o = p * STRIDE;
        double rx = px - g[o];
        double ry = py - g[o + 1];
        double rz = pz - g[o + 2];
        switch (kind[p]) {
            case AABOX, YAWBOX -> {
                double c = g[o + 6];
                double s = g[o + 7];
                double lx = c * rx - s * rz;
                double lz = s * rx + c * rz;
                double ax = Math.abs(lx) / g[o + 3];
                double ay = Math.abs(ry) / g[o + 4];
                double az = Math.abs(lz) / g[o + 5];
                double nlx = 0;
                double nly = 0;
                double nlz = 0;
                int axis;
                if (ax >= ay && ax >= az) {
                    nlx = Math.signum(lx);
                    axis = 0;
                } else if (ay >= az) {
                    nly = Math.signum(ry);
                    axis = 1;
                } else {
                    nlz = Math.signum(lz);
                    axis = 2;
                }
                // Back to the world: rotate by +yaw.
                out[0] = c * nlx + s * nlz;
                out[1] = nly;
                out[2] = -s * nlx + c * nlz;
                out[3] = lx;
                out[4] = ry;
                out[5] = lz;
                out[6] = axis;
            }
            case CYLINDER -> {
                double r = g[o + 3];
                double hy = g[o + 4];
                double radial = Math.sqrt(rx * rx + rz * rz);
                if (Math.abs(Math.abs(ry) - hy) < 1e-7 * Math.max(1, hy)
                        || radial < r * (1 - 1e-7)) {
                    out[0] = 0;
                    out[1] = Math.signum(ry);
                    out[2] = 0;
                    out[6] = 1;
                } else {
                    out[0] = rx / radial;
                    out[1] = 0;
                    out[2] = rz / radial;
                    out[6] = 0;
                }
                out[3] = rx;
                out[4] = ry;
                out[5] = rz;
            }
            default -> {
                double len = Math.sqrt(rx * rx + ry * ry + rz * rz);
                out[0] = rx / len;
                out[1] = ry / len;
                out[2] = rz / len;
                out[3] = rx;
                out[4] = ry;
                out[5] = rz;
                out[6] = 0;
            }
        }
    }
}
