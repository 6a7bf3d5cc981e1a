package io.scenestream.model.selftrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.ShiftSchedule;
import io.scenestream.synthetic.SyntheticDataset;
import io.scenestream.synthetic.SyntheticStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The current scene's frames, by colour statistics: rooms of one light stay within the tolerance, a
 * change of light goes beyond it.
 */
class CurrentSceneTest {

    private static final int H = 64;
    private static final int W = 80;

    private static List<DenseSample> synthetic(String domain, long seed, int n) {
        return SyntheticDataset.frames(seed, n, H, W, Domain.named(domain));
    }

    /**
     * {@code n} frames of rooms in one light as a fleet's cameras deliver them: one of each room in
     * turn, not a room's frames in a row (a camera's room changing is a change of scene).
     */
    private static List<DenseSample> fleet(String domain, long seed, int n) {
        int perRoom = SyntheticDataset.DEFAULT_FRAMES_PER_ROOM;
        int rooms = (n + perRoom - 1) / perRoom;
        List<DenseSample> grouped = synthetic(domain, seed, rooms * perRoom);
        List<DenseSample> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            out.add(grouped.get((i % rooms) * perRoom + i / rooms));
        }
        return out;
    }

    /** The largest distance of a frame of {@code frames} from their mean statistics. */
    private static double spread(List<DenseSample> frames) {
        double[] mean = mean(frames);
        double worst = 0;
        for (DenseSample f : frames) {
            worst = Math.max(worst, CurrentScene.distance(CurrentScene.statistics(f), mean));
        }
        return worst;
    }

    /** The smallest distance of a frame of {@code frames} from {@code others}' mean statistics. */
    private static double gap(List<DenseSample> frames, List<DenseSample> others) {
        double[] mean = mean(others);
        double nearest = Double.MAX_VALUE;
        for (DenseSample f : frames) {
            nearest = Math.min(nearest, CurrentScene.distance(CurrentScene.statistics(f), mean));
        }
        return nearest;
    }

    private static double[] mean(List<DenseSample> frames) {
        double[] mean = new double[CurrentScene.SCALES.length];
        for (DenseSample f : frames) {
            double[] s = CurrentScene.statistics(f);
            for (int i = 0; i < mean.length; i++) {
                mean[i] += s[i] / frames.size();
            }
        }
        return mean;
    }

    @Test
    void statisticsAreTheLightsLevelCastContrastAndBlackLevel() {
        // Two pixels: (0.2, 0.4, 0.1) and (0.6, 0.4, 0.1), by channel means (0.4, 0.4, 0.1).
        byte[] rgb = {51, 102, 26, (byte) 153, 102, 26};
        double[] s = CurrentScene.statistics(new DenseSample("f", 1, 2, rgb, null, null));
        double r = 102 / 255.0;
        double g = 102 / 255.0;
        double b = 26 / 255.0;
        double y = 0.299 * r + 0.587 * g + 0.114 * b;
        double y1 = 0.299 * 51 / 255.0 + 0.587 * g + 0.114 * b;
        double y2 = 0.299 * 153 / 255.0 + 0.587 * g + 0.114 * b;
        double spread = Math.abs(y2 - y1) / 2;
        assertThat(s)
                .containsExactly(
                        new double[] {
                            Math.log(y + 1e-3),
                            Math.log((r + 1e-3) / (b + 1e-3)),
                            Math.log((g + 1e-3) / (b + 1e-3)),
                            spread / (y + 1e-3),
                            // The darkest channel is blue's 26 in both pixels.
                            26 / 255.0 / (y + 1e-3)
                        },
                        within(1e-9));
    }

    @Test
    void roomsOfOneLightStayWithinTheToleranceAndAChangeOfLightGoesBeyondIt() throws Exception {
        List<DenseSample> day = fleet("day", 5, 24);
        double tolerance = CurrentScene.DEFAULT_TOLERANCE;
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        List<DenseSample> rooms = nyud.readAll(H, W);
        System.out.printf(
                "light: spread within day %.2f, within nyud-mini %.2f%n",
                spread(day), spread(rooms));
        assertThat(spread(day)).isLessThan(tolerance);
        // Rooms vary too much among themselves for the test relative to the camera to split them.
        assertThat(CurrentScene.newest(day, tolerance)).containsExactlyElementsOf(day);
        for (String shifted : List.of("night", "warm-lamp", "haze")) {
            List<DenseSample> after = synthetic(shifted, 6, 24);
            System.out.printf(
                    "light: %s spread %.2f, nearest to day %.2f%n",
                    shifted, spread(after), gap(after, day));
            if (!shifted.equals("haze")) {
                // Haze is within the variation between rooms (see the test of one camera).
                assertThat(spread(after)).as(shifted).isLessThan(tolerance);
                assertThat(gap(after, day)).as(shifted).isGreaterThan(tolerance);
            }
        }
    }

    @Test
    void theNewestFramesStopAtTheShift() {
        List<DenseSample> day = fleet("day", 7, 10);
        List<DenseSample> night = synthetic("night", 8, 3);
        List<DenseSample> stream = new ArrayList<>(day);
        stream.addAll(night);

        double tolerance = CurrentScene.DEFAULT_TOLERANCE;
        List<DenseSample> current = CurrentScene.newest(stream, tolerance);
        // Every night frame, and of the daylight rooms at most those as dark as night.
        assertThat(current).endsWith(night.toArray(DenseSample[]::new));
        assertThat(current.size()).isLessThan(stream.size());
        assertThat(CurrentScene.like(current, night, tolerance)).containsExactlyElementsOf(current);
        assertThat(CurrentScene.newest(day, tolerance)).containsExactlyElementsOf(day);
        assertThat(CurrentScene.like(day, night, tolerance)).hasSizeLessThan(day.size() / 2);
        assertThat(CurrentScene.newest(List.of(), CurrentScene.DEFAULT_TOLERANCE)).isEmpty();
    }

    /**
     * The frames in a scene's light by the absolute test alone: every frame of a night walk through
     * a room (a lamp in view or not), none of daylight; the scene's own test, relative to the
     * spread of its three frames, keeps no more of them.
     */
    @Test
    void framesInTheLightOfASceneAreThoseOfItsLightByTheAbsoluteTest() {
        double tolerance = CurrentScene.DEFAULT_TOLERANCE;
        List<DenseSample> night = camera(21, "night:240", 10, 240);
        List<DenseSample> scene = night.subList(night.size() - 3, night.size());
        List<DenseSample> day = fleet("day", 22, 12);
        List<DenseSample> buffer = new ArrayList<>(day);
        buffer.addAll(night.subList(0, night.size() - 3));
        List<DenseSample> inLight = CurrentScene.inLight(buffer, scene, tolerance);
        List<DenseSample> like = CurrentScene.like(buffer, scene, tolerance);
        System.out.printf(
                "night walk: %d of %d night frames in the light of the last three, %d like them%n",
                inLight.size(), night.size() - 3, like.size());
        assertThat(inLight).containsExactlyElementsOf(night.subList(0, night.size() - 3));
        assertThat(inLight).containsAll(like);
        assertThatThrownBy(() -> CurrentScene.meanLight(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A camera's frames as the held-out set keeps them: every {@code every}-th frame of one room
     * under {@code schedule}.
     */
    private static List<DenseSample> camera(long seed, String schedule, int every, int frames) {
        SyntheticStream stream = new SyntheticStream(seed, H, W, ShiftSchedule.parse(schedule));
        List<DenseSample> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            DenseSample f = stream.next();
            if (i % every == every - 1) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void hazeIsAChangeOfLightForACameraInOneRoom() {
        double tolerance = CurrentScene.DEFAULT_TOLERANCE;
        for (long seed : new long[] {4242, 4243, 4244}) {
            // Held-out frames come about one in 120 frames; three of daylight, five of haze.
            List<DenseSample> day = camera(seed, "day", 120, 360);
            List<DenseSample> stream = new ArrayList<>(day);
            List<DenseSample> haze = camera(seed, "day:360,haze", 120, 960).subList(3, 8);
            stream.addAll(haze);
            assertThat(CurrentScene.newest(stream, tolerance))
                    .as("seed %d", seed)
                    .containsExactlyElementsOf(haze);
            assertThat(CurrentScene.like(day, haze, tolerance)).as("seed %d", seed).isEmpty();
            assertThat(CurrentScene.like(haze, haze, tolerance))
                    .as("seed %d", seed)
                    .containsExactlyElementsOf(haze);
            // A camera walking through its room in one light stays one scene.
            List<DenseSample> walk = camera(seed, "day", 120, 1800);
            assertThat(CurrentScene.newest(walk, tolerance))
                    .as("seed %d", seed)
                    .containsExactlyElementsOf(walk);
        }
    }
}
