package io.scenestream.synthetic;

/**
 * A linear RGB triple: an albedo in [0, 1] or a radiance / light colour (unbounded).
 *
 * @param r red
 * @param g green
 * @param b blue
 */
public record Rgb(double r, double g, double b) {

    public static final Rgb WHITE = new Rgb(1, 1, 1);
    public static final Rgb BLACK = new Rgb(0, 0, 0);

    /** The linear colour of an 8-bit sRGB colour. */
    public static Rgb srgb(int r8, int g8, int b8) {
        return new Rgb(
                srgbToLinear(r8 / 255.0), srgbToLinear(g8 / 255.0), srgbToLinear(b8 / 255.0));
    }

    /** The linear colour of a hex sRGB colour such as {@code 0xa0522d}. */
    public static Rgb hex(int rgb) {
        return srgb((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
    }

    public Rgb times(double k) {
        return new Rgb(r * k, g * k, b * k);
    }

    public Rgb times(Rgb o) {
        return new Rgb(r * o.r, g * o.g, b * o.b);
    }

    public Rgb plus(Rgb o) {
        return new Rgb(r + o.r, g + o.g, b + o.b);
    }

    /** {@code this + (o - this) * t}. */
    public Rgb lerp(Rgb o, double t) {
        return new Rgb(r + (o.r - r) * t, g + (o.g - g) * t, b + (o.b - b) * t);
    }

    /** Rec. 709 luminance. */
    public double luminance() {
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }

    /** The sRGB transfer function's inverse. */
    public static double srgbToLinear(double v) {
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    /** The sRGB transfer function, for v in [0, 1]. */
    public static double linearToSrgb(double v) {
        return v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
    }
}
