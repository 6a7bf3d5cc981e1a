package io.scenestream.synthetic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An appearance domain: how the same geometry looks (lighting, camera, atmosphere). Labels and
 * depth do not depend on it. Radiance is linear and relative; the camera multiplies it by {@code
 * exposure}, corrects for {@code whiteBalanceKelvin}, adds noise and tone-maps to 8-bit sRGB.
 *
 * <p>Named domains ({@link #named}): {@code day}, the source domain (daylight and sun through the
 * windows, lamps at 3800 K, white balance 5200 K, little noise, a short shutter); {@code night}
 * (windows dark, only warm 2700 K lamps at reduced power, camera still balanced for daylight, low
 * exposure, five times the noise, a longer shutter); {@code warm-lamp} (strong 2200 K lamps, dim
 * daylight, white balance 6500 K: strongly orange); {@code haze} (day under 0.4 / m of pale grey
 * haze: low contrast); {@code overexposed} (day at 3.2 times the exposure); {@code blur} (day with
 * a shutter of 8 frame intervals: strong motion blur).
 *
 * @param name the domain's name
 * @param exposure multiplier on radiance before tone mapping (1: walls near mid-grey by day)
 * @param lampIntensity scale of the ceiling lamps' power (0: lamps off)
 * @param lampKelvin colour temperature of the lamps (each room shifts it a little)
 * @param windowIntensity scale of daylight through windows and of the window glass's brightness
 * @param skyKelvin colour temperature of the daylight
 * @param sunIntensity direct sunlight through windows (0: overcast or night)
 * @param ambient indirect fill light, as a fraction of the average light
 * @param whiteBalanceKelvin the light the camera treats as white
 * @param readNoise standard deviation of additive sensor noise (fraction of white, linear)
 * @param shotNoise signal-dependent noise: standard deviation {@code shotNoise * sqrt(signal)}
 * @param motionBlur the shutter as a fraction of the frame interval (0: no blur)
 * @param hazeDensity extinction per metre of haze (0: clear)
 * @param hazeColor radiance of the haze (linear, before exposure)
 * @param vignette relative darkening of the image corners, 0..1
 */
public record Domain(
        String name,
        double exposure,
        double lampIntensity,
        double lampKelvin,
        double windowIntensity,
        double skyKelvin,
        double sunIntensity,
        double ambient,
        double whiteBalanceKelvin,
        double readNoise,
        double shotNoise,
        double motionBlur,
        double hazeDensity,
        Rgb hazeColor,
        double vignette) {

    private static final Map<String, Domain> NAMED = new LinkedHashMap<>();

    static {
        Domain day =
                new Domain(
                        "day",
                        1.0,
                        1.0,
                        3800,
                        1.0,
                        6500,
                        1.0,
                        0.25,
                        5200,
                        0.004,
                        0.006,
                        0.5,
                        0.0,
                        new Rgb(0.6, 0.6, 0.6),
                        0.25);
        register(day);
        register(
                new Domain(
                        "night",
                        0.55,
                        0.55,
                        2700,
                        0.03,
                        9000,
                        0,
                        0.15,
                        5200,
                        0.02,
                        0.03,
                        1.0,
                        0.0,
                        new Rgb(0.05, 0.05, 0.05),
                        0.35));
        register(
                new Domain(
                        "warm-lamp",
                        1.0,
                        1.5,
                        2200,
                        0.12,
                        4500,
                        0,
                        0.22,
                        6500,
                        0.006,
                        0.01,
                        0.5,
                        0.0,
                        new Rgb(0.3, 0.2, 0.1),
                        0.3));
        register(day.withName("haze").withHaze(0.4, new Rgb(0.62, 0.63, 0.66)));
        register(day.withName("overexposed").withExposure(3.2));
        register(day.withName("blur").withMotionBlur(8.0));
    }

    private static void register(Domain d) {
        NAMED.put(d.name(), d);
    }

    public Domain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hazeColor, "hazeColor");
        double[] nonNegative = {
            exposure,
            lampIntensity,
            windowIntensity,
            sunIntensity,
            ambient,
            readNoise,
            shotNoise,
            motionBlur,
            hazeDensity,
            vignette
        };
        for (double v : nonNegative) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(
                        "domain " + name + ": parameters must be finite and >= 0");
            }
        }
        if (!(lampKelvin > 0 && skyKelvin > 0 && whiteBalanceKelvin > 0)) {
            throw new IllegalArgumentException(
                    "domain " + name + ": colour temperatures must be positive");
        }
        if (vignette > 1) {
            throw new IllegalArgumentException(
                    "domain " + name + ": vignette must be in 0..1, got " + vignette);
        }
    }

    /** The names of the predefined domains, in a fixed order ({@code day} is the source domain). */
    public static List<String> names() {
        return List.copyOf(NAMED.keySet());
    }

    /** A predefined domain; the error lists the known names. */
    public static Domain named(String name) {
        Domain d = NAMED.get(name == null ? "" : name.trim().toLowerCase(Locale.ROOT));
        if (d == null) {
            throw new IllegalArgumentException(
                    "unknown domain '" + name + "'; known domains: " + String.join(", ", names()));
        }
        return d;
    }

    /**
     * The appearance {@code t} of the way from {@code a} to {@code b} (0: a, 1: b): every parameter
     * interpolated linearly, colour temperatures in mireds (as they are perceived).
     */
    public static Domain blend(Domain a, Domain b, double t) {
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("blend weight must be in 0..1, got " + t);
        }
        if (t == 0) {
            return a;
        }
        if (t == 1) {
            return b;
        }
        return new Domain(
                a.name + ">" + b.name,
                lerp(a.exposure, b.exposure, t),
                lerp(a.lampIntensity, b.lampIntensity, t),
                mired(a.lampKelvin, b.lampKelvin, t),
                lerp(a.windowIntensity, b.windowIntensity, t),
                mired(a.skyKelvin, b.skyKelvin, t),
                lerp(a.sunIntensity, b.sunIntensity, t),
                lerp(a.ambient, b.ambient, t),
                mired(a.whiteBalanceKelvin, b.whiteBalanceKelvin, t),
                lerp(a.readNoise, b.readNoise, t),
                lerp(a.shotNoise, b.shotNoise, t),
                lerp(a.motionBlur, b.motionBlur, t),
                lerp(a.hazeDensity, b.hazeDensity, t),
                a.hazeColor.lerp(b.hazeColor, t),
                lerp(a.vignette, b.vignette, t));
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }

    private static double mired(double ka, double kb, double t) {
        return 1 / lerp(1 / ka, 1 / kb, t);
    }

    public Domain withName(String newName) {
        return new Domain(
                newName,
                exposure,
                lampIntensity,
                lampKelvin,
                windowIntensity,
                skyKelvin,
                sunIntensity,
                ambient,
                whiteBalanceKelvin,
                readNoise,
                shotNoise,
                motionBlur,
                hazeDensity,
                hazeColor,
                vignette);
    }

    public Domain withExposure(double e) {
        return new Domain(
                name,
                e,
                lampIntensity,
                lampKelvin,
                windowIntensity,
                skyKelvin,
                sunIntensity,
                ambient,
                whiteBalanceKelvin,
                readNoise,
                shotNoise,
                motionBlur,
                hazeDensity,
                hazeColor,
                vignette);
    }

    public Domain withMotionBlur(double shutter) {
        return new Domain(
                name,
                exposure,
                lampIntensity,
                lampKelvin,
                windowIntensity,
                skyKelvin,
                sunIntensity,
                ambient,
                whiteBalanceKelvin,
                readNoise,
                shotNoise,
                shutter,
                hazeDensity,
                hazeColor,
                vignette);
    }

    public Domain withHaze(double density, Rgb color) {
        return new Domain(
                name,
                exposure,
                lampIntensity,
                lampKelvin,
                windowIntensity,
                skyKelvin,
                sunIntensity,
                ambient,
                whiteBalanceKelvin,
                readNoise,
                shotNoise,
                motionBlur,
                density,
                color,
                vignette);
    }

    public Domain withNoise(double read, double shot) {
        return new Domain(
                name,
                exposure,
                lampIntensity,
                lampKelvin,
                windowIntensity,
                skyKelvin,
                sunIntensity,
                ambient,
                whiteBalanceKelvin,
                read,
                shot,
                motionBlur,
                hazeDensity,
                hazeColor,
                vignette);
    }
}
