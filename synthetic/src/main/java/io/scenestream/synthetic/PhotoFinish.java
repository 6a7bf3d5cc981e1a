package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Finishes a rendered frame as a consumer camera's picture ({@link Look#PHOTO}), every draw from
 * the frame's key:
 *
 * <ol>
 *   <li>exposure: linear light times 2^u, u uniform in [{@value #MIN_STOPS}, {@value #MAX_STOPS}]
 *       stops (darker on average: rendered rooms are brighter than NYU's);
 *   <li>contrast: each channel stretched about the frame's mean by {@value #MIN_CONTRAST} to
 *       {@value #MAX_CONTRAST};
 *   <li>lens: in one frame of four a defocus blur (Gaussian, sigma 0.5-1.5 px), else sharpening (an
 *       unsharp mask, sigma 1 px, amount up to {@value #MAX_SHARPEN});
 *   <li>JPEG compression at quality 30-95 (four frames of five; the JDK's encoder).
 * </ol>
 *
 * Labels and depth are unchanged. A pure function of the sample and the key.
 */
final class PhotoFinish {

    static final double MIN_STOPS = -2.0;
    static final double MAX_STOPS = 0.2;
    static final double MIN_CONTRAST = 1.2;
    static final double MAX_CONTRAST = 2.2;
    static final double MAX_SHARPEN = 3.0;

    private PhotoFinish() {}

    static DenseSample apply(DenseSample s, long key) {
        SplittableRandom rnd = new SplittableRandom(Noise.mix(key ^ 0x9407f1L));
        int h = s.height();
        int w = s.width();
        int n = h * w * 3;
        double[] v = new double[n];
        double gain = Math.pow(2, MIN_STOPS + rnd.nextDouble() * (MAX_STOPS - MIN_STOPS));
        double[] exposed = new double[256];
        for (int b = 0; b < 256; b++) {
            exposed[b] = Rgb.linearToSrgb(Math.min(1, Rgb.srgbToLinear(b / 255.0) * gain));
        }
        double[] mean = new double[3];
        for (int i = 0; i < n; i++) {
            v[i] = exposed[s.rgb()[i] & 0xff];
            mean[i % 3] += v[i];
        }
        double contrast = MIN_CONTRAST + rnd.nextDouble() * (MAX_CONTRAST - MIN_CONTRAST);
        for (int c = 0; c < 3; c++) {
            mean[c] /= (double) h * w;
        }
        for (int i = 0; i < n; i++) {
            v[i] = mean[i % 3] + (v[i] - mean[i % 3]) * contrast;
        }
        if (rnd.nextDouble() < 0.25) {
            v = blur(v, h, w, 0.5 + rnd.nextDouble());
        } else {
            double amount = rnd.nextDouble() * MAX_SHARPEN;
            double[] soft = blur(v, h, w, 1.0);
            for (int i = 0; i < n; i++) {
                v[i] += amount * (v[i] - soft[i]);
            }
        }
        byte[] rgb = new byte[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = (byte) Math.round(255 * Math.max(0, Math.min(1, v[i])));
        }
        if (rnd.nextDouble() < 0.8) {
            rgb = jpeg(rgb, h, w, 0.30f + (float) rnd.nextDouble() * 0.65f);
        }
        return new DenseSample(s.id(), h, w, rgb, s.semseg(), s.depth());
    }

    /**
     * Separable Gaussian blur of an interleaved RGB image, edges clamped; rows in parallel (each
     * value a function of its neighbourhood only, so the result does not depend on the threads).
     */
    static double[] blur(double[] v, int h, int w, double sigma) {
        int r = (int) Math.ceil(2.5 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] rows = new double[v.length];
        IntStream.range(0, h)
                .parallel()
                .forEach(
                        y -> {
                            int base = y * w * 3;
                            for (int x = 0; x < w; x++) {
                                boolean inside = x >= r && x < w - r;
                                for (int c = 0; c < 3; c++) {
                                    double a = 0;
                                    for (int i = -r; i <= r; i++) {
                                        int xx =
                                                inside
                                                        ? x + i
                                                        : Math.max(0, Math.min(w - 1, x + i));
                                        a += k[i + r] * v[base + xx * 3 + c];
                                    }
                                    rows[base + x * 3 + c] = a;
                                }
                            }
                        });
        double[] out = new double[v.length];
        int stride = w * 3;
        IntStream.range(0, h)
                .parallel()
                .forEach(
                        y -> {
                            for (int i = -r; i <= r; i++) {
                                int from = Math.max(0, Math.min(h - 1, y + i)) * stride;
                                double ki = k[i + r];
                                int to = y * stride;
                                for (int j = 0; j < stride; j++) {
                                    out[to + j] += ki * rows[from + j];
                                }
                            }
                        });
        return out;
    }

    /** The image after a round trip through the JDK's JPEG encoder at {@code quality} (0..1). */
    static byte[] jpeg(byte[] rgb, int h, int w, float quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        img.getRaster().setDataElements(0, 0, w, h, bgr);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        // read from memory: ImageIO.read(InputStream) would cache the stream in a temporary file
        BufferedImage back;
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            reader.setInput(in, true, true);
            back = reader.read(0);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG decoding failed", e);
        } finally {
            reader.dispose();
        }
        if (back.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            BufferedImage bgrImage = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            bgrImage.getGraphics().drawImage(back, 0, 0, null);
            back = bgrImage;
        }
        byte[] decoded = (byte[]) back.getRaster().getDataElements(0, 0, w, h, null);
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i += 3) {
            out[i] = decoded[i + 2];
            out[i + 1] = decoded[i + 1];
            out[i + 2] = decoded[i];
        }
        return out;
    }
}
