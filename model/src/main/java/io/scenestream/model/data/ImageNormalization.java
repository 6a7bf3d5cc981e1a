package io.scenestream.model.data;

/**
 * Turns interleaved RGB8 pixels into the network's input: planar (C, H, W) floats, scaled to [0,
 * 1], minus the ImageNet mean, over the ImageNet standard deviation, as the reference's NYUD
 * transforms do.
 */
public final class ImageNormalization {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private ImageNormalization() {}

    /**
     * Writes the normalised planes of {@code rgb} (H * W * 3 bytes, row-major, R G B) into {@code
     * out} starting at {@code offset}: 3 * H * W floats, channel-major.
     */
    public static void toChw(byte[] rgb, int pixels, float[] out, int offset) {
        if (rgb.length != 3 * pixels) {
            throw new IllegalArgumentException(
                    "expected " + 3 * pixels + " RGB bytes, got " + rgb.length);
        }
        for (int c = 0; c < 3; c++) {
            float scale = 1f / (255f * STD[c]);
            float shift = MEAN[c] / STD[c];
            int base = offset + c * pixels;
            for (int i = 0; i < pixels; i++) {
                out[base + i] = (rgb[3 * i + c] & 0xff) * scale - shift;
            }
        }
    }
}
