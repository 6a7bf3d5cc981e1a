package io.scenestream.frames.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.NyudDataset;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PanelsTest {

    private static final NyuPalette P = NyuPalette.NYU13;
    private static final List<String> NAMES = NyudDataset.CLASSES_13;
    private static final int FLOOR = 4;

    @Test
    void drawsWithoutADisplay() {
        assertThat(GraphicsEnvironment.isHeadless())
                .as("tests run with java.awt.headless=true")
                .isTrue();
    }

    @Test
    void segmentationPaintsEachPixelInItsClassColour() {
        int[] classes = {0, FLOOR, 255, 12, 11, 3};
        BufferedImage img = Panels.segmentation(3, 2, classes, P);
        assertThat(img.getWidth()).isEqualTo(3);
        assertThat(img.getHeight()).isEqualTo(2);
        assertThat(rgb(img, 0, 0)).isEqualTo(0x0000FF);
        assertThat(rgb(img, 1, 0)).isEqualTo(P.rgb(FLOOR)).isEqualTo(0xDEF118);
        assertThat(rgb(img, 2, 0)).as("ignore").isEqualTo(0x000000);
        assertThat(rgb(img, 0, 1)).isEqualTo(P.rgb(12));
        assertThat(rgb(img, 2, 1)).isEqualTo(P.rgb(3));

        byte[] bytes = {0, FLOOR, (byte) 255, 12, 11, 3};
        BufferedImage fromBytes = Panels.segmentation(3, 2, bytes, P);
        assertThat(pixels(fromBytes)).isEqualTo(pixels(img));
    }

    @Test
    void segmentationRejectsForeignIdsAndWrongSizes() {
        assertThatThrownBy(() -> Panels.segmentation(2, 1, new int[] {0, 13}, P))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("13");
        assertThatThrownBy(() -> Panels.segmentation(2, 1, new byte[] {0, (byte) 200}, P))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("200");
        assertThatThrownBy(() -> Panels.segmentation(2, 2, new int[] {0, 1, 2}, P))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x2");
    }

    @Test
    void overlayBlendsClassColourOverTheFrameAndKeepsIgnoredPixels() {
        byte[] rgb = {(byte) 200, 100, 0, 10, 20, 30};
        BufferedImage frame = Panels.rgb(2, 1, rgb);
        assertThat(rgb(frame, 0, 0)).isEqualTo(0xC86400);
        BufferedImage over = Panels.segmentationOverlay(frame, new int[] {0, 255}, P, 0.5);
        // bed (0, 0, 255) at half over (200, 100, 0): (100, 50, 128) (127.5 rounds up).
        assertThat(rgb(over, 0, 0)).isEqualTo(0x643280);
        assertThat(rgb(over, 1, 0)).isEqualTo(0x0A141E);
        assertThat(rgb(Panels.segmentationOverlay(frame, new byte[] {0, 0}, P, 1.0), 0, 0))
                .isEqualTo(0x0000FF);
        assertThat(rgb(Panels.segmentationOverlay(frame, new int[] {0, 0}, P, 0.0), 0, 0))
                .isEqualTo(0xC86400);
        assertThatThrownBy(() -> Panels.segmentationOverlay(frame, new int[] {0, 0}, P, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void depthIsColouredByTheMapAndInvalidIsBlack() {
        DepthColormap c = DepthColormap.range(1, 5);
        BufferedImage img = Panels.depth(2, 2, new float[] {1f, 5f, 0f, Float.NaN}, c);
        assertThat(rgb(img, 0, 0)).isEqualTo(0xFDE725);
        assertThat(rgb(img, 1, 0)).isEqualTo(0x440154);
        assertThat(rgb(img, 0, 1)).isZero();
        assertThat(rgb(img, 1, 1)).isZero();
    }

    @Test
    void depthWithScaleHasAColourBarWithLabelledTicks() {
        int w = 40;
        int h = 240;
        float[] depth = new float[w * h];
        Arrays.fill(depth, 3f);
        DepthColormap c = DepthColormap.DEFAULT;
        BufferedImage img = Panels.depthWithScale(w, h, depth, c);
        assertThat(img.getHeight()).isEqualTo(h);
        assertThat(img.getWidth()).isGreaterThan(w + 30);
        assertThat(rgb(img, 5, 5)).isEqualTo(c.rgb(3f));
        assertThat(rgb(img, w - 1, h - 1)).isEqualTo(c.rgb(3f));

        // Down the scale's middle column of the bar: dark at the top (10 m), bright at the bottom
        // (0 m).
        BufferedImage scale = Panels.depthScale(h, c);
        int barX = barColumn(scale);
        assertThat(barX).as("a column of colormap colours").isGreaterThanOrEqualTo(0);
        double topY = DepthColormapTest.luminance(rgb(scale, barX, 15));
        double bottomY = DepthColormapTest.luminance(rgb(scale, barX, h - 15));
        assertThat(topY).isLessThan(0.1);
        assertThat(bottomY).isGreaterThan(0.5);
        // Tick labels: dark text to the right of the bar.
        int dark = 0;
        for (int y = 0; y < h; y++) {
            for (int x = barX + 10; x < scale.getWidth(); x++) {
                if (DepthColormapTest.luminance(rgb(scale, x, y)) < 0.2) {
                    dark++;
                }
            }
        }
        assertThat(dark).as("text pixels of the labels").isGreaterThan(50);
    }

    @Test
    void legendListsThePresentClassesOnly() {
        BitSet present = Panels.classesPresent(new int[] {FLOOR, 255, FLOOR, 11});
        assertThat(present.stream().toArray()).containsExactly(FLOOR, 11);
        assertThat(Panels.classesPresent(new byte[] {(byte) 255, 2}).stream().toArray())
                .containsExactly(2);
        BufferedImage legend = Panels.legend(400, P, NAMES, present);
        assertThat(legend.getWidth()).isEqualTo(400);
        assertThat(count(legend, P.rgb(FLOOR))).as("floor square").isGreaterThan(20);
        assertThat(count(legend, P.rgb(11))).as("wall square").isGreaterThan(20);
        assertThat(count(legend, P.rgb(0))).as("no bed").isZero();

        BitSet all = new BitSet();
        all.set(0, 13);
        BufferedImage narrow = Panels.legend(150, P, NAMES, all);
        assertThat(narrow.getHeight()).as("wraps into rows").isGreaterThan(3 * legend.getHeight());
    }

    @Test
    void evaluationPanelPutsEachTileInPlace() {
        int w = 4;
        int h = 3;
        byte[] rgb = new byte[w * h * 3];
        rgb[3 * 5] = 17; // pixel (1, 1): (17, 34, 51)
        rgb[3 * 5 + 1] = 34;
        rgb[3 * 5 + 2] = 51;
        int[] semseg = new int[w * h];
        Arrays.fill(semseg, 11);
        semseg[2 * w + 3] = FLOOR; // pixel (3, 2)
        semseg[0] = 255;
        float[] depth = new float[w * h];
        Arrays.fill(depth, 2f);
        depth[1] = 6f;
        DenseSample sample = new DenseSample("tiny", h, w, rgb, semseg, depth);
        // The prediction at 2x2, shown at the sample's 4x3.
        byte[] predClasses = {0, FLOOR, 3, 12};
        float[] predDepth = {1f, 2f, 3f, 0f};
        FramePrediction pred = new FramePrediction(2, 2, predDepth, predClasses, new float[4]);
        DepthColormap c = DepthColormap.range(1, 6);

        BufferedImage panel = Panels.evaluationPanel(sample, pred, NAMES, c);

        int font = Panels.fontSize(h);
        int tileY = Panels.MARGIN + Panels.titleHeight(font);
        int scaleW = Panels.depthScale(h, c).getWidth();
        assertThat(panel.getWidth()).isEqualTo(Panels.tileX(5, w) + scaleW + Panels.MARGIN);
        assertThat(panel.getHeight()).isGreaterThan(tileY + h + Panels.GAP + Panels.MARGIN);

        // RGB tile.
        assertThat(rgb(panel, Panels.tileX(0, w) + 1, tileY + 1)).isEqualTo(0x112233);
        assertThat(rgb(panel, Panels.tileX(0, w), tileY)).isEqualTo(0x000000);
        // Ground-truth segmentation.
        int gt = Panels.tileX(1, w);
        assertThat(rgb(panel, gt + 3, tileY + 2)).as("floor pixel").isEqualTo(P.rgb(FLOOR));
        assertThat(rgb(panel, gt + 1, tileY + 1)).as("wall pixel").isEqualTo(P.rgb(11));
        assertThat(rgb(panel, gt, tileY)).as("ignore pixel").isEqualTo(0x000000);
        // Predicted segmentation, 2x2 resized to 4x3 by nearest: rows 0 -> 0, 1 -> 0 or 1, 2 -> 1.
        int pr = Panels.tileX(2, w);
        assertThat(rgb(panel, pr, tileY)).isEqualTo(P.rgb(0));
        assertThat(rgb(panel, pr + 1, tileY)).isEqualTo(P.rgb(0));
        assertThat(rgb(panel, pr + 2, tileY)).isEqualTo(P.rgb(FLOOR));
        assertThat(rgb(panel, pr + 3, tileY)).isEqualTo(P.rgb(FLOOR));
        assertThat(rgb(panel, pr, tileY + 2)).isEqualTo(P.rgb(3));
        assertThat(rgb(panel, pr + 3, tileY + 2)).isEqualTo(P.rgb(12));
        // Ground-truth depth and predicted depth, one colormap.
        int gd = Panels.tileX(3, w);
        assertThat(rgb(panel, gd + 2, tileY + 2)).isEqualTo(c.rgb(2f));
        assertThat(rgb(panel, gd + 1, tileY)).isEqualTo(c.rgb(6f));
        int pd = Panels.tileX(4, w);
        assertThat(rgb(panel, pd, tileY)).isEqualTo(c.rgb(1f));
        assertThat(rgb(panel, pd + 3, tileY)).isEqualTo(c.rgb(2f));
        assertThat(rgb(panel, pd + 3, tileY + 2)).as("invalid predicted depth").isEqualTo(0x000000);
        // Gaps between tiles are background.
        assertThat(rgb(panel, gt - 1, tileY + 1)).isEqualTo(0xFFFFFF);
        assertThat(rgb(panel, Panels.tileX(5, w) - 1, tileY + 1)).isEqualTo(0xFFFFFF);
        // The legend, below, shows classes of both segmentations.
        BufferedImage below =
                panel.getSubimage(0, tileY + h, panel.getWidth(), panel.getHeight() - tileY - h);
        for (int id : new int[] {0, 3, FLOOR, 11, 12}) {
            assertThat(count(below, P.rgb(id)))
                    .as("legend square of %s", NAMES.get(id))
                    .isPositive();
        }
        assertThat(count(below, P.rgb(1))).as("books are in neither").isZero();
    }

    @Test
    void missingGroundTruthGivesGreyTiles() {
        int w = 96;
        int h = 64;
        DenseSample sample = new DenseSample("unlabelled", h, w, new byte[w * h * 3], null, null);
        float[] d = new float[w * h];
        Arrays.fill(d, 2.5f);
        byte[] classes = new byte[w * h];
        FramePrediction pred = new FramePrediction(w, h, d, classes, new float[w * h]);

        BufferedImage panel = Panels.evaluationPanel(sample, pred, NAMES, null);

        int tileY = Panels.MARGIN + Panels.titleHeight(Panels.fontSize(h));
        assertThat(rgb(panel, Panels.tileX(1, w) + 1, tileY + 1)).isEqualTo(Panels.MISSING_RGB);
        assertThat(rgb(panel, Panels.tileX(3, w) + 1, tileY + 1)).isEqualTo(Panels.MISSING_RGB);
        assertThat(count(panel.getSubimage(Panels.tileX(1, w), tileY, w, h), Panels.MISSING_RGB))
                .as("grey with some text on it")
                .isLessThan(w * h)
                .isGreaterThan(w * h / 2);
        assertThat(rgb(panel, Panels.tileX(2, w) + 1, tileY + 1)).isEqualTo(P.rgb(0));
        // Auto range from the prediction alone: 2.5 m -> [2.5, 3], so 2.5 m is the bright end.
        assertThat(rgb(panel, Panels.tileX(4, w) + 1, tileY + 1)).isEqualTo(0xFDE725);
    }

    @Test
    void mosaicIsEvenSizedAndStableAcrossFrames() {
        for (int[] size : new int[][] {{5, 3}, {7, 5}, {6, 4}, {321, 241}}) {
            int w = size[0];
            int h = size[1];
            byte[] rgb = new byte[w * h * 3];
            Arrays.fill(rgb, (byte) 90);
            RgbFrame frame = new RgbFrame(w, h, rgb);
            byte[] classes = new byte[w * h];
            Arrays.fill(classes, (byte) FLOOR);
            float[] depth = new float[w * h];
            Arrays.fill(depth, 4f);
            FramePrediction pred = new FramePrediction(w, h, depth, classes, new float[w * h]);

            BufferedImage m = Panels.mosaic(frame, pred, NAMES, null);
            assertThat(m.getWidth() % 2).as("width of %dx%d", w, h).isZero();
            assertThat(m.getHeight() % 2).as("height of %dx%d", w, h).isZero();
            assertThat(m.getWidth()).isGreaterThan(3 * w);
            assertThat(m.getHeight()).isBetween(h, h + 1);
            assertThat(rgb(m, 0, 0)).isEqualTo(0x5A5A5A);
            // floor (222, 241, 24) half over (90, 90, 90): (156, 166, 57) (165.5 rounds up).
            assertThat(rgb(m, w + w / 2, h / 2)).isEqualTo(0x9CA639);
            assertThat(rgb(m, 2 * w + w - 1, h - 1)).isEqualTo(DepthColormap.DEFAULT.rgb(4f));

            // A frame with nothing in common (no segmentation, half-resolution depth) has the same
            // size.
            FramePrediction other = new FramePrediction(1, 1, new float[] {9f}, null, null);
            BufferedImage m2 = Panels.mosaic(frame, other, NAMES, null);
            assertThat(m2.getWidth()).isEqualTo(m.getWidth());
            assertThat(m2.getHeight()).isEqualTo(m.getHeight());
            assertThat(rgb(m2, w + w / 2, h / 2))
                    .as("no segmentation: plain frame")
                    .isEqualTo(0x5A5A5A);
            assertThat(rgb(m2, 2 * w, 0)).isEqualTo(DepthColormap.DEFAULT.rgb(9f));
        }
    }

    @Test
    void pngIsWrittenAndReadsBackExactly(@TempDir Path dir) throws IOException {
        BufferedImage img = Panels.segmentation(3, 2, new int[] {0, 1, 2, 3, FLOOR, 255}, P);
        Path file = dir.resolve("a/b/seg.png");
        Panels.writePng(img, file);
        Panels.writePng(img, file); // overwrites
        BufferedImage back = ImageIO.read(file.toFile());
        assertThat(back).isNotNull();
        assertThat(back.getWidth()).isEqualTo(3);
        assertThat(back.getHeight()).isEqualTo(2);
        assertThat(pixels(back)).isEqualTo(pixels(img));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    static int[] pixels(BufferedImage img) {
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xffffff;
        }
        return px;
    }

    static int count(BufferedImage img, int color) {
        int n = 0;
        for (int p : pixels(img)) {
            if (p == color) {
                n++;
            }
        }
        return n;
    }

    /** A column of the scale whose pixels are all colormap colours (viridis has no grey). */
    private static int barColumn(BufferedImage scale) {
        int h = scale.getHeight();
        for (int x = 0; x < scale.getWidth(); x++) {
            int top = rgb(scale, x, 15);
            int bottom = rgb(scale, x, h - 15);
            if (top != bottom && isViridis(top) && isViridis(bottom)) {
                return x;
            }
        }
        return -1;
    }

    /** Whether {@code rgb} is a colour of the map, up to 8-bit rounding. */
    private static boolean isViridis(int rgb) {
        for (int i = 0; i <= 4096; i++) {
            int v = DepthColormap.viridis(i / 4096.0);
            if (Math.abs(((v >> 16) & 0xff) - ((rgb >> 16) & 0xff)) <= 1
                    && Math.abs(((v >> 8) & 0xff) - ((rgb >> 8) & 0xff)) <= 1
                    && Math.abs((v & 0xff) - (rgb & 0xff)) <= 1) {
                return true;
            }
        }
        return false;
    }
}
