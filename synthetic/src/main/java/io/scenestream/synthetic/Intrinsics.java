package io.scenestream.synthetic;

/**
 * Pinhole intrinsics in pixels (OpenCV convention: pixel (u, v) has its centre at (u, v), so a ray
 * through it has camera direction ((u - cx) / fx, (v - cy) / fy, 1)).
 *
 * @param height rows
 * @param width columns
 * @param fx focal length along x (pixels)
 * @param fy focal length along y
 * @param cx principal point x
 * @param cy principal point y
 */
public record Intrinsics(int height, int width, double fx, double fy, double cx, double cy) {

    /** NYU Depth v2's Kinect colour camera at 640 x 480. */
    public static final Intrinsics NYU_640X480 =
            new Intrinsics(480, 640, 518.857901, 519.469611, 325.582449, 253.736166);

    public Intrinsics {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image size " + height + "x" + width);
        }
        if (!(fx > 0 && fy > 0)) {
            throw new IllegalArgumentException(
                    "focal lengths must be positive, got " + fx + ", " + fy);
        }
    }

    /**
     * NYU's intrinsics for an image resized to {@code height x width} (each axis scaled on its own,
     * as a resized NYU frame is; half-pixel centres).
     */
    public static Intrinsics nyu(int height, int width) {
        return NYU_640X480.scaled(height, width);
    }

    /** These intrinsics for the image resized to {@code h x w}. */
    public Intrinsics scaled(int h, int w) {
        double sx = (double) w / width;
        double sy = (double) h / height;
        return new Intrinsics(h, w, fx * sx, fy * sy, (cx + 0.5) * sx - 0.5, (cy + 0.5) * sy - 0.5);
    }
}
