package io.scenestream.kafka.serde;

import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encodes interleaved RGB8 pixels as a frame's payload and decodes them back, checking dimensions.
 */
public final class FramePixels {

    private FramePixels() {}

    /**
     * The frame's pixels as {@code height * width * 3} bytes, R G B. The image's size is read from
     * its header first (so an image that claims a huge size is refused before it is decoded); the
     * pixels are decoded by OpenCV (libjpeg-turbo, libpng) straight into RGB order, which takes
     * about two thirds of the time of ImageIO's decoder for JPEG
     * (docs/benchmarks/2026-11-pipeline.md, "Frame and map codecs"); swapping OpenCV's BGR in Java
     * afterwards added 0.3-0.45 ms to a 320x256 frame's 0.65 ms ({@code
     * bin/scenestream-maps-benchmark}).
     *
     * @throws BadRecordException UNDECODABLE if the payload is not an image of its encoding,
     *     BAD_DIMENSIONS if the image's size differs from the frame's
     */
    public static byte[] decode(Frame f) {
        return decode(f, false);
    }

    /**
     * As {@link #decode(Frame)}; the payload's magic bytes must match the declared encoding
     * (ENCODING_MISMATCH otherwise), unless {@code sniff}, when a JPEG or PNG payload is decoded as
     * what it is whatever the record declares.
     */
    public static byte[] decode(Frame f, boolean sniff) {
        if (f.getEncoding() == Encoding.RAW_RGB8) {
            return f.getPayload().toByteArray();
        }
        byte[] payload = f.getPayload().toByteArray();
        Encoding actual = sniff(payload);
        if (!sniff && actual != null && actual != f.getEncoding()) {
            throw new BadRecordException(
                    BadRecordException.Reason.ENCODING_MISMATCH,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + " declares "
                            + f.getEncoding()
                            + " but its payload is a "
                            + actual
                            + " image (frames.sniff-encoding=true decodes it as such)");
        }
        int[] size = headerSize(f, payload);
        if (size[0] != f.getWidth() || size[1] != f.getHeight()) {
            throw new BadRecordException(
                    BadRecordException.Reason.BAD_DIMENSIONS,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + " says "
                            + f.getWidth()
                            + "x"
                            + f.getHeight()
                            + " but its image is "
                            + size[0]
                            + "x"
                            + size[1]);
        }
        int w = f.getWidth();
        int h = f.getHeight();
        byte[] out = new byte[w * h * 3];
        try (BytePointer data = new BytePointer(payload);
                Mat encoded = new Mat(1, payload.length, opencv_core.CV_8UC1, data);
                Mat rgb = opencv_imgcodecs.imdecode(encoded, opencv_imgcodecs.IMREAD_COLOR_RGB)) {
            if (rgb.empty()
                    || rgb.cols() != w
                    || rgb.rows() != h
                    || rgb.channels() != 3
                    || rgb.depth() != opencv_core.CV_8U
                    || !rgb.isContinuous()) {
                throw new BadRecordException(
                        BadRecordException.Reason.UNDECODABLE,
                        "frame "
                                + f.getCameraId()
                                + "#"
                                + f.getSequence()
                                + ": "
                                + f.getEncoding()
                                + " payload cannot be decoded (corrupt or truncated image data)");
            }
            rgb.data().get(out);
        } catch (RuntimeException e) {
            if (e instanceof BadRecordException bad) {
                throw bad;
            }
            throw new BadRecordException(
                    BadRecordException.Reason.UNDECODABLE,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + ": "
                            + f.getEncoding()
                            + " payload cannot be decoded: "
                            + e.getMessage(),
                    e);
        }
        return out;
    }

    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** JPEG or PNG by the payload's magic bytes, else null. */
    static Encoding sniff(byte[] payload) {
        if (startsWith(payload, JPEG_MAGIC)) {
            return Encoding.JPEG;
        }
        if (startsWith(payload, PNG_MAGIC)) {
            return Encoding.PNG;
        }
        return null;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Width and height from the image's header, without decoding its pixels. */
    private static int[] headerSize(Frame f, byte[] payload) {
        try (ImageInputStream in =
                ImageIO.createImageInputStream(new ByteArrayInputStream(payload))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new BadRecordException(
                        BadRecordException.Reason.UNDECODABLE,
                        "frame "
                                + f.getCameraId()
                                + "#"
                                + f.getSequence()
                                + ": payload is not a "
                                + f.getEncoding()
                                + " image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadRecordException bad) {
                throw bad;
            }
            throw new BadRecordException(
                    BadRecordException.Reason.UNDECODABLE,
                    "frame "
                            + f.getCameraId()
                            + "#"
                            + f.getSequence()
                            + ": "
                            + f.getEncoding()
                            + " payload cannot be decoded: "
                            + e.getMessage(),
                    e);
        }
    }

    /** Interleaved RGB8 of any image. */
    public static byte[] rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < w * h; i++) {
                out[3 * i] = bgr[3 * i + 2];
                out[3 * i + 1] = bgr[3 * i + 1];
                out[3 * i + 2] = bgr[3 * i];
            }
            return out;
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = (byte) (argb[i] >> 16);
            out[3 * i + 1] = (byte) (argb[i] >> 8);
            out[3 * i + 2] = (byte) argb[i];
        }
        return out;
    }

    /** An image of interleaved RGB8 pixels. */
    public static BufferedImage image(byte[] rgb, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < width * height; i++) {
            bgr[3 * i] = rgb[3 * i + 2];
            bgr[3 * i + 1] = rgb[3 * i + 1];
            bgr[3 * i + 2] = rgb[3 * i];
        }
        return img;
    }

    /** JPEG bytes of the pixels at {@code quality} in (0, 1]. */
    public static byte[] jpeg(byte[] rgb, int width, int height, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height / 4);
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image(rgb, width, height), null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** PNG bytes of the pixels. */
    public static byte[] png(byte[] rgb, int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height);
        try {
            ImageIO.write(image(rgb, width, height), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
