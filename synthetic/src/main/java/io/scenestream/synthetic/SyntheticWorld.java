package io.scenestream.synthetic;

import java.util.Objects;

/**
 * What the synthetic world is like, besides its light ({@link Domain}): how its camera is held, how
 * full its rooms are, how its pictures are finished.
 *
 * @param camera how the camera is held
 * @param rooms how full the rooms are
 * @param look how the pictures are finished
 */
public record SyntheticWorld(CameraRig camera, Furnishing rooms, Look look) {

    /** The world the shipped models were trained on: walkthrough camera, sparse rooms, rendered. */
    public static final SyntheticWorld DEFAULT =
            new SyntheticWorld(CameraRig.WALKTHROUGH, Furnishing.SPARSE, Look.RENDERED);

    /**
     * The world as NYU Depth v2's rooms measure ({@code scenestream-model gap}): a hand-held
     * camera, lived-in rooms, photographs.
     */
    public static final SyntheticWorld NYU =
            new SyntheticWorld(CameraRig.HANDHELD, Furnishing.LIVED_IN, Look.PHOTO);

    public SyntheticWorld {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(look, "look");
    }

    /**
     * The world a data specification names: each part by its name ({@link CameraRig#named}, {@link
     * Furnishing#named}, {@link Look#named}), the default's where the name is null.
     */
    public static SyntheticWorld named(String camera, String rooms, String look) {
        return new SyntheticWorld(
                camera == null ? DEFAULT.camera : CameraRig.named(camera),
                rooms == null ? DEFAULT.rooms : Furnishing.named(rooms),
                look == null ? DEFAULT.look : Look.named(look));
    }

    /** What differs from {@link #DEFAULT}, as ", camera handheld, rooms lived-in", or "". */
    public String describeChanges() {
        StringBuilder sb = new StringBuilder();
        if (camera != DEFAULT.camera) {
            sb.append(", camera ").append(camera.name());
        }
        if (rooms != DEFAULT.rooms) {
            sb.append(", rooms ").append(rooms.specName());
        }
        if (look != DEFAULT.look) {
            sb.append(", look ").append(look.specName());
        }
        return sb.toString();
    }
}
