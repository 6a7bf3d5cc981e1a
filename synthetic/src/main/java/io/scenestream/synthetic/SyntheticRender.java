package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.Size;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes frames of a synthetic stream as PNG for people to look at: per frame {@code NAME-rgb.png},
 * {@code NAME-labels.png} (class palette of {@link SyntheticImages#color}), {@code NAME-depth.png}
 * (grey, near bright, 8 m black) and {@code NAME-panel.png} (the three side by side), and {@code
 * sheet.png} with all panels stacked.
 */
@Command(
        name = "synthetic-render",
        mixinStandardHelpOptions = true,
        description = "Render frames of the synthetic indoor world to PNG (RGB, labels, depth).")
public class SyntheticRender implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--seed", description = "world seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--size", description = "HEIGHTxWIDTH (default: ${DEFAULT-VALUE})")
    String size = "256x320";

    @Option(names = "--frames", description = "frames to write (default: ${DEFAULT-VALUE})")
    int frames = 8;

    @Option(
            names = "--every",
            description = "write every N-th frame of the video (default: ${DEFAULT-VALUE})")
    int every = 15;

    @Option(
            names = "--domain",
            description =
                    "domain name or shift schedule, e.g. day or day:60,night "
                            + "(default: ${DEFAULT-VALUE})")
    String domain = "day";

    @Option(
            names = "--frames-per-room",
            description =
                    "new room every N video frames, 0 keeps one room "
                            + "(default: ${DEFAULT-VALUE})")
    int framesPerRoom = 0;

    @Override
    public Integer call() throws Exception {
        Size hw = Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--size");
        if (frames <= 0 || every <= 0) {
            throw new IllegalArgumentException("--frames and --every must be positive");
        }
        SyntheticStream stream =
                new SyntheticStream(
                        seed, hw.height(), hw.width(), ShiftSchedule.parse(domain), framesPerRoom);
        BufferedImage sheet =
                new BufferedImage(3 * hw.width(), frames * hw.height(), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < frames; i++) {
            DenseSample s = null;
            for (int k = 0; k < every; k++) {
                s = stream.next();
            }
            String name =
                    String.format(
                            Locale.ROOT, "%s-%05d", stream.currentDomain(), stream.frameIndex());
            SyntheticImages.write(SyntheticImages.rgb(s), out.resolve(name + "-rgb.png"));
            SyntheticImages.write(SyntheticImages.labels(s), out.resolve(name + "-labels.png"));
            SyntheticImages.write(SyntheticImages.depth(s, 8), out.resolve(name + "-depth.png"));
            BufferedImage panel = SyntheticImages.panel(s);
            SyntheticImages.write(panel, out.resolve(name + "-panel.png"));
            sheet.getGraphics().drawImage(panel, 0, i * hw.height(), null);
            System.out.printf(
                    Locale.ROOT,
                    "%s  %s room (%.1f x %.1f x %.1f m), %d primitives%n",
                    name,
                    stream.scene().kind(),
                    stream.scene().width(),
                    stream.scene().height(),
                    stream.scene().depth(),
                    stream.scene().primitives().size());
        }
        SyntheticImages.write(sheet, out.resolve("sheet.png"));
        return 0;
    }
}
