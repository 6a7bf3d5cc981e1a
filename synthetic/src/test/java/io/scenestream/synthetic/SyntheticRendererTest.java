package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.scenestream.frames.DenseSample;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** Geometry of the ray caster: depth, labels and determinism against hand-computed scenes. */
class SyntheticRendererTest {

    private static final int H = 96;
    private static final int W = 128;
    private static final Domain DAY = Domain.named("day");

    /** An empty 4 m wide, 2.5 m high, 5 m deep room with one lamp. */
    private static IndoorScene.Builder emptyRoom() {
        return IndoorScene.builder(4, 2.5, 5)
                .light(new Light(Light.Kind.LAMP, 2, 2.2, 2.5, 2, 0, 0));
    }

    private static int centre(Intrinsics k) {
        return (int) Math.round(k.cy()) * k.width() + (int) Math.round(k.cx());
    }

    @Test
    void cameraFacingAWallSeesItsDistanceAsDepthEverywhereOnTheWall() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        // At z = 1 looking along +z: the wall z = 5 is 4 m away, perpendicular to the optical axis.
        // An 8 m wide room, so that the far wall fills the image's width.
        IndoorScene scene =
                IndoorScene.builder(8, 2.5, 5)
                        .light(new Light(Light.Kind.LAMP, 4, 2.2, 2.5, 2, 0, 0))
                        .build();
        CameraPose pose = new CameraPose(4, 1.5, 1, 0, 0, 0);
        DenseSample s = r.render("wall", scene, pose, null, DAY, 1);
        int c = centre(r.intrinsics());
        assertThat(s.semseg()[c]).isEqualTo(SyntheticClasses.WALL);
        assertThat((double) s.depth()[c]).isCloseTo(4.0, within(1e-3));
        // Every wall pixel of the far wall has the same Z-depth (it is not the ray length).
        int wallPixels = 0;
        for (int i = 0; i < H * W; i++) {
            if (s.semseg()[i] == SyntheticClasses.WALL) {
                assertThat((double) s.depth()[i]).isCloseTo(4.0, within(1e-4));
                wallPixels++;
            }
        }
        assertThat(wallPixels).isGreaterThan(H * W / 2);
        // Floor below the horizon, ceiling above it.
        assertThat(s.semseg()[(H - 1) * W + W / 2]).isEqualTo(SyntheticClasses.FLOOR);
        assertThat(s.semseg()[W / 2]).isEqualTo(SyntheticClasses.CEILING);
    }

    @Test
    void offCentreDepthIsTheZDepthOfTheExactHitNotTheRayLength() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        Intrinsics k = r.intrinsics();
        CameraPose pose = new CameraPose(1.3, 1.4, 1.7, 0.6, -0.25, 0.05);
        DenseSample s = r.render("room", emptyRoom().build(), pose, null, DAY, 1);
        int[][] pixels = {{3, 5}, {100, 20}, {64, 48}, {127, 95}, {10, 90}, {0, 0}};
        for (int[] p : pixels) {
            int u = p[0];
            int v = p[1];
            double[] d = pose.ray(k, u, v);
            // The ray's forward component is 1, so its parameter at the hit is the Z-depth.
            double[][] axes = pose.axes();
            assertThat(d[0] * axes[2][0] + d[1] * axes[2][1] + d[2] * axes[2][2])
                    .isCloseTo(1, within(1e-12));
            double t = exitParameter(new double[] {pose.x(), pose.y(), pose.z()}, d, 4, 2.5, 5);
            float depth = s.depth()[v * W + u];
            assertThat((double) depth).as("pixel %d,%d", u, v).isCloseTo(t, within(1e-4));
            double norm = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (norm > 1.01) {
                assertThat(t * norm - depth)
                        .as("ray length exceeds Z-depth off-centre")
                        .isGreaterThan(0.01);
            }
        }
    }

    /** Where the ray o + t d leaves the box [0,w]x[0,h]x[0,dd]. */
    private static double exitParameter(double[] o, double[] d, double w, double h, double dd) {
        double[] hi = {w, h, dd};
        double best = Double.POSITIVE_INFINITY;
        for (int a = 0; a < 3; a++) {
            if (d[a] != 0) {
                best = Math.min(best, ((d[a] > 0 ? hi[a] : 0) - o[a]) / d[a]);
            }
        }
        return best;
    }

    @Test
    void primitivesAreHitAtTheirSurfaceWithTheirClass() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        Intrinsics k = r.intrinsics();
        CameraPose pose = new CameraPose(2, 1.0, 0.5, 0, 0, 0);
        // A box whose front face is 1.5 m ahead, a sphere and a cylinder beside it.
        IndoorScene scene =
                emptyRoom()
                        .add(
                                Primitive.box(
                                        2,
                                        1.0,
                                        2.25,
                                        0.3,
                                        0.3,
                                        0.25,
                                        0,
                                        SyntheticClasses.TABLE,
                                        Material.WOOD,
                                        Rgb.WHITE,
                                        1))
                        .add(
                                Primitive.sphere(
                                        3.0,
                                        1.0,
                                        3.0,
                                        0.3,
                                        SyntheticClasses.OBJECTS,
                                        Material.CERAMIC,
                                        Rgb.WHITE,
                                        2))
                        .add(
                                Primitive.cylinder(
                                        1.0,
                                        0.0,
                                        3.0,
                                        0.25,
                                        2.0,
                                        SyntheticClasses.FURNITURE,
                                        Material.PAINT,
                                        Rgb.WHITE,
                                        3))
                        .build();
        DenseSample s = r.render("prims", scene, pose, null, DAY, 1);
        int c = centre(k);
        assertThat(s.semseg()[c]).isEqualTo(SyntheticClasses.TABLE);
        assertThat((double) s.depth()[c]).isCloseTo(1.5, within(1e-4));
        // Sphere: the pixel nearest the projection of its centre.
        int su = (int) Math.round(k.cx() + k.fx() * -1.0 / 2.5);
        int sv = (int) Math.round(k.cy());
        double[] d = pose.ray(k, su, sv);
        double tSphere = sphere(new double[] {2, 1.0, 0.5}, d, new double[] {3.0, 1.0, 3.0}, 0.3);
        assertThat(s.semseg()[sv * W + su]).isEqualTo(SyntheticClasses.OBJECTS);
        assertThat((double) s.depth()[sv * W + su]).isCloseTo(tSphere, within(1e-4));
        // Cylinder: at the pixel column of its axis, the ray meets the side.
        int cu = (int) Math.round(k.cx() + k.fx() * 1.0 / 2.5);
        d = pose.ray(k, cu, sv);
        double[] o2 = {2 - 1.0, 0.5 - 3.0};
        double a = d[0] * d[0] + d[2] * d[2];
        double b = o2[0] * d[0] + o2[1] * d[2];
        double cc = o2[0] * o2[0] + o2[1] * o2[1] - 0.25 * 0.25;
        double tCyl = (-b - Math.sqrt(b * b - a * cc)) / a;
        assertThat(s.semseg()[sv * W + cu]).isEqualTo(SyntheticClasses.FURNITURE);
        assertThat((double) s.depth()[sv * W + cu]).isCloseTo(tCyl, within(1e-4));
    }

    private static double sphere(double[] o, double[] d, double[] c, double r) {
        double[] oc = {o[0] - c[0], o[1] - c[1], o[2] - c[2]};
        double a = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        double b = oc[0] * d[0] + oc[1] * d[1] + oc[2] * d[2];
        double cc = oc[0] * oc[0] + oc[1] * oc[1] + oc[2] * oc[2] - r * r;
        return (-b - Math.sqrt(b * b - a * cc)) / a;
    }

    @Test
    void yawedBoxDepthMatchesItsRotatedFaces() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        Intrinsics k = r.intrinsics();
        CameraPose pose = new CameraPose(2, 1.0, 0.5, 0, 0, 0);
        double yaw = Math.PI / 4;
        IndoorScene scene =
                emptyRoom()
                        .add(
                                Primitive.box(
                                        2,
                                        1.0,
                                        3.0,
                                        0.4,
                                        0.4,
                                        0.4,
                                        yaw,
                                        SyntheticClasses.CHAIR,
                                        Material.WOOD,
                                        Rgb.WHITE,
                                        1))
                        .build();
        DenseSample s = r.render("yawed", scene, pose, null, DAY, 1);
        // The box's front corner points at the camera: along the ray through pixel u, the hit is
        // on one of the two front faces, planes at distance 0.4 from the centre.
        int v = (int) Math.round(k.cy());
        for (int u = 50; u <= 78; u += 4) {
            double[] d = pose.ray(k, u, v);
            double best = Double.POSITIVE_INFINITY;
            for (double sign : new double[] {-1, 1}) {
                // Face normal n = R(yaw) (sign, 0, 0) or R(yaw) (0, 0, -1); plane n . (p - c) =
                // 0.4.
                double[][] normals = {
                    {Math.cos(yaw) * sign, -Math.sin(yaw) * sign}, {-Math.sin(yaw), -Math.cos(yaw)}
                };
                for (double[] n : normals) {
                    double denom = n[0] * d[0] + n[1] * d[2];
                    double t = (0.4 - (n[0] * (2 - 2) + n[1] * (0.5 - 3.0))) / denom;
                    double px = 2 + t * d[0] - 2;
                    double pz = 0.5 + t * d[2] - 3.0;
                    // On the face: the in-face coordinate within the half extent.
                    double lx = Math.cos(yaw) * px - Math.sin(yaw) * pz;
                    double lz = Math.sin(yaw) * px + Math.cos(yaw) * pz;
                    if (t > 0 && Math.abs(lx) <= 0.4 + 1e-9 && Math.abs(lz) <= 0.4 + 1e-9) {
                        best = Math.min(best, t);
                    }
                }
            }
            assertThat(s.semseg()[v * W + u]).isEqualTo(SyntheticClasses.CHAIR);
            assertThat((double) s.depth()[v * W + u]).as("u=%d", u).isCloseTo(best, within(1e-4));
        }
    }

    @Test
    void windowsAndPicturesRelabelTheWall() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        IndoorScene scene =
                emptyRoom()
                        .decal(
                                new WallDecal(
                                        WallDecal.Kind.WINDOW, Wall.NORTH, 1.2, 2.0, 1.0, 2.0, 5))
                        .decal(
                                new WallDecal(
                                        WallDecal.Kind.PICTURE, Wall.NORTH, 2.5, 3.3, 1.2, 1.8, 6))
                        .build();
        CameraPose pose = new CameraPose(2, 1.5, 1, 0, 0, 0);
        DenseSample s = r.render("decals", scene, pose, null, DAY, 1);
        Intrinsics k = r.intrinsics();
        // Yaw 0 looks along +z with the camera's x axis along -x: world x = 1.6 maps right of
        // centre.
        int uWindow = (int) Math.round(k.cx() + k.fx() * (2 - 1.6) / 4);
        int uPicture = (int) Math.round(k.cx() + k.fx() * (2 - 2.9) / 4);
        int v = (int) Math.round(k.cy() + k.fy() * (1.5 - 1.5) / 4);
        assertThat(s.semseg()[v * W + uWindow]).isEqualTo(SyntheticClasses.WINDOW);
        assertThat(s.semseg()[v * W + uPicture]).isEqualTo(SyntheticClasses.PICTURE);
        assertThat((double) s.depth()[v * W + uWindow]).isCloseTo(4.0, within(1e-4));
        // The glass is brighter than the wall.
        int c = v * W + (int) Math.round(k.cx());
        assertThat(luma(s, v * W + uWindow)).isGreaterThan(luma(s, c));
    }

    private static double luma(DenseSample s, int i) {
        return 0.299 * (s.rgb()[3 * i] & 0xff)
                + 0.587 * (s.rgb()[3 * i + 1] & 0xff)
                + 0.114 * (s.rgb()[3 * i + 2] & 0xff);
    }

    @Test
    void framesAreBitIdenticalWhateverTheThreadCount() throws Exception {
        IndoorScene scene = SceneGenerator.generate(11);
        CameraPath path = new CameraPath(scene, 3);
        CameraPose prev = path.next();
        CameraPose pose = path.next();
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        DenseSample common = r.render("a", scene, pose, prev, DAY, 99);
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            DenseSample single = one.submit(() -> r.render("a", scene, pose, prev, DAY, 99)).get();
            assertThat(single.rgb()).isEqualTo(common.rgb());
            assertThat(single.semseg()).isEqualTo(common.semseg());
            assertThat(single.depth()).isEqualTo(common.depth());
        } finally {
            one.shutdown();
        }
        // Another noise key changes only the sensor noise.
        DenseSample other = r.render("a", scene, pose, prev, DAY, 100);
        assertThat(other.semseg()).isEqualTo(common.semseg());
        assertThat(other.depth()).isEqualTo(common.depth());
        assertThat(Arrays.equals(other.rgb(), common.rgb())).isFalse();
    }

    @Test
    void rejectsACameraOutsideTheRoom() {
        SyntheticRenderer r = new SyntheticRenderer(H, W);
        assertThatThrownBy(
                        () ->
                                r.render(
                                        "x",
                                        emptyRoom().build(),
                                        new CameraPose(5, 1, 1, 0, 0, 0),
                                        null,
                                        DAY,
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not inside the room");
    }

    @Test
    void integerPowersAreExact() {
        for (int n : new int[] {1, 5, 12, 16, 24, 32, 48, 64, 96}) {
            assertThat(SyntheticRenderer.powInt(0.93, n))
                    .isCloseTo(Math.pow(0.93, n), within(1e-12));
        }
    }

    @Test
    void nyuIntrinsicsScaleWithTheImage() {
        Intrinsics k = Intrinsics.nyu(480, 640);
        assertThat(k.fx()).isCloseTo(518.857901, within(1e-9));
        Intrinsics small = Intrinsics.nyu(240, 320);
        assertThat(small.fx()).isCloseTo(518.857901 / 2, within(1e-9));
        assertThat(small.fy()).isCloseTo(519.469611 / 2, within(1e-9));
        assertThat(small.cx()).isCloseTo((325.582449 + 0.5) / 2 - 0.5, within(1e-9));
        Intrinsics product = Intrinsics.nyu(256, 320);
        assertThat(product.fy()).isCloseTo(519.469611 * 256 / 480, within(1e-9));
    }
}
