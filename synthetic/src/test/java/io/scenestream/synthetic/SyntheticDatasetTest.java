package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.DenseSample;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The finite dataset: reproducible samples from many rooms, with plausible class statistics. */
class SyntheticDatasetTest {

    @Test
    void samplesAreReproducibleAndAHeldOutSeedDiffers() {
        SyntheticDataset train = new SyntheticDataset(1, 6, 48, 64, Domain.named("day"), 3, 10);
        SyntheticDataset again = new SyntheticDataset(1, 6, 48, 64, Domain.named("day"), 3, 10);
        SyntheticDataset heldOut = new SyntheticDataset(2, 6, 48, 64, Domain.named("day"), 3, 10);
        assertThat(train.size()).isEqualTo(6);
        for (int i = 5; i >= 0; i--) {
            DenseSample a = train.get(i);
            DenseSample b = again.get(i);
            assertThat(a.rgb()).isEqualTo(b.rgb());
            assertThat(a.depth()).isEqualTo(b.depth());
            assertThat(Arrays.equals(a.depth(), heldOut.get(i).depth())).isFalse();
        }
        assertThat(train.get(0).id()).isEqualTo("synthetic-1-r0-f0");
        assertThat(train.get(4).id()).isEqualTo("synthetic-1-r1-f10");
        List<DenseSample> eager = SyntheticDataset.frames(1, 2, 48, 64, Domain.named("day"));
        assertThat(eager).hasSize(2);
        assertThat(train.asList()).hasSize(6);
    }

    @Test
    void classesAppearInPlausibleShares() {
        // 64 frames from 32 rooms.
        SyntheticDataset ds = new SyntheticDataset(2024, 64, 60, 80, Domain.named("day"), 2, 45);
        long[] counts = new long[SyntheticClasses.COUNT];
        long total = 0;
        for (int i = 0; i < ds.size(); i++) {
            for (int c : ds.get(i).semseg()) {
                counts[c]++;
                total++;
            }
        }
        double[] share = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            share[c] = counts[c] / (double) total;
        }
        String report = Arrays.toString(share);
        assertThat(share[SyntheticClasses.WALL]).as(report).isGreaterThan(0.2);
        assertThat(share[SyntheticClasses.FLOOR]).as(report).isGreaterThan(0.08);
        assertThat(share[SyntheticClasses.WALL])
                .as("wall is the largest class " + report)
                .isEqualTo(Arrays.stream(share).max().orElseThrow());
        assertThat(share[SyntheticClasses.CEILING]).as(report).isGreaterThan(0.01);
        assertThat(share[SyntheticClasses.FURNITURE]).as(report).isGreaterThan(0.03);
        assertThat(share[SyntheticClasses.WINDOW]).as(report).isGreaterThan(0.01);
        assertThat(share[SyntheticClasses.PICTURE]).as(report).isGreaterThan(0.003);
        for (int c = 0; c < share.length; c++) {
            assertThat(counts[c])
                    .as("class %s appears: %s", SyntheticClasses.names().get(c), report)
                    .isPositive();
        }
    }
}
