package io.scenestream.synthetic;

import java.util.List;

/**
 * How the synthetic world's camera is held ({@link CameraPath}): the height of the eye, and how far
 * the camera tilts towards what it looks at.
 *
 * @param name how data specifications name it
 * @param minEye lowest eye height, metres
 * @param maxEye highest eye height, metres (drawn uniformly per room)
 * @param tilt share of the angle up or down to the point of interest that the camera pitches by (1:
 *     straight at it)
 * @param offset radians added to that pitch (positive: up)
 * @param minPitch lowest pitch, radians (negative looks down)
 * @param maxPitch highest pitch, radians
 */
public record CameraRig(
        String name,
        double minEye,
        double maxEye,
        double tilt,
        double offset,
        double minPitch,
        double maxPitch) {

    /**
     * Walking through a room and looking at things (2° below them): eye 1.25-1.65 m, pitch -34° to
     * +6° (about 21° down at the median). What the shipped models were trained on.
     */
    public static final CameraRig WALKTHROUGH =
            new CameraRig("walkthrough", 1.25, 1.65, 1.0, -0.04, -0.6, 0.1);

    /**
     * As NYU Depth v2's Kinect was held: near level, eye 1.05-1.45 m, turned towards things but
     * tilted only a quarter of the way, 3° up from there, pitch -11° to +10°. Measured on nyud-mini
     * ({@code scenestream-model gap}, floor fitted in the frames that show it): camera 1.30 m above
     * the floor, pitch 0.7° up at the median, from 10° up to 2° down between the 10th and the 90th
     * percentile.
     */
    public static final CameraRig HANDHELD =
            new CameraRig("handheld", 1.05, 1.45, 0.25, 0.05, -0.2, 0.17);

    /** The rigs by name. */
    public static final List<CameraRig> ALL = List.of(WALKTHROUGH, HANDHELD);

    public CameraRig {
        if (!(minEye > 0 && maxEye >= minEye)) {
            throw new IllegalArgumentException(
                    "eye heights must satisfy 0 < min <= max, got " + minEye + ".." + maxEye);
        }
        if (!(tilt >= 0 && tilt <= 1)) {
            throw new IllegalArgumentException("tilt must be in [0, 1], got " + tilt);
        }
        if (!(minPitch <= maxPitch)) {
            throw new IllegalArgumentException(
                    "pitch bounds must satisfy min <= max, got " + minPitch + ".." + maxPitch);
        }
    }

    /**
     * The rig called {@code name} (case-insensitive); IllegalArgumentException naming the known.
     */
    public static CameraRig named(String name) {
        return SpecNames.lookup("camera rig", name, ALL, CameraRig::name);
    }
}
