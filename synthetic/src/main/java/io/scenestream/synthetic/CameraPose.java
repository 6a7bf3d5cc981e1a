package io.scenestream.synthetic;

/**
 * Where the camera is and where it looks. Metres and radians, world +y up: {@code yaw} turns the
 * view about +y (0 looks along +z, +pi/2 along +x), {@code pitch} raises it (positive looks up),
 * {@code roll} turns the camera about its optical axis (positive turns its x axis towards its y
 * axis, so the scene appears turned the other way).
 *
 * @param x position x
 * @param y position y (height above the floor)
 * @param z position z
 * @param yaw heading of the optical axis
 * @param pitch elevation of the optical axis
 * @param roll rotation about the optical axis
 */
public record CameraPose(double x, double y, double z, double yaw, double pitch, double roll) {

    /**
     * The camera's axes in world coordinates: {right, down, forward}, each a unit vector (OpenCV's
     * camera x, y, z).
     */
    public double[][] axes() {
        double cy = Math.cos(yaw);
        double sy = Math.sin(yaw);
        double cp = Math.cos(pitch);
        double sp = Math.sin(pitch);
        double[] forward = {sy * cp, sp, cy * cp};
        // Level right = forward x up, level down = forward x right.
        double[] right0 = {-cy, 0, sy};
        double[] down0 = {sy * sp, -cp, cy * sp};
        double cr = Math.cos(roll);
        double sr = Math.sin(roll);
        double[] right = new double[3];
        double[] down = new double[3];
        for (int i = 0; i < 3; i++) {
            right[i] = cr * right0[i] + sr * down0[i];
            down[i] = -sr * right0[i] + cr * down0[i];
        }
        return new double[][] {right, down, forward};
    }

    /**
     * The unnormalised world direction of the ray through pixel (u, v): its forward component is 1.
     */
    public double[] ray(Intrinsics k, double u, double v) {
        double[][] a = axes();
        double xc = (u - k.cx()) / k.fx();
        double yc = (v - k.cy()) / k.fy();
        return new double[] {
            a[2][0] + xc * a[0][0] + yc * a[1][0],
            a[2][1] + xc * a[0][1] + yc * a[1][1],
            a[2][2] + xc * a[0][2] + yc * a[1][2]
        };
    }
}
