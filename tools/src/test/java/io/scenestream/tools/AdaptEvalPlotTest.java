package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * adapt-eval's plot draws what it is given: read back, a rising curve rises and a flat one stays
 * flat.
 */
class AdaptEvalPlotTest {

    @Test
    void curvesAreDrawnWhereTheirValuesAre(@TempDir Path dir) throws Exception {
        List<Double> x = new ArrayList<>();
        List<Double> rising = new ArrayList<>();
        List<Double> flat = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            x.add(i * 100.0);
            rising.add(10.0 + 5 * i);
            flat.add(35.0);
        }
        Color up = AdaptEval.CURVE_COLORS[0];
        Color level = AdaptEval.CURVE_COLORS[1];
        Path png = dir.resolve("plot.png");
        AdaptEval.plot(
                "Segmentation",
                "mIoU (%)",
                List.of(
                        new AdaptEval.Curve("adapting student", x, rising, up, false),
                        new AdaptEval.Curve("frozen student", x, flat, level, false)),
                "Depth",
                "RMSE (m)",
                List.of(new AdaptEval.Curve("adapting student", x, flat, up, false)),
                png);

        BufferedImage img = ImageIO.read(png.toFile());
        // The two charts one above the other.
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(720);
        // Upper chart: the rising curve's pixels stand higher (smaller rows) on the right than on
        // the left.
        double[] upRows = meanRows(img, up, 0, 360);
        assertThat(upRows[0]).as("rising curve drawn on the left third").isPositive();
        assertThat(upRows[1]).as("rising curve drawn on the right third").isPositive();
        assertThat(upRows[1])
                .as("rising curve: rows on the right above those on the left")
                .isLessThan(upRows[0] - 50);
        double[] levelRows = meanRows(img, level, 0, 360);
        assertThat(Math.abs(levelRows[1] - levelRows[0]))
                .as("flat curve stays level")
                .isLessThan(5);
        // At 35% the flat curve sits between the rising one's ends (10% and 60%).
        assertThat(levelRows[0]).isBetween(upRows[1], upRows[0]);
        // Lower chart: only its own curve.
        assertThat(meanRows(img, up, 360, 720)[0]).isPositive();
        assertThat(meanRows(img, level, 360, 720)[0])
                .as("no frozen-student curve on the depth chart")
                .isZero();
    }

    /**
     * Mean row of the pixels of {@code c} (within 12 per channel) among the rows {@code
     * top..bottom}, in the left and the right third of the columns; 0 where there are none.
     */
    private static double[] meanRows(BufferedImage img, Color c, int top, int bottom) {
        double[] sum = new double[2];
        int[] n = new int[2];
        int third = img.getWidth() / 3;
        for (int y = top; y < bottom; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int side = x < third ? 0 : x >= img.getWidth() - third ? 1 : -1;
                if (side < 0) {
                    continue;
                }
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) <= 12
                        && Math.abs(p.getGreen() - c.getGreen()) <= 12
                        && Math.abs(p.getBlue() - c.getBlue()) <= 12) {
                    sum[side] += y;
                    n[side]++;
                }
            }
        }
        return new double[] {n[0] == 0 ? 0 : sum[0] / n[0], n[1] == 0 ? 0 : sum[1] / n[1]};
    }
}
