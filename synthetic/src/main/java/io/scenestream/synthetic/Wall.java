package io.scenestream.synthetic;

/** The four walls of a room {@code [0, width] x [0, height] x [0, depth]}. */
public enum Wall {
    /** The plane z = 0, facing +z. */
    SOUTH(0, 1),
    /** The plane x = width, facing -x. */
    EAST(-1, 0),
    /** The plane z = depth, facing -z. */
    NORTH(0, -1),
    /** The plane x = 0, facing +x. */
    WEST(1, 0);

    /** Inward normal x. */
    public final int nx;

    /** Inward normal z. */
    public final int nz;

    Wall(int nx, int nz) {
        this.nx = nx;
        this.nz = nz;
    }

    /** Whether positions along this wall are x (else z). */
    public boolean alongX() {
        return nz != 0;
    }

    /**
     * The yaw of something whose front (+z of its own frame) faces into the room from this wall.
     */
    public double facingYaw() {
        return Math.atan2(nx, nz);
    }

    /** The wall's length in a room of {@code width} by {@code depth}. */
    public double length(double width, double depth) {
        return alongX() ? width : depth;
    }
}
