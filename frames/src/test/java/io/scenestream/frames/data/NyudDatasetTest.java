package io.scenestream.frames.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NyudDatasetTest {

    private static final Path NYUD = SharedData.path("data/nyud-mini");

    @Test
    void readsTheReferenceLayoutWithVoidIgnoredAndClassesZeroBased() throws IOException {
        NyudDataset nyud = new NyudDataset(NYUD, 13, "val");
        assertThat(nyud.ids()).hasSize(27).startsWith("0001", "0002", "0009");
        DenseSample s = nyud.read("0001");
        assertThat(s.height()).isEqualTo(480);
        assertThat(s.width()).isEqualTo(640);
        BufferedImage raw = ImageIO.read(NYUD.resolve("segmentation13/0001.png").toFile());
        int[] rawLabels = raw.getRaster().getSamples(0, 0, 640, 480, 0, (int[]) null);
        for (int i = 0; i < rawLabels.length; i += 97) {
            int expected = rawLabels[i] == 0 ? DenseSample.IGNORE : rawLabels[i] - 1;
            assertThat(s.semseg()[i]).as("pixel %d", i).isEqualTo(expected);
        }
        Set<Integer> classes = new HashSet<>();
        for (int v : s.semseg()) {
            classes.add(v);
        }
        assertThat(classes)
                .allMatch(c -> c == DenseSample.IGNORE || (c >= 0 && c < 13))
                .hasSizeGreaterThan(3);
        // Indoor depth in metres, hole-filled.
        double mean = 0;
        for (float d : s.depth()) {
            assertThat(d).isBetween(0.1f, 12f);
            mean += d;
        }
        assertThat(mean / s.depth().length).isBetween(1.0, 6.0);
        assertThat(Arrays.stream(new NyudDataset(NYUD, 40, "val").read("0001").semseg()).boxed())
                .allMatch(c -> c == 255 || c < 40);
    }

    /**
     * Three folds of the 27 frames: each fold's test part is every third frame, its train part the
     * rest; the test parts together are every frame once.
     */
    @Test
    void foldsSplitTheFramesIntoDisjointTestParts() throws IOException {
        NyudDataset nyud = new NyudDataset(NYUD, 13, "val");
        List<String> tested = new java.util.ArrayList<>();
        for (int f = 1; f <= 3; f++) {
            NyudDataset test = nyud.fold(3, f, true);
            NyudDataset train = nyud.fold(3, f, false);
            assertThat(test.ids()).hasSize(9);
            assertThat(train.ids()).hasSize(18).doesNotContainAnyElementsOf(test.ids());
            assertThat(test.ids().get(0)).isEqualTo(nyud.ids().get(f - 1));
            tested.addAll(test.ids());
        }
        assertThat(tested).containsExactlyInAnyOrderElementsOf(nyud.ids());
        assertThatThrownBy(() -> nyud.fold(3, 4, true))
                .hasMessageContaining("fold must be in [1, 3]");
        assertThatThrownBy(() -> nyud.fold(1, 1, true)).hasMessageContaining("folds must be in");
    }

    @Test
    void aMissingFileOrMismatchedLabelsNameTheSample(@TempDir Path dir) throws IOException {
        copy(NYUD, dir);
        Files.delete(dir.resolve("depth/0002.npy"));
        NyudDataset nyud = new NyudDataset(dir, 13, "val");
        assertThatThrownBy(() -> nyud.read("0002"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sample 0002")
                .hasMessageContaining("depth/0002.npy");
        ImageIO.write(
                new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY),
                "png",
                dir.resolve("segmentation13/0009.png").toFile());
        assertThatThrownBy(() -> nyud.read("0009"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sample 0009")
                .hasMessageContaining("240x320")
                .hasMessageContaining("480x640");
        assertThatThrownBy(() -> new NyudDataset(dir, 13, "train"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("train.txt");
    }

    @Test
    void augmentationMovesLabelsWithPixelsAndIsDeterministic() throws IOException {
        DenseSample s = new NyudDataset(NYUD, 13, "val").read("0001");
        DenseSample flipped = Augmentation.flipHorizontally(s);
        assertThat(flipped.semseg()[5 * 640 + 10]).isEqualTo(s.semseg()[5 * 640 + 629]);
        assertThat(flipped.depth()[5 * 640 + 10]).isEqualTo(s.depth()[5 * 640 + 629]);
        assertThat(Augmentation.flipHorizontally(flipped).rgb()).isEqualTo(s.rgb());

        DenseSample zoomed = Augmentation.zoom(s, 1.5);
        assertThat(zoomed.height()).isEqualTo(480);
        // The centre stays the centre; labels are copied, never interpolated.
        assertThat(zoomed.semseg()[240 * 640 + 320]).isEqualTo(s.semseg()[240 * 640 + 320]);
        Set<Integer> original = new HashSet<>();
        for (int v : s.semseg()) {
            original.add(v);
        }
        for (int v : zoomed.semseg()) {
            assertThat(original).contains(v);
        }

        DenseSample fit = Augmentation.fitCrop(s, 256, 320);
        assertThat(fit.height()).isEqualTo(256);
        assertThat(fit.width()).isEqualTo(320);

        Augmentation aug = Augmentation.reference();
        DenseSample a = aug.apply(s, new SplittableRandom(3), 256, 320);
        DenseSample b = aug.apply(s, new SplittableRandom(3), 256, 320);
        assertThat(a.rgb()).isEqualTo(b.rgb());
        assertThat(a.semseg()).isEqualTo(b.semseg());
        List<byte[]> variants =
                Stream.iterate(1L, x -> x + 1)
                        .limit(8)
                        .map(seed -> aug.apply(s, new SplittableRandom(seed), 64, 96).rgb())
                        .toList();
        assertThat(variants.stream().map(Arrays::hashCode).distinct().count()).isGreaterThan(2);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                    target.toFile().setWritable(true);
                }
            }
        }
    }
}
