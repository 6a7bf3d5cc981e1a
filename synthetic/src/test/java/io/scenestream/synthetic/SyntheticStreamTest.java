package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.frames.DenseSample;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The video stream: reproducible, switching domains on schedule, the camera always in free space.
 */
class SyntheticStreamTest {

    private static final int H = 96;
    private static final int W = 128;

    @Test
    void sameSeedGivesIdenticalFramesOtherSeedsDiffer() {
        SyntheticStream a = new SyntheticStream(42, H, W, Domain.named("day"));
        SyntheticStream b = new SyntheticStream(42, H, W, Domain.named("day"));
        SyntheticStream c = new SyntheticStream(43, H, W, Domain.named("day"));
        for (int i = 0; i < 5; i++) {
            DenseSample sa = a.next();
            DenseSample sb = b.next();
            DenseSample sc = c.next();
            assertThat(sa.id()).isEqualTo("synthetic-42-" + i);
            assertThat(sb.rgb()).isEqualTo(sa.rgb());
            assertThat(sb.semseg()).isEqualTo(sa.semseg());
            assertThat(sb.depth()).isEqualTo(sa.depth());
            assertThat(Arrays.equals(sc.rgb(), sa.rgb())).isFalse();
            assertThat(Arrays.equals(sc.depth(), sa.depth())).isFalse();
        }
    }

    @Test
    void everyPixelIsLabelledWithAValidClassAndHasPositiveDepth() {
        SyntheticStream s = new SyntheticStream(5, H, W, ShiftSchedule.parse("day"), 10);
        for (int i = 0; i < 30; i++) {
            DenseSample f = s.next();
            for (int c : f.semseg()) {
                assertThat(c).isBetween(0, SyntheticClasses.COUNT - 1);
            }
            for (float d : f.depth()) {
                assertThat(d).isPositive().isLessThan(12f);
            }
        }
    }

    @Test
    void theDomainSwitchesAtTheScheduledFrameAndTheWalkDoesNotDependOnIt() {
        SyntheticStream shifted =
                new SyntheticStream(9, H, W, ShiftSchedule.parse("day:6,night:4,haze"));
        SyntheticStream dayOnly = new SyntheticStream(9, H, W, Domain.named("day"));
        assertThat(shifted.currentDomain()).isEqualTo("day");
        String[] expected = {
            "day", "day", "day", "day", "day", "day", "night", "night", "night", "night", "haze",
            "haze"
        };
        double[] brightness = new double[expected.length];
        for (int i = 0; i < expected.length; i++) {
            DenseSample f = shifted.next();
            DenseSample g = dayOnly.next();
            assertThat(shifted.currentDomain()).as("frame %d", i).isEqualTo(expected[i]);
            assertThat(shifted.frameIndex()).isEqualTo(i);
            // Same camera, same geometry.
            assertThat(f.depth()).isEqualTo(g.depth());
            assertThat(f.semseg()).isEqualTo(g.semseg());
            if (expected[i].equals("day")) {
                assertThat(f.rgb()).isEqualTo(g.rgb());
            }
            brightness[i] = mean(f);
        }
        assertThat(brightness[6]).as("night falls at frame 6").isLessThan(0.6 * brightness[5]);
        assertThat(brightness[10]).as("haze at frame 10").isGreaterThan(brightness[9]);
    }

    @Test
    void theCameraStaysInTheRoomClearOfFurnitureAndMovesSmoothly() {
        SyntheticStream s = new SyntheticStream(3, 48, 64, ShiftSchedule.parse("day"), 150);
        CameraPose last = null;
        long lastRoom = -1;
        for (int i = 0; i < 600; i++) {
            DenseSample f = s.next();
            IndoorScene scene = s.scene();
            CameraPose p = s.pose();
            assertThat(
                            scene.isFree(
                                    p.x(),
                                    p.z(),
                                    SceneGenerator.CAMERA_WALL_MARGIN - 1e-9,
                                    SceneGenerator.CAMERA_FURNITURE_MARGIN - 1e-9))
                    .as("frame %d at %s", i, p)
                    .isTrue();
            assertThat(p.y()).isBetween(1.19, 1.71);
            for (float d : f.depth()) {
                assertThat(d).as("frame %d", i).isGreaterThan(0.1f);
            }
            long room = i / 150;
            if (last != null && room == lastRoom) {
                double step = Math.hypot(p.x() - last.x(), p.z() - last.z());
                assertThat(step).as("step at frame %d", i).isLessThan(0.02);
                assertThat(Math.abs(Math.IEEEremainder(p.yaw() - last.yaw(), 2 * Math.PI)))
                        .isLessThan(0.031);
            }
            last = p;
            lastRoom = room;
        }
    }

    @Test
    void aNewRoomEveryFramesPerRoom() {
        SyntheticStream s = new SyntheticStream(4, 32, 40, ShiftSchedule.parse("day"), 3);
        s.next();
        IndoorScene first = s.scene();
        s.next();
        s.next();
        assertThat(s.scene()).isSameAs(first);
        s.next();
        assertThat(s.scene()).isNotSameAs(first);
        assertThat(s.scene().primitives()).isNotEqualTo(first.primitives());
        assertThatThrownBy(() -> new SyntheticStream(4, 32, 40, ShiftSchedule.parse("day"), -1))
                .hasMessageContaining("framesPerRoom");
    }

    private static double mean(DenseSample f) {
        double sum = 0;
        for (byte b : f.rgb()) {
            sum += b & 0xff;
        }
        return sum / f.rgb().length;
    }
}
