package io.scenestream.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.NyudDataset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Statistics of frames drawn here from a known room: a camera 1.4 m above the floor, pitched 12°
 * down, the ceiling 1.2 m above it, a wall 6 m ahead; the picture dark on the left half and bright
 * on the right.
 */
class SceneStatisticsTest {

    private static final int H = 120;
    private static final int W = 160;
    private static final double FX = 130;
    private static final double FY = 125;
    private static final double CX = 80;
    private static final double CY = 60;
    private static final List<String> CLASSES = NyudDataset.CLASSES_13;

    /** The room seen by a camera at {@code eye} metres, pitched {@code pitchDeg} down. */
    private static DenseSample room(String id, double eye, double pitchDeg) {
        double t = Math.toRadians(pitchDeg);
        // World up in camera coordinates (x right, y down, z forward).
        double upY = -Math.cos(t);
        double upZ = -Math.sin(t);
        int floor = CLASSES.indexOf("floor");
        int ceiling = CLASSES.indexOf("ceiling");
        int wall = CLASSES.indexOf("wall");
        float[] depth = new float[H * W];
        int[] labels = new int[H * W];
        byte[] rgb = new byte[3 * H * W];
        for (int v = 0; v < H; v++) {
            for (int u = 0; u < W; u++) {
                int i = v * W + u;
                double ry = (v - CY) / FY;
                // The ray (x, ry, 1): its height change per unit of Z.
                double rise = upY * ry + upZ;
                double z = 6.0;
                int cls = wall;
                if (rise < 0 && -eye / rise < z) {
                    z = -eye / rise;
                    cls = floor;
                } else if (rise > 0 && 1.2 / rise < z) {
                    z = 1.2 / rise;
                    cls = ceiling;
                }
                depth[i] = (float) z;
                labels[i] = cls;
                byte grey = (byte) (u < W / 2 ? 100 : 200);
                rgb[3 * i] = grey;
                rgb[3 * i + 1] = grey;
                rgb[3 * i + 2] = grey;
            }
        }
        return new DenseSample(id, H, W, rgb, labels, depth);
    }

    @Test
    void theCamerasPoseTheRoomAndThePictureAreMeasured() {
        SceneStatistics s = new SceneStatistics(FX, FY, CX, CY, H, W, CLASSES);
        s.add(room("a", 1.4, 12));
        s.add(room("b", 1.4, 12));
        Map<String, Double> m = s.summary();
        assertThat(m.get("frames")).isEqualTo(2.0);
        assertThat(m.get("camera.frames_with_floor")).isEqualTo(2.0);
        assertThat(m.get("camera.height")).isCloseTo(1.4, within(0.005));
        assertThat(m.get("camera.pitch_deg")).isCloseTo(12.0, within(0.05));
        assertThat(m.get("camera.roll_deg")).isCloseTo(0.0, within(0.05));
        assertThat(m.get("room.ceiling_distance")).isCloseTo(1.2, within(0.005));
        assertThat(m.get("room.height")).isCloseTo(2.6, within(0.01));
        assertThat(m.get("camera.hfov_deg"))
                .isCloseTo(Math.toDegrees(2 * Math.atan(80.0 / 130)), within(1e-9));
        assertThat(m.get("depth.p95")).isCloseTo(6.0, within(1e-6));
        assertThat(m.get("class.wall.distance")).isCloseTo(6.0, within(1e-6));
        assertThat(m.get("class.bed.share")).isZero();
        assertThat(m.get("class.bed.distance")).isNaN();
        double shares =
                m.get("class.floor.share")
                        + m.get("class.ceiling.share")
                        + m.get("class.wall.share");
        assertThat(shares).isCloseTo(1.0, within(1e-12));
        assertThat(m.get("class.floor.frames")).isEqualTo(1.0);
        // The wall's pixels cover (6/FX)(6/FY) square metres each.
        DenseSample a = room("a", 1.4, 12);
        long wallPixels = 0;
        for (int c : a.semseg()) {
            wallPixels += c == CLASSES.indexOf("wall") ? 1 : 0;
        }
        assertThat(m.get("class.wall.size"))
                .isCloseTo(Math.sqrt(wallPixels * (6.0 / FX) * (6.0 / FY)), within(1e-6));
        assertThat(m.get("appearance.luminance")).isCloseTo(150.0, within(1e-6));
        assertThat(m.get("appearance.contrast")).isCloseTo(50.0, within(1e-6));
        assertThat(m.get("appearance.saturation")).isZero();
        // One step of 100 between the halves, on every row.
        assertThat(m.get("appearance.gradient")).isCloseTo(100.0 * H / (H * W), within(1e-9));
    }

    @Test
    void aLevelCameraAndOneLookingUpAreToldApart() {
        SceneStatistics s = new SceneStatistics(FX, FY, CX, CY, H, W, CLASSES);
        s.add(room("level", 1.1, 0));
        assertThat(s.summary().get("camera.pitch_deg")).isCloseTo(0.0, within(0.05));
        assertThat(s.summary().get("camera.height")).isCloseTo(1.1, within(0.005));
        SceneStatistics up = new SceneStatistics(FX, FY, CX, CY, H, W, CLASSES);
        up.add(room("up", 1.6, -5));
        assertThat(up.summary().get("camera.pitch_deg")).isCloseTo(-5.0, within(0.05));
    }

    @Test
    void framesOfAnotherSizeAreRefused() {
        SceneStatistics s = new SceneStatistics(FX, FY, CX, CY, H, W, CLASSES);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> s.add(new DenseSample("x", 2, 2, new byte[12], null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x is 2x2");
    }
}
