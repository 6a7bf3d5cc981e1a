package io.scenestream.synthetic;

import java.util.Objects;

/**
 * One solid of a scene with its class label and surface. Shapes: a box (optionally yawed about its
 * vertical axis), a vertical cylinder, or a sphere. Metres and radians (see the package
 * conventions).
 *
 * @param shape the solid
 * @param x centre x
 * @param y centre y
 * @param z centre z
 * @param sx box: half width along its local x; cylinder and sphere: radius
 * @param sy box and cylinder: half height; sphere: radius
 * @param sz box: half depth along its local z; cylinder and sphere: radius
 * @param yaw box: rotation about +y (0 for the others)
 * @param classId the NYU 13-class id (see {@link SyntheticClasses})
 * @param material the surface
 * @param color the base albedo, linear RGB
 * @param textureSeed varies the procedural texture between primitives
 */
public record Primitive(
        Shape shape,
        double x,
        double y,
        double z,
        double sx,
        double sy,
        double sz,
        double yaw,
        int classId,
        Material material,
        Rgb color,
        long textureSeed) {

    /** The solid's kind. */
    public enum Shape {
        BOX,
        CYLINDER,
        SPHERE
    }

    public Primitive {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(color, "color");
        SyntheticClasses.check(classId);
        if (!(sx > 0 && sy > 0 && sz > 0)) {
            throw new IllegalArgumentException(
                    "primitive sizes must be positive, got " + sx + ", " + sy + ", " + sz);
        }
        if (shape != Shape.BOX && yaw != 0) {
            throw new IllegalArgumentException(shape + " has no yaw");
        }
    }

    /**
     * A box with centre ({@code x, y, z}), half extents ({@code hx, hy, hz}) in its own frame and
     * that frame turned by {@code yaw} about +y. A yaw that is a multiple of pi/2 (within 1e-9) is
     * folded into the extents, so the box is stored axis-aligned.
     */
    public static Primitive box(
            double x,
            double y,
            double z,
            double hx,
            double hy,
            double hz,
            double yaw,
            int classId,
            Material material,
            Rgb color,
            long textureSeed) {
        double quarter = yaw / (Math.PI / 2);
        long k = Math.round(quarter);
        if (Math.abs(quarter - k) < 1e-9) {
            boolean swap = (k & 1) != 0;
            return new Primitive(
                    Shape.BOX,
                    x,
                    y,
                    z,
                    swap ? hz : hx,
                    hy,
                    swap ? hx : hz,
                    0,
                    classId,
                    material,
                    color,
                    textureSeed);
        }
        return new Primitive(
                Shape.BOX, x, y, z, hx, hy, hz, yaw, classId, material, color, textureSeed);
    }

    /** An axis-aligned box between two corners. */
    public static Primitive boxBetween(
            double x0,
            double y0,
            double z0,
            double x1,
            double y1,
            double z1,
            int classId,
            Material material,
            Rgb color,
            long textureSeed) {
        return box(
                (x0 + x1) / 2,
                (y0 + y1) / 2,
                (z0 + z1) / 2,
                Math.abs(x1 - x0) / 2,
                Math.abs(y1 - y0) / 2,
                Math.abs(z1 - z0) / 2,
                0,
                classId,
                material,
                color,
                textureSeed);
    }

    /** A vertical cylinder of {@code radius} standing on {@code yBottom}, {@code height} tall. */
    public static Primitive cylinder(
            double x,
            double yBottom,
            double z,
            double radius,
            double height,
            int classId,
            Material material,
            Rgb color,
            long textureSeed) {
        return new Primitive(
                Shape.CYLINDER,
                x,
                yBottom + height / 2,
                z,
                radius,
                height / 2,
                radius,
                0,
                classId,
                material,
                color,
                textureSeed);
    }

    /** A sphere. */
    public static Primitive sphere(
            double x,
            double y,
            double z,
            double radius,
            int classId,
            Material material,
            Rgb color,
            long textureSeed) {
        return new Primitive(
                Shape.SPHERE,
                x,
                y,
                z,
                radius,
                radius,
                radius,
                0,
                classId,
                material,
                color,
                textureSeed);
    }

    /** World bounds {minX, minY, minZ, maxX, maxY, maxZ}. */
    public double[] bounds() {
        double ex = sx;
        double ez = sz;
        if (yaw != 0) {
            double c = Math.abs(Math.cos(yaw));
            double s = Math.abs(Math.sin(yaw));
            ex = c * sx + s * sz;
            ez = s * sx + c * sz;
        }
        return new double[] {x - ex, y - sy, z - ez, x + ex, y + sy, z + ez};
    }
}
