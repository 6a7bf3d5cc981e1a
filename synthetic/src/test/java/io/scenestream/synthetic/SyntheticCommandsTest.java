package io.scenestream.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The renderer's command line writes RGB, labels, depth and panel PNGs. */
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
}
