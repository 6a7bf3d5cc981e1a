package io.scenestream.frames.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scenestream.frames.DenseSample;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhotometricAugmentationTest {

    private static DenseSample gradient(int h, int w) {
        byte[] rgb = new byte[h * w * 3];
        int[] sem = new int[h * w];
        float[] depth = new float[h * w];
        for (int i = 0; i < h * w; i++) {
            rgb[3 * i] = (byte) (i * 7);
            rgb[3 * i + 1] = (byte) (i * 3);
            rgb[3 * i + 2] = (byte) (255 - i);
            sem[i] = i % 13;
            depth[i] = 1 + i * 0.01f;
        }
        return new DenseSample("g", h, w, rgb, sem, depth);
    }

    @Test
    void changesAppearanceOnlyAndIsReproducible() {
        DenseSample s = gradient(32, 64);
        Augmentation a = new Augmentation(List.of(1.0), false, PhotometricAugmentation.standard());
        int changed = 0;
        for (long seed = 0; seed < 20; seed++) {
            DenseSample x = a.apply(s, new SplittableRandom(seed), 32, 64);
            DenseSample y = a.apply(s, new SplittableRandom(seed), 32, 64);
            assertArrayEquals(x.rgb(), y.rgb(), "same draw, same frame");
            assertArrayEquals(s.semseg(), x.semseg(), "labels are geometry");
            assertArrayEquals(s.depth(), x.depth(), "depth is geometry");
            if (!Arrays.equals(s.rgb(), x.rgb())) {
                changed++;
            }
        }
        // Probability 0.8: of 20 draws, almost surely between 8 and 20 changed.
        assertTrue(changed >= 8, "frames changed: " + changed);
    }

    @Test
    void exposureMovesBrightnessBothWays() {
        byte[] grey = new byte[3 * 1000];
        Arrays.fill(grey, (byte) 110);
        PhotometricAugmentation exposureOnly = new PhotometricAugmentation(1, 2, 0, 0, 0, 0);
        boolean darker = false;
        boolean brighter = false;
        for (long seed = 0; seed < 40; seed++) {
            int v = exposureOnly.apply(grey, new SplittableRandom(seed))[0] & 0xFF;
            darker |= v < 90;
            brighter |= v > 130;
        }
        assertTrue(darker && brighter);
    }

    @Test
    void probabilityZeroIsIdentityAndBadSettingsAreRefused() {
        byte[] rgb = gradient(4, 4).rgb();
        assertSame(
                rgb,
                new PhotometricAugmentation(0, 2, 0.4, 0.5, 0.4, 0.05)
                        .apply(rgb, new SplittableRandom(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PhotometricAugmentation(1.5, 1, 0, 0, 0, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PhotometricAugmentation(1, -1, 0, 0, 0, 0));
        assertFalse(
                Arrays.equals(
                        rgb,
                        new PhotometricAugmentation(1, 0, 0, 0, 0, 0.2)
                                .apply(rgb, new SplittableRandom(3))));
    }
}
