package io.scenestream.dashboard;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.Resize;
import io.scenestream.frames.viz.DepthColormap;
import io.scenestream.frames.viz.NyuPalette;
import io.scenestream.frames.viz.Panels;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionMaps;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The dashboard's images, drawn from records on request: the frame, the segmentation in the
 * palette's colours (optionally blended over the frame it was made from) and the coloured depth
 * (optionally with its metre scale), each at the record's size or scaled down to a width. Class and
 * depth maps are scaled by nearest neighbour, so a pixel shows exactly a class's colour; frames
 * bilinearly. Stateless and thread-safe.
 */
final class Pictures {

    /** Colour of a class id the palette does not have (a map of another label set): grey. */
    static final int UNKNOWN = 0x808080;

    private Pictures() {}

    /** The frame as a PNG, {@code width} wide (0 or more than its own: its own width). */
    static byte[] frame(Frame f, int width) {
        return rgb(FramePixels.decode(f, true), f.getWidth(), f.getHeight(), width);
    }

    /** {@code w x h} interleaved RGB as a PNG, {@code width} wide. */
    static byte[] rgb(byte[] rgb, int w, int h, int width) {
        int[] size = scaled(w, h, width);
        if (size[0] != w) {
            rgb = Resize.bilinearRgb(rgb, h, w, size[1], size[0]);
        }
        return png(Panels.rgb(size[0], size[1], rgb));
    }

    /**
     * The segmentation as a PNG, {@code width} wide: each pixel the palette's colour of its class
     * ({@link NyuPalette#IGNORE} black, an id outside the palette {@link #UNKNOWN}); with {@code
     * alpha > 0} and the frame it was made from, blended over that frame.
     *
     * @param frame the prediction's frame, or null
     */
    static byte[] segmentation(
            Prediction p, Frame frame, int width, double alpha, NyuPalette palette) {
        byte[] rgb = frame == null ? null : FramePixels.decode(frame, true);
        return segmentation(
                classes(p),
                p.getWidth(),
                p.getHeight(),
                rgb,
                frame == null ? 0 : frame.getWidth(),
                frame == null ? 0 : frame.getHeight(),
                width,
                alpha,
                palette);
    }

    /** {@link #segmentation(Prediction, Frame, int, double, NyuPalette)} over a sample's RGB. */
    static byte[] segmentation(
            int[] classes,
            int w,
            int h,
            DenseSample frame,
            int width,
            double alpha,
            NyuPalette palette) {
        return segmentation(
                classes, w, h, frame.rgb(), frame.width(), frame.height(), width, alpha, palette);
    }

    /** The class ids of a prediction's segmentation. */
    static int[] classes(Prediction p) {
        byte[] ids =
                PredictionMaps.segmentation(
                        p.getSegmentationPng().toByteArray(), p.getWidth(), p.getHeight());
        int[] classes = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            classes[i] = ids[i] & 0xff;
        }
        return classes;
    }

    /**
     * {@code w x h} class ids as a PNG, {@code width} wide, blended with {@code alpha} over {@code
     * rgb} ({@code rgbW x rgbH}, resized to the image) when it is not null; pixels {@link
     * NyuPalette#IGNORE} show the frame.
     */
    private static byte[] segmentation(
            int[] classes,
            int w,
            int h,
            byte[] rgb,
            int rgbW,
            int rgbH,
            int width,
            double alpha,
            NyuPalette palette) {
        int[] size = scaled(w, h, width);
        if (size[0] != w) {
            classes = Resize.nearest(classes, h, w, size[1], size[0]);
        }
        int[] lut = new int[256];
        for (int c = 0; c < 256; c++) {
            lut[c] =
                    c < palette.size()
                            ? palette.rgb(c)
                            : c == NyuPalette.IGNORE ? NyuPalette.IGNORE_RGB : UNKNOWN;
        }
        int n = size[0] * size[1];
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = lut[classes[i] & 0xff];
        }
        if (alpha > 0 && rgb != null) {
            rgb = Resize.bilinearRgb(rgb, rgbH, rgbW, size[1], size[0]);
            for (int i = 0; i < n; i++) {
                int c = px[i];
                int r = blend(rgb[3 * i] & 0xff, c >> 16 & 0xff, alpha);
                int g = blend(rgb[3 * i + 1] & 0xff, c >> 8 & 0xff, alpha);
                int b = blend(rgb[3 * i + 2] & 0xff, c & 0xff, alpha);
                px[i] =
                        classes[i] == NyuPalette.IGNORE
                                ? (rgb[3 * i] & 0xff) << 16
                                        | (rgb[3 * i + 1] & 0xff) << 8
                                        | rgb[3 * i + 2] & 0xff
                                : r << 16 | g << 8 | b;
            }
        }
        BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, size[0], size[1], px, 0, size[0]);
        return png(img);
    }

    /**
     * The depth as a PNG, {@code width} wide, coloured by {@code colors}; with {@code scale}, the
     * metre scale to its right.
     */
    static byte[] depth(Prediction p, int width, DepthColormap colors, boolean scale) {
        int w = p.getWidth();
        int h = p.getHeight();
        return depth(
                PredictionMaps.depthMetres(p.getDepthPng().toByteArray(), w, h),
                w,
                h,
                width,
                colors,
                scale);
    }

    /** {@code w x h} metres as a PNG (0: no depth, the invalid colour), {@code width} wide. */
    static byte[] depth(
            float[] metres, int w, int h, int width, DepthColormap colors, boolean scale) {
        int[] size = scaled(w, h, width);
        if (size[0] != w) {
            metres = Resize.nearest(metres, h, w, size[1], size[0]);
        }
        return png(
                scale
                        ? Panels.depthWithScale(size[0], size[1], metres, colors)
                        : Panels.depth(size[0], size[1], metres, colors));
    }

    /** Width and height of a {@code w x h} image scaled to {@code width}; never enlarged. */
    static int[] scaled(int w, int h, int width) {
        if (width <= 0 || width >= w) {
            return new int[] {w, h};
        }
        int sw = Math.max(1, width);
        return new int[] {sw, Math.max(1, Math.round((float) h * sw / w))};
    }

    private static int blend(int under, int over, double alpha) {
        return (int) Math.round((1 - alpha) * under + alpha * over);
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
