package io.scenestream.frames.viz;

import java.awt.image.BufferedImage;

/** How close two pictures are, for checks of what a video or a plot actually shows. */
public final class ImageCompare {

    private ImageCompare() {}

    /**
     * Peak signal-to-noise ratio, in dB, of {@code a} against {@code b} over {@code b}'s pixels (a
     * may be larger), all three colour channels; infinite for identical pixels. A lossy video of a
     * picture keeps 30-45 dB; a picture scrambled by a pixel-format mix-up falls to about 10.
     */
    public static double psnr(BufferedImage a, BufferedImage b) {
        if (a.getWidth() < b.getWidth() || a.getHeight() < b.getHeight()) {
            throw new IllegalArgumentException(
                    "the picture compared ("
                            + a.getWidth()
                            + "x"
                            + a.getHeight()
                            + ") is smaller than the reference ("
                            + b.getWidth()
                            + "x"
                            + b.getHeight()
                            + ")");
        }
        double se = 0;
        long n = 0;
        for (int y = 0; y < b.getHeight(); y++) {
            for (int x = 0; x < b.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((p >> shift) & 0xff) - ((q >> shift) & 0xff);
                    se += d * d;
                    n++;
                }
            }
        }
        double mse = se / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }
}
