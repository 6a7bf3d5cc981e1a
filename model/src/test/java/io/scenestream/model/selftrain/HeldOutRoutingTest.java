package io.scenestream.model.selftrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeldOutRoutingTest {

    private static SelfTrainer.Settings settings(SelfTrainer.Normalisation n) {
        return SelfTrainer.Settings.builder().optBuffers(64, 8, 3).optNormalisation(n).build();
    }

    /**
     * A light ({@link CurrentScene#statistics}) of log luminance {@code level}, with a little
     * variation from frame to frame.
     */
    private static double[] light(double level, Random r) {
        return new double[] {
            level + 0.02 * r.nextGaussian(),
            0.05 + 0.01 * r.nextGaussian(),
            0.02 + 0.01 * r.nextGaussian(),
            0.6 + 0.01 * r.nextGaussian(),
            0.1 + 0.01 * r.nextGaussian()
        };
    }

    /** The frames (from 1) that {@code routing} holds out, of {@code lights} from {@code first}. */
    private static List<Integer> routed(HeldOutRouting routing, List<double[]> lights, int first) {
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < lights.size(); i++) {
            if (routing.heldOut(first + i, lights.get(i))) {
                held.add(first + i);
            }
        }
        return held;
    }

    /**
     * Every third frame is held out; after a change of light (here from daylight to night, a log
     * luminance 1.5 lower: beyond the tolerance of 5 times 0.22) the first four frames of the night
     * are, then every third again. A smaller change, within the tolerance but far beyond the
     * camera's own variation (the relative test), is seen from its second frame on, held out or
     * not.
     */
    @Test
    void afterAChangeOfLightTheFirstFramesOfTheNewOneAreHeldOut() {
        Random r = new Random(3);
        List<double[]> day = new ArrayList<>();
        List<double[]> night = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            day.add(light(-1.0, r));
            night.add(light(-2.5, r));
        }
        HeldOutRouting routing = new HeldOutRouting(settings(SelfTrainer.Normalisation.FRAMES));
        assertThat(routed(routing, day, 1)).containsExactly(3, 6, 9, 12, 15, 18);
        assertThat(routed(routing, night, 19)).containsExactly(19, 20, 21, 22, 24, 27, 30, 33, 36);
        assertThat(routing.size()).isEqualTo(8);

        // Restored from its held-out frames' lights, the same.
        HeldOutRouting restored =
                new HeldOutRouting(
                        settings(SelfTrainer.Normalisation.FRAMES),
                        List.of(day.get(2), day.get(5), day.get(8), day.get(11)));
        assertThat(routed(restored, night.subList(0, 6), 13)).containsExactly(13, 14, 15, 16, 18);

        // Back to daylight: its first four again.
        assertThat(routed(routing, day.subList(0, 6), 37)).containsExactly(37, 38, 39, 40, 42);

        // A log luminance 0.5 lower: within the tolerance (1.1), 25 standard deviations.
        List<double[]> dim = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            dim.add(light(-1.5, r));
        }
        assertThat(routed(routing, dim, 43)).containsExactly(44, 45, 46, 47, 48);
    }

    /**
     * With running or batch statistics, and for a frame whose light is not known, only every third
     * frame is held out.
     */
    @Test
    void withoutFramesStatisticsOrALightOnlyEveryNthFrameIsHeldOut() {
        Random r = new Random(4);
        List<double[]> lights = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            lights.add(light(-1.0, r));
        }
        for (int i = 0; i < 9; i++) {
            lights.add(light(-2.5, r));
        }
        HeldOutRouting batch = new HeldOutRouting(settings(SelfTrainer.Normalisation.BATCH));
        assertThat(routed(batch, lights, 1)).containsExactly(3, 6, 9, 12, 15, 18);

        HeldOutRouting frames = new HeldOutRouting(settings(SelfTrainer.Normalisation.FRAMES));
        assertThat(routed(frames, lights.subList(0, 9), 1)).containsExactly(3, 6, 9);
        assertThat(frames.size()).as("the newest held-out-size frames").isEqualTo(8);
        assertThat(frames.heldOut(10, null)).isFalse();
        assertThat(frames.heldOut(12, null)).isTrue();
        assertThat(frames.size()).as("a frame of unknown light is not remembered").isEqualTo(8);
    }
}
