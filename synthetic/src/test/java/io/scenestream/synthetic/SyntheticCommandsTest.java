package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command-line tools: writing PNGs and timing frames. */
class SyntheticCommandsTest {

    @Test
    void renderWritesRgbLabelsDepthAndPanelPngs(@TempDir Path dir) throws Exception {
        int code =
                new CommandLine(new SyntheticRender())
                        .execute(
                                "--out",
                                dir.toString(),
                                "--size",
                                "48x64",
                                "--frames",
                                "2",
                                "--every",
                                "3",
                                "--domain",
                                "day:4,night");
        assertThat(code).isZero();
        for (String name : new String[] {"day-00002", "night-00005"}) {
            for (String kind : new String[] {"rgb", "labels", "depth"}) {
                BufferedImage img = ImageIO.read(dir.resolve(name + "-" + kind + ".png").toFile());
                assertThat(img.getWidth()).isEqualTo(64);
                assertThat(img.getHeight()).isEqualTo(48);
            }
            assertThat(ImageIO.read(dir.resolve(name + "-panel.png").toFile()).getWidth())
                    .isEqualTo(3 * 64);
        }
        assertThat(Files.exists(dir.resolve("sheet.png"))).isTrue();
    }

    @Test
    void benchmarkMeasuresFramesPerSecond() {
        SyntheticBenchmark b = new SyntheticBenchmark();
        new CommandLine(b)
                .parseArgs("--size", "32x40", "--frames", "5", "--warmup", "1", "--domain", "haze");
        SyntheticBenchmark.Result r = b.run();
        assertThat(r.frames()).isEqualTo(5);
        assertThat(r.height()).isEqualTo(32);
        assertThat(r.fps()).isPositive();
        assertThat(r.medianMs()).isPositive();
        assertThat(
                        new CommandLine(new SyntheticBenchmark())
                                .execute("--size", "32x", "--frames", "1"))
                .isNotZero();
    }
}
