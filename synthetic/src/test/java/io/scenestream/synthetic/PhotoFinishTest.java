package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import org.junit.jupiter.api.Test;

/** The photo look: darker, contrastier frames, labels kept, a pure function of the key. */
class PhotoFinishTest {

    private static final SyntheticDataset FRAMES =
            new SyntheticDataset(
                    424242, 16, 64, 80, Domain.named("day"), 2, 12, SyntheticWorld.DEFAULT);

    @Test
    void keepsLabelsAndDepthAndIsAPureFunctionOfTheKey() {
        DenseSample rendered = FRAMES.get(0);
        DenseSample a = Look.PHOTO.finish(rendered, 5);
        DenseSample b = Look.PHOTO.finish(rendered, 5);
        DenseSample c = Look.PHOTO.finish(rendered, 6);
        assertThat(a.rgb()).isEqualTo(b.rgb()).isNotEqualTo(rendered.rgb());
        assertThat(c.rgb()).isNotEqualTo(a.rgb());
        assertThat(a.semseg()).isEqualTo(rendered.semseg());
        assertThat(a.depth()).isEqualTo(rendered.depth());
        assertThat(a.id()).isEqualTo(rendered.id());
        assertThat(Look.RENDERED.finish(rendered, 5)).isSameAs(rendered);
    }

    @Test
    void framesComeOutDarkerWithMoreContrastOnAverage() {
        double[] before = new double[2];
        double[] after = new double[2];
        for (int i = 0; i < FRAMES.size(); i++) {
            DenseSample s = FRAMES.get(i);
            add(before, s.rgb());
            add(after, Look.PHOTO.finish(s, 1000 + i).rgb());
        }
        assertThat(after[0]).as("mean luminance").isLessThan(before[0] * 0.95);
        assertThat(after[1]).as("RMS contrast").isGreaterThan(before[1] * 1.05);
    }

    /** Adds a frame's mean luminance and its standard deviation. */
    private static void add(double[] acc, byte[] rgb) {
        int n = rgb.length / 3;
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double y =
                    0.299 * (rgb[3 * i] & 0xff)
                            + 0.587 * (rgb[3 * i + 1] & 0xff)
                            + 0.114 * (rgb[3 * i + 2] & 0xff);
            sum += y;
            sq += y * y;
        }
        double mean = sum / n;
        acc[0] += mean;
        acc[1] += Math.sqrt(sq / n - mean * mean);
    }

    @Test
    void blurKeepsAFlatImageAndSpreadsAPointBySigma() {
        int h = 21;
        int w = 21;
        double[] flat = new double[h * w * 3];
        java.util.Arrays.fill(flat, 0.4);
        for (double v : PhotoFinish.blur(flat, h, w, 1.3)) {
            assertThat(v).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        }
        double[] point = new double[h * w * 3];
        point[(10 * w + 10) * 3 + 1] = 1;
        double[] out = PhotoFinish.blur(point, h, w, 1.0);
        double mass = 0;
        double varX = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = out[(y * w + x) * 3 + 1];
                mass += v;
                varX += v * (x - 10) * (x - 10);
                assertThat(out[(y * w + x) * 3]).isZero();
            }
        }
        assertThat(mass).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
        // A Gaussian truncated at 2.5 sigma: variance a little under sigma^2.
        assertThat(varX).isBetween(0.85, 1.0);
    }

    @Test
    void jpegLosesMoreAtLowerQuality() {
        DenseSample s = FRAMES.get(3);
        byte[] fine = PhotoFinish.jpeg(s.rgb(), s.height(), s.width(), 0.95f);
        byte[] coarse = PhotoFinish.jpeg(s.rgb(), s.height(), s.width(), 0.3f);
        assertThat(meanAbsDiff(fine, s.rgb())).isBetween(0.1, 6.0);
        assertThat(meanAbsDiff(coarse, s.rgb())).isGreaterThan(meanAbsDiff(fine, s.rgb()) * 1.5);
        // Channels come back in their order: a flat colour stays that colour.
        byte[] flat = new byte[16 * 16 * 3];
        for (int i = 0; i < flat.length; i += 3) {
            flat[i] = (byte) 200;
            flat[i + 1] = 40;
            flat[i + 2] = 90;
        }
        byte[] back = PhotoFinish.jpeg(flat, 16, 16, 0.9f);
        assertThat(back[0] & 0xff).isBetween(196, 204);
        assertThat(back[1] & 0xff).isBetween(36, 44);
        assertThat(back[2] & 0xff).isBetween(86, 94);
    }

    private static double meanAbsDiff(byte[] a, byte[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return d / a.length;
    }

    @Test
    void looksAndRoomsAreNamedAndUnknownNamesListTheKnown() {
        assertThat(Look.named("Photo")).isEqualTo(Look.PHOTO);
        assertThat(Furnishing.named("lived-in")).isEqualTo(Furnishing.LIVED_IN);
        assertThatThrownBy(() -> Look.named("film")).hasMessageContaining("[rendered, photo]");
        assertThatThrownBy(() -> Furnishing.named("tidy"))
                .hasMessageContaining("[sparse, lived-in]");
        assertThat(SyntheticWorld.NYU.describeChanges())
                .isEqualTo(", camera handheld, rooms lived-in, look photo");
        assertThat(SyntheticWorld.DEFAULT.describeChanges()).isEmpty();
    }
}
