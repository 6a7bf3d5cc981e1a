package io.scenestream.synthetic;

import java.util.Objects;

/**
 * A flat rectangle on a wall: a window or a picture. It lies in the wall's plane (its depth is the
 * wall's), so it never occludes anything; it only relabels and re-textures the wall.
 *
 * @param kind window or picture
 * @param wall which wall
 * @param a0 start along the wall (x for {@link Wall#SOUTH} and {@link Wall#NORTH}, z for the
 *     others)
 * @param a1 end along the wall, greater than {@code a0}
 * @param y0 bottom height
 * @param y1 top height, greater than {@code y0}
 * @param seed varies the contents (picture motif, window mullions)
 */
public record WallDecal(
        Kind kind, Wall wall, double a0, double a1, double y0, double y1, long seed) {

    /** What the rectangle is. */
    public enum Kind {
        /** Class window; glass shows the bright outside, the frame is lit paint. */
        WINDOW,
        /** Class picture; a framed motif. */
        PICTURE
    }

    public WallDecal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(wall, "wall");
        if (!(a1 > a0 && y1 > y0)) {
            throw new IllegalArgumentException(
                    "empty decal " + a0 + ".." + a1 + " x " + y0 + ".." + y1);
        }
    }

    /** Class id of the decal. */
    public int classId() {
        return kind == Kind.WINDOW ? SyntheticClasses.WINDOW : SyntheticClasses.PICTURE;
    }

    /** Whether horizontal positions {@code [b0, b1]} overlap this decal's, with {@code gap}. */
    boolean overlapsAlong(double b0, double b1, double gap) {
        return b1 + gap > a0 && b0 - gap < a1;
    }
}
