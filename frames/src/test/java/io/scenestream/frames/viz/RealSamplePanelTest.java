package io.scenestream.frames.viz;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Draws NYUD sample 0001 with its own labels as the "prediction", so ground truth and prediction
 * tiles must match pixel for pixel. The PNGs go to {@code -Dscenestream.viz.out=DIR} (default
 * {@code target/viz}) for a person to look at.
 */
class RealSamplePanelTest {

    private static final Path OUT =
            Path.of(System.getProperty("scenestream.viz.out", "target/viz"));

    @Test
    void panelOfARealSampleWithItsLabelsAsPrediction() throws IOException {
        DenseSample sample =
                new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val").read("0001");
        FramePrediction pred = asPrediction(sample);
        int w = sample.width();
        int h = sample.height();

        BufferedImage panel = Panels.evaluationPanel(sample, pred, NyudDataset.CLASSES_13, null);
        Path file = OUT.resolve("panel-0001.png");
        Panels.writePng(panel, file);

        int tileY = Panels.MARGIN + Panels.titleHeight(Panels.fontSize(h));
        assertThat(tile(panel, 2, w, h, tileY))
                .as("predicted = ground-truth segmentation")
                .isEqualTo(tile(panel, 1, w, h, tileY));
        assertThat(tile(panel, 4, w, h, tileY))
                .as("predicted = ground-truth depth")
                .isEqualTo(tile(panel, 3, w, h, tileY));
        assertThat(tile(panel, 1, w, h, tileY))
                .isEqualTo(
                        PanelsTest.pixels(
                                Panels.segmentation(w, h, sample.semseg(), NyuPalette.NYU13)));
        BufferedImage back = ImageIO.read(file.toFile());
        assertThat(back.getWidth()).isEqualTo(panel.getWidth());
        assertThat(back.getHeight()).isEqualTo(panel.getHeight());
    }

    @Test
    void panelOfAnUnlabelledSampleWithALowerResolutionPrediction() throws IOException {
        DenseSample sample =
                new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val").read("0001");
        DenseSample unlabelled = sample.withoutSemseg().withoutDepth();
        FramePrediction pred = asPrediction(sample.resize(sample.height() / 4, sample.width() / 4));
        int w = sample.width();
        int h = sample.height();

        BufferedImage panel =
                Panels.evaluationPanel(
                        unlabelled, pred, NyudDataset.CLASSES_13, DepthColormap.range(0, 5));
        Panels.writePng(panel, OUT.resolve("panel-0001-unlabelled.png"));

        int tileY = Panels.MARGIN + Panels.titleHeight(Panels.fontSize(h));
        for (int i : new int[] {1, 3}) {
            int[] tile = tile(panel, i, w, h, tileY);
            long grey = Arrays.stream(tile).filter(p -> p == Panels.MISSING_RGB).count();
            assertThat(grey)
                    .as("tile %d is grey with a note", i)
                    .isGreaterThan(tile.length * 9L / 10)
                    .isLessThan(tile.length);
        }
        assertThat(tile(panel, 2, w, h, tileY))
                .as("predicted segmentation, upscaled")
                .isEqualTo(
                        PanelsTest.pixels(
                                Panels.segmentation(
                                        w,
                                        h,
                                        Resize.nearest(
                                                sample.resize(h / 4, w / 4).semseg(),
                                                h / 4,
                                                w / 4,
                                                h,
                                                w),
                                        NyuPalette.NYU13)));
    }

    @Test
    void mosaicOfARealSampleWithAHalfResolutionPrediction() throws IOException {
        DenseSample sample =
                new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val").read("0001");
        DenseSample half = sample.resize(sample.height() / 2, sample.width() / 2);
        RgbFrame frame = new RgbFrame(sample.width(), sample.height(), sample.rgb());

        BufferedImage mosaic =
                Panels.mosaic(
                        frame,
                        asPrediction(half),
                        NyudDataset.CLASSES_13,
                        DepthColormap.range(0, 5));
        Panels.writePng(mosaic, OUT.resolve("mosaic-0001.png"));

        assertThat(mosaic.getWidth() % 2).isZero();
        assertThat(mosaic.getHeight()).isEqualTo(sample.height() + sample.height() % 2);
        assertThat(mosaic.getWidth()).isGreaterThan(3 * sample.width());
    }

    /**
     * A prediction that is the sample's labels: classes (255 stays unlabelled) and depth,
     * confidence 1.
     */
    static FramePrediction asPrediction(DenseSample s) {
        byte[] classes = new byte[s.semseg().length];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (byte) s.semseg()[i];
        }
        float[] confidence = new float[classes.length];
        Arrays.fill(confidence, 1f);
        return new FramePrediction(s.width(), s.height(), s.depth().clone(), classes, confidence);
    }

    private static int[] tile(BufferedImage panel, int i, int w, int h, int tileY) {
        return PanelsTest.pixels(panel.getSubimage(Panels.tileX(i, w), tileY, w, h));
    }
}
