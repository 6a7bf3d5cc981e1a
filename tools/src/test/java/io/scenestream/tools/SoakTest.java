package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The soak's growth estimate: a steady level with swings reads as flat, a steady rise as its rate.
 */
class SoakTest {

    @Test
    void swingsAroundALevelAreNotGrowthButARiseIs() {
        List<Soak.Sample> flat = new ArrayList<>();
        List<Soak.Sample> rising = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long frames = 100L * i;
            // A training round every 10 samples lifts resident memory by 900 MB for two samples.
            double swing = i % 10 < 2 ? 900 : 0;
            flat.add(new Soak.Sample(i, frames, 500, 100, 3000 + swing));
            rising.add(new Soak.Sample(i, frames, 500, 100, 3000 + swing + 0.05 * frames));
        }
        assertThat(Soak.robustSlopePerThousand(flat, Soak.Sample::rssMb)).isCloseTo(0, within(1.0));
        assertThat(Soak.robustSlopePerThousand(rising, Soak.Sample::rssMb))
                .isCloseTo(50, within(2.0));
        assertThat(Soak.robustSlopePerThousand(flat, Soak.Sample::heapMb))
                .isCloseTo(0, within(1e-9));
    }
}
