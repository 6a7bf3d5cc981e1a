package io.scenestream.frames;

import java.util.Objects;

/**
 * One annotated frame at one resolution: RGB, and optionally segmentation and depth labels.
 *
 * @param id where the sample comes from, for messages
 * @param height rows
 * @param width columns
 * @param rgb H * W * 3 bytes, row-major interleaved R G B
 * @param semseg H * W class ids (0-based; {@link #IGNORE} where unlabelled), or null when the
 *     sample has no segmentation labels
 * @param depth H * W metres (0 where invalid), or null when the sample has no depth labels
 */
public record DenseSample(
        String id, int height, int width, byte[] rgb, int[] semseg, float[] depth) {

    /** Label of pixels without a segmentation label. */
    public static final int IGNORE = 255;

    public DenseSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(rgb, "rgb");
        int n = height * width;
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(id + ": bad size " + height + "x" + width);
        }
        if (rgb.length != 3 * n) {
            throw new IllegalArgumentException(
                    id + ": " + rgb.length + " RGB bytes for " + height + "x" + width);
        }
        if (semseg != null && semseg.length != n) {
            throw new IllegalArgumentException(
                    id
                            + ": segmentation has "
                            + semseg.length
                            + " pixels, image "
                            + height
                            + "x"
                            + width);
        }
        if (depth != null && depth.length != n) {
            throw new IllegalArgumentException(
                    id + ": depth has " + depth.length + " pixels, image " + height + "x" + width);
        }
    }

    /**
     * This sample at {@code h x w}: RGB bilinearly, labels by nearest neighbour (half-pixel
     * centres, as OpenCV's and PyTorch's resizes).
     */
    public DenseSample resize(int h, int w) {
        if (h == height && w == width) {
            return this;
        }
        return new DenseSample(
                id,
                h,
                w,
                Resize.bilinearRgb(rgb, height, width, h, w),
                semseg == null ? null : Resize.nearest(semseg, height, width, h, w),
                depth == null ? null : Resize.nearest(depth, height, width, h, w));
    }

    /** This sample without its segmentation labels (partial annotation). */
    public DenseSample withoutSemseg() {
        return new DenseSample(id, height, width, rgb, null, depth);
    }

    /** This sample without its depth labels (partial annotation). */
    public DenseSample withoutDepth() {
        return new DenseSample(id, height, width, rgb, semseg, null);
    }
}
