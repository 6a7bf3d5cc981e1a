package io.scenestream.frames.viz;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Images of frames and predictions for people to look at: segmentation in the NYU colours, class
 * overlays, coloured depth with a metre scale, a class legend, a side-by-side evaluation panel and
 * a compact mosaic for video.
 *
 * <p>Everything is drawn into {@link BufferedImage}s with {@link Graphics2D}; nothing touches a
 * screen, a toolkit or a global setting, so it works with {@code java.awt.headless=true}. Images
 * are {@link BufferedImage#TYPE_INT_RGB}; pixels are copied, never interpolated, so a class or a
 * depth shows in exactly its colour. Label maps and depth maps are row-major, {@code w * h} long.
 * Stateless and thread-safe.
 *
 * <p>One file: every picture the project draws (panels, legends, mosaics) shares the same layout
 * and lettering helpers.
 */
public final class Panels {

    /** Opacity of class colours over the frame in overlays (the mosaic's too). */
    public static final double DEFAULT_ALPHA = 0.5;

    /** Space around an evaluation panel's contents, pixels. */
    static final int MARGIN = 8;

    /** Space between an evaluation panel's tiles, pixels. */
    static final int GAP = 8;

    /** Fill of a tile without data ("no labels"). */
    static final int MISSING_RGB = 0xDCDCDC;

    private static final Style PANEL = new Style(Color.WHITE, new Color(0x222222));
    private static final Style VIDEO = new Style(Color.BLACK, Color.WHITE);
    private static final Color MISSING_TEXT = new Color(0x6E6E6E);
    private static final Color BAR_OUTLINE = new Color(0x808080);
    private static final int LEGEND_FONT = 14;

    private Panels() {}

    /** Background and text colours of a drawing. */
    private record Style(Color background, Color text) {}

    // ---------------------------------------------------------------- single images

    /** The frame as an image; {@code rgb} is {@code h * w * 3} bytes, row-major R G B. */
    public static BufferedImage rgb(int w, int h, byte[] rgb) {
        int n = pixels(w, h);
        check(rgb.length == 3L * n, "RGB has " + rgb.length + " bytes for " + w + "x" + h);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] =
                    ((rgb[3 * i] & 0xff) << 16)
                            | ((rgb[3 * i + 1] & 0xff) << 8)
                            | (rgb[3 * i + 2] & 0xff);
        }
        return image(w, h, px);
    }

    /** The frame as an image. */
    public static BufferedImage rgb(RgbFrame frame) {
        return rgb(frame.width(), frame.height(), frame.rgb());
    }

    /**
     * Class ids in the palette's colours, {@link NyuPalette#IGNORE} black.
     *
     * @throws IllegalArgumentException for an id the palette does not have
     */
    public static BufferedImage segmentation(int w, int h, int[] classes, NyuPalette palette) {
        int n = pixels(w, h);
        check(
                classes.length == n,
                "segmentation has " + classes.length + " pixels for " + w + "x" + h);
        int[] lut = lut(palette);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = color(lut, palette, classes[i]);
        }
        return image(w, h, px);
    }

    /**
     * {@link #segmentation(int, int, int[], NyuPalette)} of unsigned-byte ids (as {@link
     * FramePrediction#classes()}).
     */
    public static BufferedImage segmentation(int w, int h, byte[] classes, NyuPalette palette) {
        return segmentation(w, h, toInts(classes), palette);
    }

    /**
     * The class colours blended over the frame: {@code (1 - alpha) * frame + alpha * colour} per
     * channel, rounded; {@link NyuPalette#IGNORE} pixels keep the frame's colour.
     *
     * @param alpha opacity of the class colours, in [0, 1]
     */
    public static BufferedImage segmentationOverlay(
            BufferedImage rgb, int[] classes, NyuPalette palette, double alpha) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        check(
                classes.length == (long) w * h,
                "segmentation has " + classes.length + " pixels, the frame is " + w + "x" + h);
        check(alpha >= 0 && alpha <= 1, "alpha must be in [0, 1], got " + alpha);
        int[] lut = lut(palette);
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            int id = classes[i];
            int c = color(lut, palette, id);
            px[i] = id == NyuPalette.IGNORE ? px[i] & 0xffffff : blend(px[i], c, alpha);
        }
        return image(w, h, px);
    }

    /**
     * {@link #segmentationOverlay(BufferedImage, int[], NyuPalette, double)} of unsigned-byte ids.
     */
    public static BufferedImage segmentationOverlay(
            BufferedImage rgb, byte[] classes, NyuPalette palette, double alpha) {
        return segmentationOverlay(rgb, toInts(classes), palette, alpha);
    }

    /** Depth in metres coloured by {@code colors}; invalid depth black. */
    public static BufferedImage depth(int w, int h, float[] depth, DepthColormap colors) {
        int n = pixels(w, h);
        check(depth.length == n, "depth has " + depth.length + " pixels for " + w + "x" + h);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = colors.rgb(depth[i]);
        }
        return image(w, h, px);
    }

    /**
     * A vertical colour bar {@code height} pixels high for {@code colors}, far ({@link
     * DepthColormap#max()}) at the top, near at the bottom, with ticks at round metre values
     * labelled {@code "0 m"}, {@code "2 m"}, ...; dark text on white.
     */
    public static BufferedImage depthScale(int height, DepthColormap colors) {
        return depthScale(height, colors, fontSize(height), PANEL);
    }

    /** {@link #depth} with {@link #depthScale} of the same height to its right, on white. */
    public static BufferedImage depthWithScale(int w, int h, float[] depth, DepthColormap colors) {
        BufferedImage d = depth(w, h, depth, colors);
        BufferedImage scale = depthScale(h, colors);
        BufferedImage out = new BufferedImage(w + scale.getWidth(), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, PANEL);
        g.drawImage(d, 0, 0, null);
        g.drawImage(scale, w, 0, null);
        g.dispose();
        return out;
    }

    /** The set of class ids in a label map, {@link NyuPalette#IGNORE} left out. */
    public static BitSet classesPresent(int[] classes) {
        BitSet present = new BitSet();
        for (int c : classes) {
            if (c != NyuPalette.IGNORE && c >= 0) {
                present.set(c);
            }
        }
        return present;
    }

    /** {@link #classesPresent(int[])} of unsigned-byte ids. */
    public static BitSet classesPresent(byte[] classes) {
        BitSet present = new BitSet();
        for (byte c : classes) {
            int id = c & 0xff;
            if (id != NyuPalette.IGNORE) {
                present.set(id);
            }
        }
        return present;
    }

    /**
     * A legend {@code width} pixels wide: for each class in {@code classes}, in id order, a square
     * of its colour and its name, flowing into as many rows as needed; dark text on white.
     *
     * @param classNames names by class id; an id without a name is shown as {@code "class N"}
     */
    public static BufferedImage legend(
            int width, NyuPalette palette, List<String> classNames, BitSet classes) {
        return legend(width, palette, classNames, classes, LEGEND_FONT, PANEL);
    }

    // ---------------------------------------------------------------- composites

    /**
     * One row of titled tiles at the sample's resolution: RGB | ground-truth segmentation |
     * predicted segmentation | ground-truth depth | predicted depth, then the metre scale of both
     * depth tiles; below, a legend of the classes in either segmentation. A missing ground truth
     * (or a task the prediction lacks) gives a grey tile saying so. A prediction at another
     * resolution is resized to the sample's by nearest neighbour, and its title says from what.
     *
     * @param classNames the model's classes; their count (13 or 40) picks the {@link NyuPalette}
     * @param depthColors the range of both depth tiles, or null for {@link DepthColormap#auto} of
     *     the ground-truth depth (of the predicted depth when there is none)
     */
    public static BufferedImage evaluationPanel(
            DenseSample sample,
            FramePrediction prediction,
            List<String> classNames,
            DepthColormap depthColors) {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(prediction, "prediction");
        NyuPalette palette = NyuPalette.forClassCount(classNames.size());
        int w = sample.width();
        int h = sample.height();
        boolean resized = prediction.width() != w || prediction.height() != h;
        int[] predClasses =
                prediction.classes() == null
                        ? null
                        : Resize.nearest(
                                toInts(prediction.classes()),
                                prediction.height(),
                                prediction.width(),
                                h,
                                w);
        float[] predDepth =
                prediction.depth() == null
                        ? null
                        : Resize.nearest(
                                prediction.depth(), prediction.height(), prediction.width(), h, w);
        DepthColormap colors =
                depthColors != null
                        ? depthColors
                        : DepthColormap.auto(sample.depth() != null ? sample.depth() : predDepth);

        int font = fontSize(h);
        String from =
                resized ? " (from " + prediction.width() + "x" + prediction.height() + ")" : "";
        List<String> titles =
                List.of(
                        "RGB " + sample.id(),
                        "segmentation: ground truth",
                        "segmentation: prediction" + from,
                        "depth: ground truth",
                        "depth: prediction" + from);
        List<BufferedImage> tiles = new ArrayList<>();
        tiles.add(rgb(w, h, sample.rgb()));
        tiles.add(
                sample.semseg() == null
                        ? missing(w, h, "no labels", font)
                        : segmentation(w, h, sample.semseg(), palette));
        tiles.add(
                predClasses == null
                        ? missing(w, h, "no segmentation", font)
                        : segmentation(w, h, predClasses, palette));
        tiles.add(
                sample.depth() == null
                        ? missing(w, h, "no labels", font)
                        : depth(w, h, sample.depth(), colors));
        tiles.add(
                predDepth == null
                        ? missing(w, h, "no depth", font)
                        : depth(w, h, predDepth, colors));
        BufferedImage scale = depthScale(h, colors, font, PANEL);

        int titleH = titleHeight(font);
        int width = MARGIN + tiles.size() * (w + GAP) + scale.getWidth() + MARGIN;
        BitSet present = new BitSet();
        if (sample.semseg() != null) {
            present.or(classesPresent(sample.semseg()));
        }
        if (predClasses != null) {
            present.or(classesPresent(predClasses));
        }
        BufferedImage legend =
                present.isEmpty()
                        ? null
                        : legend(width - 2 * MARGIN, palette, classNames, present, font, PANEL);
        int height = MARGIN + titleH + h + (legend == null ? 0 : GAP + legend.getHeight()) + MARGIN;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, PANEL);
        g.setFont(font(font));
        FontMetrics fm = g.getFontMetrics();
        int tileY = MARGIN + titleH;
        for (int i = 0; i < tiles.size(); i++) {
            int x = tileX(i, w);
            Graphics2D t = (Graphics2D) g.create(x, MARGIN, w, titleH);
            t.drawString(titles.get(i), 0, (titleH - fm.getHeight()) / 2 + fm.getAscent());
            t.dispose();
            g.drawImage(tiles.get(i), x, tileY, null);
        }
        g.drawImage(scale, tileX(tiles.size(), w), tileY, null);
        if (legend != null) {
            g.drawImage(legend, MARGIN, tileY + h + GAP, null);
        }
        g.dispose();
        return out;
    }

    /**
     * A frame of a streaming recorder's video, at the frame's resolution without titles: RGB |
     * segmentation overlaid on the frame ({@link #DEFAULT_ALPHA}) | coloured depth, then the metre
     * scale, white on black. Width and height are even (padded with a black column or row), as
     * video encoders need, and depend only on the frame size and {@code depthColors}, so every
     * frame of a stream has the same size. A prediction at another resolution is resized to the
     * frame's by nearest neighbour; a task it lacks shows as the plain frame (segmentation) or a
     * grey tile (depth).
     *
     * @param classNames the model's classes (13 or 40; picks the palette); unused without a
     *     segmentation
     * @param depthColors the depth range, or null for {@link DepthColormap#DEFAULT}: a fixed range,
     *     so colours mean the same metres in every frame
     */
    public static BufferedImage mosaic(
            RgbFrame frame,
            FramePrediction prediction,
            List<String> classNames,
            DepthColormap depthColors) {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(prediction, "prediction");
        int w = frame.width();
        int h = frame.height();
        DepthColormap colors = depthColors != null ? depthColors : DepthColormap.DEFAULT;
        int font = fontSize(h);
        BufferedImage rgb = rgb(frame);
        BufferedImage overlay = rgb;
        if (prediction.classes() != null) {
            int[] classes =
                    Resize.nearest(
                            toInts(prediction.classes()),
                            prediction.height(),
                            prediction.width(),
                            h,
                            w);
            overlay =
                    segmentationOverlay(
                            rgb,
                            classes,
                            NyuPalette.forClassCount(classNames.size()),
                            DEFAULT_ALPHA);
        }
        BufferedImage depth =
                prediction.depth() == null
                        ? missing(w, h, "no depth", font)
                        : depth(
                                w,
                                h,
                                Resize.nearest(
                                        prediction.depth(),
                                        prediction.height(),
                                        prediction.width(),
                                        h,
                                        w),
                                colors);
        BufferedImage scale = depthScale(h, colors, font, VIDEO);

        int width = even(3 * w + scale.getWidth());
        BufferedImage out = new BufferedImage(width, even(h), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, VIDEO);
        g.drawImage(rgb, 0, 0, null);
        g.drawImage(overlay, w, 0, null);
        g.drawImage(depth, 2 * w, 0, null);
        g.drawImage(scale, 3 * w, 0, null);
        g.dispose();
        return out;
    }

    /**
     * Writes {@code image} as a PNG, creating missing parent folders; the file appears complete or
     * not at all (written beside it, then moved into place).
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException(
                        "no PNG writer for a " + image.getType() + "-type image, writing " + file);
            }
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---------------------------------------------------------------- layout (package-private for
    // tests)

    /** Text size for tiles {@code tileHeight} high: about 1/24 of it, 11 to 20 points. */
    static int fontSize(int tileHeight) {
        return Math.max(11, Math.min(20, Math.round(tileHeight / 24f)));
    }

    /** Height of an evaluation panel's title strip for text of {@code fontSize}. */
    static int titleHeight(int fontSize) {
        return metrics(font(fontSize)).getHeight() + 6;
    }

    /**
     * Left edge of the evaluation panel's tile {@code i} (0 = RGB; 5 = the scale) for tiles {@code
     * w} wide.
     */
    static int tileX(int i, int w) {
        return MARGIN + i * (w + GAP);
    }

    // ---------------------------------------------------------------- drawing

    private static BufferedImage depthScale(
            int height, DepthColormap colors, int fontSize, Style style) {
        check(height > 0, "scale height must be positive, got " + height);
        Font font = font(fontSize);
        FontMetrics fm = metrics(font);
        int pad = Math.max(4, fontSize / 2);
        int barW = Math.max(8, fontSize * 3 / 4);
        int tick = Math.max(3, fontSize / 4);
        // Room above the top tick and below the bottom one for half a label.
        int top = (fm.getAscent() + 1) / 2 + 1;
        int bottom = height - 1 - top;
        if (bottom - top < 2) {
            top = 0;
            bottom = height - 1;
        }
        int maxTicks = Math.max(2, Math.min(6, (bottom - top) / (fm.getHeight() * 3 / 2) + 1));
        List<Double> ticks = colors.ticks(maxTicks);
        int labelW = 0;
        for (double v : ticks) {
            labelW = Math.max(labelW, fm.stringWidth(DepthColormap.label(v)));
        }
        int width = pad + barW + tick + 3 + labelW + pad;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, style);
        double span = colors.max() - colors.min();
        int len = Math.max(1, bottom - top);
        for (int y = top; y <= bottom; y++) {
            double metres = colors.max() - span * (y - top) / len;
            g.setColor(new Color(DepthColormap.viridis(colors.brightness(metres))));
            g.fillRect(pad, y, barW, 1);
        }
        g.setColor(BAR_OUTLINE);
        g.drawRect(pad - 1, top - 1, barW + 1, bottom - top + 2);
        g.setFont(font);
        g.setColor(style.text());
        for (double v : ticks) {
            int y = top + (int) Math.round((colors.max() - v) / span * len);
            g.fillRect(pad + barW, y, tick, 1);
            int baseline = y + (fm.getAscent() - fm.getDescent()) / 2;
            g.drawString(DepthColormap.label(v), pad + barW + tick + 3, baseline);
        }
        g.dispose();
        return out;
    }

    private static BufferedImage legend(
            int width,
            NyuPalette palette,
            List<String> classNames,
            BitSet classes,
            int fontSize,
            Style style) {
        check(width > 0, "legend width must be positive, got " + width);
        Font font = font(fontSize);
        FontMetrics fm = metrics(font);
        int square = fm.getAscent();
        int rowH = fm.getHeight() + 4;
        int spacing = fontSize;
        // Lay out first, to know the height.
        List<int[]> at = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int x = 0;
        int y = 0;
        for (int id = classes.nextSetBit(0); id >= 0; id = classes.nextSetBit(id + 1)) {
            String name = id < classNames.size() ? classNames.get(id) : "class " + id;
            int entryW = square + 4 + fm.stringWidth(name);
            if (x > 0 && x + entryW > width) {
                x = 0;
                y += rowH;
            }
            at.add(new int[] {x, y, id});
            names.add(name);
            x += entryW + spacing;
        }
        BufferedImage out =
                new BufferedImage(
                        width,
                        Math.max(1, at.isEmpty() ? 1 : y + rowH),
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, style);
        g.setFont(font);
        for (int i = 0; i < at.size(); i++) {
            int[] e = at.get(i);
            int sy = e[1] + (rowH - square) / 2;
            g.setColor(palette.color(e[2]));
            g.fillRect(e[0], sy, square, square);
            g.setColor(BAR_OUTLINE);
            g.drawRect(e[0], sy, square - 1, square - 1);
            g.setColor(style.text());
            g.drawString(
                    names.get(i),
                    e[0] + square + 4,
                    e[1] + (rowH - fm.getHeight()) / 2 + fm.getAscent());
        }
        g.dispose();
        return out;
    }

    /** A grey tile saying {@code text} in its middle. */
    private static BufferedImage missing(int w, int h, String text, int fontSize) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(out, new Style(new Color(MISSING_RGB), MISSING_TEXT));
        Font font = font(fontSize);
        FontMetrics fm = metrics(font);
        g.setFont(font);
        g.drawString(
                text, (w - fm.stringWidth(text)) / 2, (h - fm.getHeight()) / 2 + fm.getAscent());
        g.dispose();
        return out;
    }

    /**
     * A graphics context filled with the style's background, drawing in its text colour, text
     * antialiased.
     */
    private static Graphics2D graphics(BufferedImage image, Style style) {
        Graphics2D g = image.createGraphics();
        g.setColor(style.background());
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(style.text());
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    private static Font font(int size) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, size);
    }

    /** Metrics of {@code font} as the panels draw it (antialiased, fractional metrics). */
    private static FontMetrics metrics(Font font) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(scratch, PANEL);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        g.dispose();
        return fm;
    }

    private static BufferedImage image(int w, int h, int[] px) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    /** Colours of ids 0..255 ({@code -1}: not in the palette). */
    private static int[] lut(NyuPalette palette) {
        int[] lut = new int[256];
        for (int id = 0; id < 256; id++) {
            lut[id] = id < palette.size() || id == NyuPalette.IGNORE ? palette.rgb(id) : -1;
        }
        return lut;
    }

    private static int color(int[] lut, NyuPalette palette, int id) {
        int c = id >= 0 && id < 256 ? lut[id] : -1;
        return c >= 0 ? c : palette.rgb(id); // throws, naming the id
    }

    private static int blend(int under, int over, double alpha) {
        int r = mix(under >> 16, over >> 16, alpha);
        int g = mix(under >> 8, over >> 8, alpha);
        int b = mix(under, over, alpha);
        return (r << 16) | (g << 8) | b;
    }

    private static int mix(int under, int over, double alpha) {
        under &= 0xff;
        over &= 0xff;
        return (int) Math.round(under + (over - under) * alpha);
    }

    private static int[] toInts(byte[] classes) {
        int[] out = new int[classes.length];
        for (int i = 0; i < classes.length; i++) {
            out[i] = classes[i] & 0xff;
        }
        return out;
    }

    private static int pixels(int w, int h) {
        check(w > 0 && h > 0, "image size must be positive, got " + w + "x" + h);
        return Math.multiplyExact(w, h);
    }

    private static int even(int n) {
        return n + (n & 1);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
