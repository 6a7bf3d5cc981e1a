package io.scenestream.frames.data;

import java.util.SplittableRandom;

/**
 * Random changes of a frame's appearance that keep its geometry, labels and depth: exposure, white
 * balance, contrast (a veil of flat light, as haze or glare gives), gamma and sensor noise. The
 * changes happen in linear light, as a camera's would. Used to train a model that stays right when
 * the light changes (the teacher), from frames of one lighting only.
 *
 * @param probability chance that a frame is changed at all
 * @param maxStops largest exposure change in stops, either way (a gain of 2^±maxStops)
 * @param maxWhiteBalance largest red/blue gain shift (a gain of 1 ± this on red, the inverse on
 *     blue)
 * @param maxVeil largest share of flat grey light blended in
 * @param maxGamma largest gamma change (a power in 1/(1+g) .. 1+g)
 * @param maxNoise largest standard deviation of additive noise, as a fraction of white
 */
public record PhotometricAugmentation(
        double probability,
        double maxStops,
        double maxWhiteBalance,
        double maxVeil,
        double maxGamma,
        double maxNoise) {

    private static final float[] TO_LINEAR = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            double c = i / 255.0;
            TO_LINEAR[i] = (float) (c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
        }
    }

    public PhotometricAugmentation {
        double[] all = {probability, maxStops, maxWhiteBalance, maxVeil, maxGamma, maxNoise};
        for (double v : all) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(
                        "photometric augmentation parameters must be finite and >= 0");
            }
        }
        if (probability > 1 || maxWhiteBalance >= 1 || maxVeil > 1) {
            throw new IllegalArgumentException(
                    "probability and veil must be at most 1, white balance below 1");
        }
    }

    /**
     * The project's setting: most frames changed, exposure from a quarter to twice, colour casts as
     * far as a tungsten lamp under a daylight balance, noise up to that of a dark, high-gain frame.
     */
    public static PhotometricAugmentation standard() {
        return new PhotometricAugmentation(0.8, 2.0, 0.45, 0.5, 0.4, 0.06);
    }

    /**
     * {@code rgb} (interleaved 8-bit sRGB) with appearance drawn from {@code random}; a new array.
     */
    public byte[] apply(byte[] rgb, SplittableRandom random) {
        if (random.nextDouble() >= probability) {
            return rgb;
        }
        double gain = Math.pow(2, (2 * random.nextDouble() - 1) * maxStops);
        double wb = (2 * random.nextDouble() - 1) * maxWhiteBalance;
        double[] channel = {gain * (1 + wb), gain, gain / (1 + wb)};
        double veil = random.nextDouble() * maxVeil;
        double veilLevel = 0.1 + 0.5 * random.nextDouble();
        double gammaDraw = 1 + random.nextDouble() * maxGamma;
        double gamma = random.nextBoolean() ? gammaDraw : 1 / gammaDraw;
        double noise = random.nextDouble() * maxNoise;
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            double lin = TO_LINEAR[rgb[i] & 0xFF] * channel[i % 3];
            lin = (1 - veil) * lin + veil * veilLevel;
            double c = toSrgb(Math.min(1, Math.max(0, lin)));
            c = Math.pow(c, gamma);
            if (noise > 0) {
                c += noise * random.nextGaussian();
            }
            out[i] = (byte) Math.round(255 * Math.min(1, Math.max(0, c)));
        }
        return out;
    }

    private static double toSrgb(double lin) {
        return lin <= 0.0031308 ? 12.92 * lin : 1.055 * Math.pow(lin, 1 / 2.4) - 0.055;
    }
}
