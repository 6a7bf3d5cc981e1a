package io.scenestream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GapCommandTest {

    /**
     * Real frames and the synthetic world side by side: every real frame measured; on the synthetic
     * frames the camera height fitted to the floor is within the 1.25-1.65 m the world's camera
     * path draws it from.
     */
    @Test
    void measuresRealAndSyntheticFramesSideBySide() throws Exception {
        GapCommand cmd = new GapCommand();
        new picocli.CommandLine(cmd)
                .parseArgs(
                        "--real",
                        "nyud:" + SharedData.path("data/nyud-mini"),
                        "--frames",
                        "12",
                        "--size",
                        "120x160");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Map<String, Double>> out =
                cmd.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Map<String, Double> real = out.get(0);
        Map<String, Double> synthetic = out.get(1);
        assertThat(real.get("frames")).isEqualTo(27.0);
        assertThat(synthetic.get("frames")).isEqualTo(12.0);
        assertThat(synthetic.get("camera.frames_with_floor")).isPositive();
        assertThat(synthetic.get("camera.height")).isBetween(1.2, 1.7);
        assertThat(real.get("depth.p50")).isBetween(1.0, 5.0);
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("camera.pitch_deg").contains("class.objects.share");
    }

    /**
     * The hand-held camera is held as NYU's Kinect was, near level; the walkthrough camera looks
     * down at things: measured on their frames by the floor fit.
     */
    @Test
    void theHandHeldCameraIsHeldNearLevelTheWalkthroughLooksDown() throws Exception {
        Map<String, Double> handheld = synthetic("synthetic:day;camera=handheld");
        Map<String, Double> walkthrough = synthetic("synthetic:day");
        assertThat(handheld.get("camera.frames_with_floor")).isGreaterThanOrEqualTo(8.0);
        assertThat(handheld.get("camera.pitch_deg")).isBetween(-4.0, 4.0);
        assertThat(handheld.get("camera.height")).isBetween(1.0, 1.5);
        assertThat(walkthrough.get("camera.pitch_deg")).isGreaterThan(10.0);
        assertThat(walkthrough.get("camera.height")).isBetween(1.2, 1.7);
    }

    /**
     * Lived-in rooms show several times the small objects of sparse ones and less bare wall; the
     * photo look makes pictures darker, contrastier and sharper: measured on their frames.
     */
    @Test
    void livedInRoomsAndThePhotoLookMoveTowardsRealRooms() throws Exception {
        Map<String, Double> sparse = synthetic("synthetic:day;camera=handheld");
        Map<String, Double> nyu =
                synthetic("synthetic:day;camera=handheld;rooms=lived-in;look=photo");
        assertThat(nyu.get("class.objects.share"))
                .isGreaterThan(3 * sparse.get("class.objects.share"));
        assertThat(nyu.get("class.wall.share")).isLessThan(sparse.get("class.wall.share"));
        assertThat(nyu.get("appearance.luminance"))
                .isLessThan(sparse.get("appearance.luminance") - 10);
        assertThat(nyu.get("appearance.contrast")).isGreaterThan(sparse.get("appearance.contrast"));
        assertThat(nyu.get("appearance.gradient")).isGreaterThan(sparse.get("appearance.gradient"));
    }

    private static Map<String, Double> synthetic(String data) throws Exception {
        GapCommand cmd = new GapCommand();
        new picocli.CommandLine(cmd)
                .parseArgs(
                        "--real",
                        "nyud:" + SharedData.path("data/nyud-mini"),
                        "--synthetic",
                        data,
                        "--frames",
                        "32",
                        "--size",
                        "120x160");
        return cmd.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .get(1);
    }
}
