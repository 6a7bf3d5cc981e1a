package io.scenestream.synthetic;

/**
 * The floor area a piece of furniture occupies: a rectangle turned by {@code yaw} about +y, and how
 * tall the piece is. The camera keeps clear of footprints.
 *
 * @param x centre x (metres)
 * @param z centre z
 * @param halfWidth half extent along the piece's own x
 * @param halfDepth half extent along the piece's own z
 * @param yaw rotation about +y (radians)
 * @param height top of the piece above the floor
 */
public record Footprint(
        double x, double z, double halfWidth, double halfDepth, double yaw, double height) {

    /** Horizontal distance from ({@code px, pz}) to the rectangle, 0 inside it. */
    public double distance(double px, double pz) {
        double rx = px - x;
        double rz = pz - z;
        double c = Math.cos(yaw);
        double s = Math.sin(yaw);
        double lx = Math.abs(c * rx - s * rz) - halfWidth;
        double lz = Math.abs(s * rx + c * rz) - halfDepth;
        double ox = Math.max(lx, 0);
        double oz = Math.max(lz, 0);
        return Math.sqrt(ox * ox + oz * oz);
    }

    /** World bounds {minX, minZ, maxX, maxZ}. */
    public double[] bounds() {
        double c = Math.abs(Math.cos(yaw));
        double s = Math.abs(Math.sin(yaw));
        double ex = c * halfWidth + s * halfDepth;
        double ez = s * halfWidth + c * halfDepth;
        return new double[] {x - ex, z - ez, x + ex, z + ez};
    }

    /** Whether the world bounds of the two footprints, grown by {@code gap}, overlap. */
    boolean overlaps(Footprint o, double gap) {
        double[] a = bounds();
        double[] b = o.bounds();
        return a[0] - gap < b[2] && b[0] - gap < a[2] && a[1] - gap < b[3] && b[1] - gap < a[3];
    }
}
