package io.scenestream.kafka.serde;

import ar.com.hjg.pngj.FilterType;
import ar.com.hjg.pngj.ImageInfo;
import ar.com.hjg.pngj.ImageLineInt;
import ar.com.hjg.pngj.PngWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * The per-pixel maps of a prediction record: depth as a 16-bit grayscale PNG in millimetres (0 = no
 * depth, at most 65.535 m), segmentation as an 8-bit grayscale PNG of class ids.
 */
public final class PredictionMaps {

    /** zlib level of the maps written to Kafka (see {@code writer}). */
    public static final int ZLIB_LEVEL = 1;

    /** The PNG row filter the stream writes with (see {@code writer}). */
    public static final FilterType FILTER = FilterType.FILTER_UP;

    private PredictionMaps() {}

    /**
     * 16-bit PNG of {@code metres} (row-major), rounded to millimetres; invalid or non-positive
     * depth is 0.
     */
    public static byte[] depthPng(float[] metres, int width, int height) {
        return depthPngMm(millimetres(metres), width, height);
    }

    /**
     * Depth rounded to millimetres as unsigned 16-bit values: 0 for invalid or non-positive, at
     * most 65535.
     */
    public static short[] millimetres(float[] metres) {
        short[] mm = new short[metres.length];
        for (int i = 0; i < mm.length; i++) {
            float m = metres[i];
            mm[i] =
                    (short)
                            (Float.isFinite(m) && m > 0
                                    ? (int) Math.min(65535, Math.round(m * 1000.0))
                                    : 0);
        }
        return mm;
    }

    /** 16-bit PNG of depth already in millimetres (unsigned shorts, row-major). */
    public static byte[] depthPngMm(short[] millimetres, int width, int height) {
        return depthPngMm(millimetres, width, height, ZLIB_LEVEL);
    }

    /**
     * As {@link #depthPngMm(short[], int, int)} at another zlib level (-1: zlib's default), for the
     * benchmark.
     */
    public static byte[] depthPngMm(short[] millimetres, int width, int height, int zlibLevel) {
        return depthPngMm(millimetres, width, height, zlibLevel, FILTER);
    }

    /**
     * As {@link #depthPngMm(short[], int, int, int)} with another PNG row filter, for the
     * benchmark.
     */
    public static byte[] depthPngMm(
            short[] millimetres, int width, int height, int zlibLevel, FilterType filter) {
        check(millimetres.length, width, height);
        ImageInfo info = new ImageInfo(width, height, 16, false, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height / 2);
        PngWriter writer = writer(out, info, zlibLevel, filter);
        ImageLineInt line = new ImageLineInt(info);
        int[] row = line.getScanline();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = millimetres[y * width + x] & 0xffff;
            }
            writer.writeRow(line);
        }
        writer.end();
        return out.toByteArray();
    }

    /** Depth in metres from a 16-bit millimetre PNG; 0 where there is none. */
    public static float[] depthMetres(byte[] png, int width, int height) {
        BufferedImage img = read(png, width, height, "depth");
        int[] mm = img.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
        float[] out = new float[mm.length];
        for (int i = 0; i < mm.length; i++) {
            out[i] = mm[i] / 1000f;
        }
        return out;
    }

    /** 8-bit PNG of class ids (unsigned bytes, row-major). */
    public static byte[] segmentationPng(byte[] classes, int width, int height) {
        return segmentationPng(classes, width, height, ZLIB_LEVEL);
    }

    /**
     * As {@link #segmentationPng(byte[], int, int)} at another zlib level (-1: zlib's default), for
     * the benchmark.
     */
    public static byte[] segmentationPng(byte[] classes, int width, int height, int zlibLevel) {
        check(classes.length, width, height);
        ImageInfo info = new ImageInfo(width, height, 8, false, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height / 4);
        PngWriter writer = writer(out, info, zlibLevel);
        ImageLineInt line = new ImageLineInt(info);
        int[] row = line.getScanline();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = classes[y * width + x] & 0xff;
            }
            writer.writeRow(line);
        }
        writer.end();
        return out.toByteArray();
    }

    /** Class ids from an 8-bit PNG. */
    public static byte[] segmentation(byte[] png, int width, int height) {
        BufferedImage img = read(png, width, height, "segmentation");
        int[] v = img.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    /**
     * A writer at the given zlib level, every row filtered by UP (the difference to the row above).
     * The stream writes at level 1: on a real 320x256 depth map the default level takes ~80 ms,
     * level 1 ~3 ms for a file 10% larger ({@code bin/scenestream-maps-benchmark}); with level 1
     * PNGJ's adaptive filter choice costs as much as the compression, and UP, suited to smooth
     * depth and flat class regions, took 1.85 ms against 2.74 ms for a file 2.6% larger
     * (docs/benchmarks/2026-11-pipeline.md, "Frame and map codecs"). Encoding runs for every frame
     * of the stream.
     */
    private static PngWriter writer(ByteArrayOutputStream out, ImageInfo info, int zlibLevel) {
        return writer(out, info, zlibLevel, FILTER);
    }

    private static PngWriter writer(
            ByteArrayOutputStream out, ImageInfo info, int zlibLevel, FilterType filter) {
        PngWriter writer = new PngWriter(out, info);
        writer.setFilterType(filter);
        if (zlibLevel >= 0) {
            writer.setCompLevel(zlibLevel);
        }
        return writer;
    }

    private static void check(int n, int width, int height) {
        if (n != width * height) {
            throw new IllegalArgumentException(
                    n + " values for a " + width + "x" + height + " map");
        }
    }

    private static BufferedImage read(byte[] png, int width, int height, String what) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException | RuntimeException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNDECODABLE,
                    what + " map is not a PNG: " + e.getMessage(),
                    e);
        }
        if (img == null) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNDECODABLE, what + " map is not a PNG");
        }
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    what
                            + " map is "
                            + img.getWidth()
                            + "x"
                            + img.getHeight()
                            + ", the prediction "
                            + width
                            + "x"
                            + height);
        }
        return img;
    }
}
