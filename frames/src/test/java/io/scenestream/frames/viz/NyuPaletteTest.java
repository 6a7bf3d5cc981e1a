package io.scenestream.frames.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.NyudDataset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NyuPaletteTest {

    @Test
    void thirteenClassesInDatasetOrderWithTheirColours() {
        NyuPalette p = NyuPalette.NYU13;
        assertThat(p.size()).isEqualTo(13);
        assertThat(p.classNames()).isEqualTo(NyudDataset.CLASSES_13);
        assertThat(p.rgb(0)).as("bed is (0, 0, 1) blue").isEqualTo(0x0000FF);
        assertThat(p.rgb(4)).as("floor").isEqualTo(0xDEF118);
        assertThat(p.rgb(11)).as("wall").isEqualTo(0xF98B00);
    }

    @Test
    void fortyClassesWithTheirColours() {
        NyuPalette p = NyuPalette.NYU40;
        assertThat(p.size()).isEqualTo(40);
        assertThat(p.classNames())
                .hasSize(40)
                .startsWith("wall", "floor", "cabinet")
                .endsWith("otherprop");
        assertThat(p.classNames()).doesNotHaveDuplicates();
        assertThat(p.rgb(0)).as("wall").isEqualTo(0xAEC7E8);
        assertThat(p.rgb(39)).as("otherprop").isEqualTo(0x645590);
    }

    @Test
    void everyClassHasItsOwnColourAndNoneIsBlack() {
        assertDistinct(NyuPalette.NYU13, 30);
        // The NYU40 palette has one close pair (bookshelf / night stand, 9.6 apart), still visibly
        // different.
        assertDistinct(NyuPalette.NYU40, 8);
    }

    private static void assertDistinct(NyuPalette p, double minDistance) {
        Set<Integer> seen = new HashSet<>();
        for (int a = 0; a < p.size(); a++) {
            int ca = p.rgb(a);
            assertThat(seen.add(ca)).as("%s class %d colour %06x is unique", p, a, ca).isTrue();
            assertThat(ca)
                    .as("%s class %d is not the ignore black", p, a)
                    .isNotEqualTo(NyuPalette.IGNORE_RGB);
            assertThat(ca & ~0xffffff).as("no alpha bits").isZero();
            for (int b = 0; b < a; b++) {
                assertThat(distance(ca, p.rgb(b)))
                        .as("%s classes %d and %d", p, a, b)
                        .isGreaterThanOrEqualTo(minDistance);
            }
        }
    }

    @Test
    void ignoreIsBlack() {
        assertThat(NyuPalette.IGNORE).isEqualTo(DenseSample.IGNORE).isEqualTo(255);
        assertThat(NyuPalette.NYU13.rgb(255)).isEqualTo(0x000000);
        assertThat(NyuPalette.NYU40.rgb(255)).isEqualTo(0x000000);
        assertThat(NyuPalette.NYU13.color(255).getRGB() & 0xffffff).isZero();
    }

    @Test
    void idsOutsideThePaletteAreErrors() {
        assertThatThrownBy(() -> NyuPalette.NYU13.rgb(13))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("13");
        assertThatThrownBy(() -> NyuPalette.NYU13.rgb(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NyuPalette.NYU40.rgb(40))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NyuPalette.NYU40.rgb(254))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paletteByClassCount() {
        assertThat(NyuPalette.forClassCount(13)).isSameAs(NyuPalette.NYU13);
        assertThat(NyuPalette.forClassCount(40)).isSameAs(NyuPalette.NYU40);
        assertThatThrownBy(() -> NyuPalette.forClassCount(21))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("21");
    }

    static double distance(int a, int b) {
        double dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
        double dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
        double db = (a & 0xff) - (b & 0xff);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
