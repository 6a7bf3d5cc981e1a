package io.scenestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.viz.ImageCompare;
import java.awt.image.BufferedImage;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a user runs it (its own JVM, the console captured): a screen of
 * SceneStream's own lines, no library warning among them, the libraries' log in the output folder,
 * and an MP4 whose frames are the snapshots' pictures.
 */
class LocalModeITCase {

    private static final int FRAMES = 30;

    @Test
    void printsAScreenOfItsOwnLinesAndWritesAVideoOfTheSnapshots(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx2g",
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                LocalMode.class.getName(),
                                "--model",
                                Path.of("..", "model", "checkpoints", "student-lite.ckpt.zip")
                                        .toString(),
                                "--frames",
                                Integer.toString(FRAMES),
                                "--fps",
                                "10",
                                "--out",
                                out.toString(),
                                "--web-port",
                                Integer.toString(port)));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("console.txt").toFile())
                        .start();
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("finished in 4 minutes").isTrue();
        List<String> console =
                Files.readAllLines(dir.resolve("console.txt"), StandardCharsets.UTF_8);
        String all = String.join("\n", console);
        assertThat(p.exitValue()).as(all).isZero();

        assertThat(console).as(all).isNotEmpty().hasSizeLessThanOrEqualTo(60);
        assertThat(console.get(0))
                .isEqualTo(
                        "SceneStream: log in " + out.toAbsolutePath().resolve("scenestream.log"));
        assertThat(console)
                .as("library warnings on the console")
                .noneMatch(
                        l ->
                                l.contains("WARN")
                                        || l.contains("Warning")
                                        || l.contains("NNPACK")
                                        || l.startsWith("SLF4J")
                                        || l.contains("Exception"));
        assertThat(console.get(console.size() - 1)).startsWith("done: " + FRAMES + " predictions");
        String log = Files.readString(out.resolve("scenestream.log"));
        assertThat(log).contains("org.apache.flink").contains("numerics self-test: student v1");

        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.resolve("camera-1.mp4").toFile());
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            g.start();
            BufferedImage first = converter.convert(g.grabImage());
            BufferedImage snapshot = ImageIO.read(out.resolve("camera-1-000000.png").toFile());
            assertThat(ImageCompare.psnr(first, snapshot))
                    .as("video frame 0 against its snapshot, dB")
                    .isGreaterThanOrEqualTo(30);
            int frames = 1;
            while (g.grabImage() != null) {
                frames++;
            }
            assertThat(frames).isEqualTo(FRAMES);
        }
        assertThat(new File(out.toFile(), "camera-1-000000.png")).exists();
    }
}
