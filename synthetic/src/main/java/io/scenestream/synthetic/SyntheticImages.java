package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * PNG views of a sample for people: RGB, labels in a fixed palette, depth in grey, or all three
 * side by side.
 */
public final class SyntheticImages {

    /** One colour per class id (0xRRGGBB), in {@link SyntheticClasses} order. */
    private static final int[] PALETTE = {
        0xc43c3c, // bed
        0xe8a33c, // books
        0xb4d2f0, // ceiling
        0x3c8c3c, // chair
        0x8c6446, // floor
        0x7846a0, // furniture
        0xf0e646, // objects
        0xf05ab4, // picture
        0x3c50c8, // sofa
        0x46c8b4, // table
        0x282828, // tv
        0xc8c8be, // wall
        0x8cf0ff // window
    };

    private SyntheticImages() {}

    /** The palette colour (0xRRGGBB) of a class id, black for anything else. */
    public static int color(int classId) {
        return classId >= 0 && classId < PALETTE.length ? PALETTE[classId] : 0;
    }

    /** The sample's RGB. */
    public static BufferedImage rgb(DenseSample s) {
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        byte[] b = s.rgb();
        for (int i = 0; i < s.height() * s.width(); i++) {
            img.setRGB(
                    i % s.width(),
                    i / s.width(),
                    (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | (b[3 * i + 2] & 0xff));
        }
        return img;
    }

    /** The labels in the class palette of {@link #color} (black where unlabelled). */
    public static BufferedImage labels(DenseSample s) {
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        int[] l = s.semseg();
        for (int i = 0; i < l.length; i++) {
            img.setRGB(i % s.width(), i / s.width(), color(l[i]));
        }
        return img;
    }

    /** Depth in grey, near bright, {@code maxDepth} metres and beyond black. */
    public static BufferedImage depth(DenseSample s, double maxDepth) {
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        float[] d = s.depth();
        for (int i = 0; i < d.length; i++) {
            int g = d[i] > 0 ? (int) Math.round(255 * Math.max(0, 1 - d[i] / maxDepth)) : 0;
            img.setRGB(i % s.width(), i / s.width(), g << 16 | g << 8 | g);
        }
        return img;
    }

    /** RGB, labels and depth (0-8 m) side by side. */
    public static BufferedImage panel(DenseSample s) {
        BufferedImage out =
                new BufferedImage(3 * s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        BufferedImage[] parts = {rgb(s), labels(s), depth(s, 8)};
        for (int k = 0; k < 3; k++) {
            out.getGraphics().drawImage(parts[k], k * s.width(), 0, null);
        }
        return out;
    }

    /** Writes an image as PNG, creating the folder. */
    public static void write(BufferedImage img, Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }
}
