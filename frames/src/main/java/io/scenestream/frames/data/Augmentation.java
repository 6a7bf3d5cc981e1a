package io.scenestream.frames.data;

import io.scenestream.frames.DenseSample;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference's NYUD training augmentation: a random horizontal flip and a random zoom by one of
 * the scales 1.0, 1.2, 1.5 about the image centre (the reference's ScaleNRotate without rotation),
 * labels and depth moved with the pixels (nearest neighbour), then the model resolution.
 */
public final class Augmentation {

    /** The reference's scales. */
    public static final List<Double> REFERENCE_SCALES = List.of(1.0, 1.2, 1.5);

    private final List<Double> scales;
    private final boolean flip;
    private final PhotometricAugmentation photometric;

    public Augmentation(List<Double> scales, boolean flip) {
        this(scales, flip, null);
    }

    /**
     * @param photometric changes of appearance after the geometric ones; null for none
     */
    public Augmentation(List<Double> scales, boolean flip, PhotometricAugmentation photometric) {
        for (double s : scales) {
            if (s < 1.0) {
                throw new IllegalArgumentException("zoom scales must be at least 1, got " + s);
            }
        }
        this.scales = List.copyOf(scales);
        this.flip = flip;
        this.photometric = photometric;
    }

    /** This augmentation followed by {@code p}'s changes of appearance. */
    public Augmentation withPhotometric(PhotometricAugmentation p) {
        return new Augmentation(scales, flip, p);
    }

    /** The changes of appearance, or null. */
    public PhotometricAugmentation photometric() {
        return photometric;
    }

    /** Flip and the reference's scales. */
    public static Augmentation reference() {
        return new Augmentation(REFERENCE_SCALES, true);
    }

    /** {@code s} augmented with draws from {@code random}, at {@code h x w} (fit by cropping). */
    public DenseSample apply(DenseSample s, SplittableRandom random, int h, int w) {
        DenseSample out = s;
        if (flip && random.nextBoolean()) {
            out = flipHorizontally(out);
        }
        double scale = scales.isEmpty() ? 1.0 : scales.get(random.nextInt(scales.size()));
        if (scale > 1.0) {
            out = zoom(out, scale);
        }
        out = fitCrop(out, h, w);
        if (photometric != null) {
            out =
                    new DenseSample(
                            out.id(),
                            out.height(),
                            out.width(),
                            photometric.apply(out.rgb(), random),
                            out.semseg(),
                            out.depth());
        }
        return out;
    }

    /** The mirror image of {@code s}, labels and depth with it. */
    public static DenseSample flipHorizontally(DenseSample s) {
        int h = s.height();
        int w = s.width();
        byte[] rgb = new byte[s.rgb().length];
        int[] sem = s.semseg() == null ? null : new int[h * w];
        float[] dep = s.depth() == null ? null : new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = y * w + x;
                int dst = y * w + (w - 1 - x);
                System.arraycopy(s.rgb(), 3 * src, rgb, 3 * dst, 3);
                if (sem != null) {
                    sem[dst] = s.semseg()[src];
                }
                if (dep != null) {
                    dep[dst] = s.depth()[src];
                }
            }
        }
        return new DenseSample(s.id(), h, w, rgb, sem, dep);
    }

    /**
     * Zooms into the centre by {@code scale}: the central 1/scale of the frame, back at full size.
     */
    public static DenseSample zoom(DenseSample s, double scale) {
        int ch = Math.max(1, (int) Math.round(s.height() / scale));
        int cw = Math.max(1, (int) Math.round(s.width() / scale));
        return crop(s, (s.height() - ch) / 2, (s.width() - cw) / 2, ch, cw)
                .resize(s.height(), s.width());
    }

    /**
     * {@code s} at {@code h x w} keeping its aspect ratio: resized so that it covers the target,
     * then cropped about the centre.
     */
    public static DenseSample fitCrop(DenseSample s, int h, int w) {
        if (s.height() == h && s.width() == w) {
            return s;
        }
        double scale = Math.max((double) h / s.height(), (double) w / s.width());
        int rh = Math.max(h, (int) Math.ceil(s.height() * scale - 1e-9));
        int rw = Math.max(w, (int) Math.ceil(s.width() * scale - 1e-9));
        DenseSample r = s.resize(rh, rw);
        return crop(r, (rh - h) / 2, (rw - w) / 2, h, w);
    }

    /** The {@code h x w} window of {@code s} at ({@code top}, {@code left}). */
    public static DenseSample crop(DenseSample s, int top, int left, int h, int w) {
        if (top < 0 || left < 0 || top + h > s.height() || left + w > s.width()) {
            throw new IllegalArgumentException(
                    "crop "
                            + h
                            + "x"
                            + w
                            + " at "
                            + top
                            + ","
                            + left
                            + " leaves the "
                            + s.height()
                            + "x"
                            + s.width()
                            + " frame of "
                            + s.id());
        }
        if (top == 0 && left == 0 && h == s.height() && w == s.width()) {
            return s;
        }
        byte[] rgb = new byte[h * w * 3];
        int[] sem = s.semseg() == null ? null : new int[h * w];
        float[] dep = s.depth() == null ? null : new float[h * w];
        for (int y = 0; y < h; y++) {
            int src = (top + y) * s.width() + left;
            System.arraycopy(s.rgb(), 3 * src, rgb, 3 * y * w, 3 * w);
            if (sem != null) {
                System.arraycopy(s.semseg(), src, sem, y * w, w);
            }
            if (dep != null) {
                System.arraycopy(s.depth(), src, dep, y * w, w);
            }
        }
        return new DenseSample(s.id(), h, w, rgb, sem, dep);
    }
}
