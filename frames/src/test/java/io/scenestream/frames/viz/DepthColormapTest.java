package io.scenestream.frames.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DepthColormapTest {

    @Test
    void nearIsBrightYellowFarIsDarkPurpleAndOutsideIsClamped() {
        DepthColormap c = DepthColormap.range(1, 5);
        assertThat(c.rgb(1f)).isEqualTo(0xFDE725);
        assertThat(c.rgb(5f)).isEqualTo(0x440154);
        assertThat(c.rgb(0.2f)).isEqualTo(0xFDE725);
        assertThat(c.rgb(80f)).isEqualTo(0x440154);
        assertThat(c.rgb(3f))
                .as("the middle of viridis is teal-green")
                .satisfies(rgb -> assertThat((rgb >> 8) & 0xff).isGreaterThan((rgb >> 16) & 0xff));
    }

    @Test
    void invalidDepthIsBlackAndNoValidDepthIs() {
        DepthColormap c = DepthColormap.DEFAULT;
        assertThat(c.min()).isEqualTo(0);
        assertThat(c.max()).isEqualTo(10);
        for (float bad :
                new float[] {
                    0f, -0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
                }) {
            assertThat(c.rgb(bad))
                    .as("depth %s", bad)
                    .isEqualTo(DepthColormap.INVALID_RGB)
                    .isZero();
        }
        assertThat(luminance(c.rgb(1e-6f))).isGreaterThan(0.5);
        assertThat(luminance(c.rgb(10f))).isGreaterThan(0.01);
    }

    @Test
    void lightnessFallsMonotonicallyWithDistance() {
        DepthColormap c = DepthColormap.range(0.5, 8);
        double previous = Double.POSITIVE_INFINITY;
        int steps = 2000;
        for (int i = 0; i <= steps; i++) {
            double l = lightness(c.rgb((float) (0.5 + 7.5 * i / steps)));
            // 8-bit rounding may wobble by a fraction of a just-noticeable difference (about 1 L*);
            // never more.
            assertThat(l).as("step %d", i).isLessThanOrEqualTo(previous + 0.25);
            previous = Math.min(previous, l);
        }
        for (int k = 0; k < 30; k++) {
            double near = 0.5 + 0.25 * k;
            assertThat(lightness(c.rgb((float) (near + 0.25))))
                    .as("%s m", near)
                    .isLessThan(lightness(c.rgb((float) near)) - 1.0);
        }
        assertThat(lightness(c.rgb(0.5f)) - lightness(c.rgb(8f))).as("L* span").isGreaterThan(70);
        assertThat(DepthColormap.viridis(0)).isEqualTo(0x440154);
        assertThat(DepthColormap.viridis(1)).isEqualTo(0xFDE725);
        assertThat(DepthColormap.viridis(Double.NaN)).isEqualTo(0x440154);
    }

    @Test
    void ticksAreRoundMetresInsideTheRange() {
        assertThat(DepthColormap.range(0, 10).ticks(6))
                .containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0);
        assertThat(DepthColormap.range(0, 10).ticks(11))
                .containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        assertThat(DepthColormap.range(0, 10).ticks(2)).containsExactly(0.0, 10.0);
        assertThat(DepthColormap.range(1.5, 4).ticks(6))
                .containsExactly(1.5, 2.0, 2.5, 3.0, 3.5, 4.0);
        assertThat(DepthColormap.range(0.3, 0.9).ticks(4)).containsExactly(0.4, 0.6, 0.8);
        assertThat(DepthColormap.range(0, 10).ticks(0)).isEmpty();
    }

    @Test
    void labelsReadAsMetres() {
        assertThat(DepthColormap.label(0)).isEqualTo("0 m");
        assertThat(DepthColormap.label(2)).isEqualTo("2 m");
        assertThat(DepthColormap.label(2.5)).isEqualTo("2.5 m");
        assertThat(DepthColormap.label(0.1 + 0.2)).isEqualTo("0.3 m");
        assertThat(DepthColormap.label(10)).isEqualTo("10 m");
        assertThat(DepthColormap.label(0.25)).isEqualTo("0.25 m");
    }

    @Test
    void autoRangeSpansThePercentilesOfValidDepth() {
        float[] d = new float[1000];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1.2f + 2.6f * i / (d.length - 1); // 1.2 .. 3.8 m
        }
        d[0] = 0; // invalid, ignored
        d[1] = Float.NaN;
        d[2] = 0.01f; // outliers below the 2nd percentile and above the 98th
        d[999] = 40f;
        DepthColormap c = DepthColormap.auto(d, null);
        assertThat(c.min()).isEqualTo(1.0);
        assertThat(c.max()).isEqualTo(4.0);

        DepthColormap flat = DepthColormap.auto(new float[] {2f, 2f, 2f});
        assertThat(flat.min()).isEqualTo(2.0);
        assertThat(flat.max()).isEqualTo(2.5);
        assertThat(DepthColormap.auto(new float[] {0f, Float.NaN})).isSameAs(DepthColormap.DEFAULT);
        assertThat(DepthColormap.auto()).isSameAs(DepthColormap.DEFAULT);
    }

    @Test
    void brightnessIsThePositionInTheRange() {
        DepthColormap c = DepthColormap.range(2, 6);
        assertThat(c.brightness(2)).isEqualTo(1.0);
        assertThat(c.brightness(4)).isCloseTo(0.5, within(1e-12));
        assertThat(c.brightness(6)).isEqualTo(0.0);
        assertThat(c.brightness(9)).isEqualTo(0.0);
    }

    @Test
    void badRangesAreRejected() {
        assertThatThrownBy(() -> DepthColormap.range(3, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DepthColormap.range(5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DepthColormap.range(-1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DepthColormap.range(0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Relative luminance of an sRGB colour, 0 (black) to 1 (white). */
    static double luminance(int rgb) {
        return 0.2126 * linear(rgb >> 16) + 0.7152 * linear(rgb >> 8) + 0.0722 * linear(rgb);
    }

    /** CIE L* (perceptual lightness, 0 to 100) of an sRGB colour. */
    static double lightness(int rgb) {
        double y = luminance(rgb);
        return y > 216.0 / 24389 ? 116 * Math.cbrt(y) - 16 : y * 24389.0 / 27;
    }

    private static double linear(int channel) {
        double c = (channel & 0xff) / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
