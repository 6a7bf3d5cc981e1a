package io.scenestream.tools;

import ar.com.hjg.pngj.FilterType;
import com.google.protobuf.ByteString;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.Size;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionMaps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Times the PNG encoding of prediction maps on real depth and labels. */
@Command(
        name = "scenestream-maps-benchmark",
        mixinStandardHelpOptions = true,
        description =
                "Milliseconds to encode a depth and a segmentation PNG, on NYUD frames, at a zlib level, "
                        + "and to decode a JPEG frame of a video.")
public final class MapsBenchmark implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new MapsBenchmark()).execute(args));
    }

    @Option(names = "--nyud", description = "NYUD-layout dataset (default: ${DEFAULT-VALUE})")
    Path nyud = Path.of("../shared/data/nyud-mini");

    @Option(names = "--size", description = "maps WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
    String size = "320x256";

    @Option(
            names = "--level",
            description = "zlib level, -1 for zlib's default (default: ${DEFAULT-VALUE})")
    int level = PredictionMaps.ZLIB_LEVEL;

    @Option(
            names = "--filter",
            description =
                    "PNG row filter of the depth map: ${COMPLETION-CANDIDATES} "
                            + "(default: ${DEFAULT-VALUE}, what the stream writes)")
    FilterType filter = PredictionMaps.FILTER;

    @Option(
            names = "--passes",
            description = "passes over the frames; the last is timed (default: ${DEFAULT-VALUE})")
    int passes = 10;

    @Option(
            names = "--video",
            description =
                    "video whose frames, JPEG-encoded at quality 0.9 and the size of "
                            + "--size, are decoded as the stream decodes frames (default: ${DEFAULT-VALUE})")
    String video = "../shared/data/video/vtest.avi";

    @Option(names = "--video-frames", description = "frames of --video (default: ${DEFAULT-VALUE})")
    int videoFrames = 100;

    @Override
    public Integer call() throws Exception {
        Size wh = Size.parse(size, Size.Order.WIDTH_BY_HEIGHT, "--size");
        var ds = new NyudDataset(nyud, 13, "val");
        List<DenseSample> frames = new ArrayList<>();
        for (String id : ds.ids()) {
            frames.add(ds.read(id).resize(wh.height(), wh.width()));
        }
        double depthMs = 0;
        double segMs = 0;
        long bytes = 0;
        if (passes < 1 || videoFrames < 1) {
            throw new IllegalArgumentException(
                    "--passes and --video-frames must be at least 1, got "
                            + passes
                            + " and "
                            + videoFrames);
        }
        for (int round = 0; round < passes; round++) {
            depthMs = 0;
            segMs = 0;
            bytes = 0;
            for (var s : frames) {
                short[] mm = PredictionMaps.millimetres(s.depth());
                byte[] cls = new byte[s.semseg().length];
                for (int i = 0; i < cls.length; i++) {
                    cls[i] = (byte) s.semseg()[i];
                }
                long t = System.nanoTime();
                bytes +=
                        PredictionMaps.depthPngMm(mm, wh.width(), wh.height(), level, filter)
                                .length;
                depthMs += (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                PredictionMaps.segmentationPng(cls, wh.width(), wh.height(), level);
                segMs += (System.nanoTime() - t) / 1e6;
            }
        }
        int n = frames.size();
        System.out.printf(
                Locale.ROOT,
                "zlib level %d, depth filter %s, %s, %d NYUD frames (pass %d): depth PNG %.2f ms (%d bytes), "
                        + "segmentation PNG %.2f ms%n",
                level,
                filter,
                size,
                n,
                passes,
                depthMs / n,
                bytes / n,
                segMs / n);
        List<Frame> jpegs = new ArrayList<>();
        try (FrameSupplier source = new VideoSource(video, true, wh.width(), wh.height())) {
            for (int i = 0; i < videoFrames; i++) {
                var f = source.next();
                jpegs.add(
                        Frame.newBuilder()
                                .setCameraId("video")
                                .setSequence(i)
                                .setWidth(f.width())
                                .setHeight(f.height())
                                .setEncoding(Encoding.JPEG)
                                .setPayload(
                                        ByteString.copyFrom(
                                                FramePixels.jpeg(
                                                        f.rgb(), f.width(), f.height(), 0.9f)))
                                .build());
            }
        }
        double decodeMs = 0;
        for (int round = 0; round < passes; round++) {
            long t = System.nanoTime();
            for (var f : jpegs) {
                FramePixels.decode(f);
            }
            decodeMs = (System.nanoTime() - t) / 1e6 / jpegs.size();
        }
        System.out.printf(
                Locale.ROOT,
                "JPEG frame decode (FramePixels.decode), %s, %d frames of %s "
                        + "(pass %d): %.2f ms%n",
                size,
                jpegs.size(),
                video,
                passes,
                decodeMs);
        return 0;
    }
}
