package io.scenestream.synthetic;

/**
 * The colour of a black-body light at a temperature, in linear sRGB with unit luminance. Piecewise
 * linear between tabulated chromaticities (1000 K to 15000 K), which is all that shading and white
 * balance need.
 */
public final class ColorTemperature {

    // Kelvin and the 8-bit sRGB colour of a black body at that temperature (normalised so that the
    // largest channel is 255), from published black-body colour tables.
    private static final double[] KELVIN = {
        1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000, 8000, 9000,
        10000, 12000, 15000
    };
    private static final int[][] SRGB = {
        {255, 56, 0},
        {255, 109, 0},
        {255, 137, 18},
        {255, 161, 72},
        {255, 180, 107},
        {255, 196, 137},
        {255, 209, 163},
        {255, 219, 186},
        {255, 228, 206},
        {255, 236, 224},
        {255, 243, 239},
        {255, 249, 253},
        {245, 243, 255},
        {227, 233, 255},
        {214, 225, 255},
        {204, 219, 255},
        {191, 211, 255},
        {181, 205, 255}
    };
    private static final Rgb[] LINEAR = new Rgb[KELVIN.length];

    static {
        for (int i = 0; i < KELVIN.length; i++) {
            Rgb c = Rgb.srgb(SRGB[i][0], SRGB[i][1], SRGB[i][2]);
            LINEAR[i] = c.times(1 / c.luminance());
        }
    }

    private ColorTemperature() {}

    /**
     * The unit-luminance linear colour of a black body at {@code kelvin} (clamped to the table).
     */
    public static Rgb of(double kelvin) {
        if (!(kelvin > 0)) {
            throw new IllegalArgumentException(
                    "colour temperature must be positive Kelvin, got " + kelvin);
        }
        if (kelvin <= KELVIN[0]) {
            return LINEAR[0];
        }
        int n = KELVIN.length;
        if (kelvin >= KELVIN[n - 1]) {
            return LINEAR[n - 1];
        }
        int i = 0;
        while (KELVIN[i + 1] < kelvin) {
            i++;
        }
        double t = (kelvin - KELVIN[i]) / (KELVIN[i + 1] - KELVIN[i]);
        Rgb c = LINEAR[i].lerp(LINEAR[i + 1], t);
        return c.times(1 / c.luminance());
    }
}
