package io.scenestream.synthetic;

import java.util.Objects;

/**
 * A point light of a scene. Its colour and final strength come from the {@link Domain} (lamps and
 * window light have separate intensity and colour temperature); the scene fixes where it is, its
 * base power and, for window light, the direction it shines into the room.
 *
 * @param kind a ceiling lamp or the daylight of a window
 * @param x position x (metres); lamps are inside the room, window light may be outside it (the
 *     walls cast no shadows, the lobe keeps it from lighting the window's own wall)
 * @param y position y
 * @param z position z
 * @param power base power; the irradiance at distance d is power / (d^2 + 0.25) before the domain's
 *     scale
 * @param nx lobe direction x (window light: the wall's inward normal; lamps: 0)
 * @param nz lobe direction z
 */
public record Light(Kind kind, double x, double y, double z, double power, double nx, double nz) {

    /** What kind of source this is. */
    public enum Kind {
        /** An omnidirectional lamp under the ceiling. */
        LAMP,
        /**
         * Daylight entering through a window: a cosine lobe into the room, from behind the glass.
         */
        WINDOW
    }

    public Light {
        Objects.requireNonNull(kind, "kind");
        if (!(power >= 0)) {
            throw new IllegalArgumentException("light power must be >= 0, got " + power);
        }
    }
}
