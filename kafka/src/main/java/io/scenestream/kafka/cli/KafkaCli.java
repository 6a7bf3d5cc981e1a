package io.scenestream.kafka.cli;

import io.scenestream.frames.Size;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.kafka.producer.FrameProducer;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.ImageFolderSource;
import io.scenestream.kafka.producer.SyntheticCameraSource;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.recorder.PredictionRecorder;
import io.scenestream.kafka.recorder.RecorderLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** SceneStream's Kafka tools: camera producers and the recorder. */
@Command(
        name = "scenestream-kafka",
        mixinStandardHelpOptions = true,
        subcommands = {KafkaCli.Produce.class, KafkaCli.Record.class},
        description = "Publish camera frames, record predictions.")
public final class KafkaCli {

    private KafkaCli() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with the project's error handling: user errors print one line and exit with
     * 2.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new KafkaCli())
                .setExecutionExceptionHandler(
                        (ex, cmd, parse) -> {
                            if (ex instanceof IllegalArgumentException
                                    || ex instanceof IOException) {
                                cmd.getErr()
                                        .println(
                                                cmd.getCommandName()
                                                        + ": error: "
                                                        + ex.getMessage());
                                return 2;
                            }
                            throw ex;
                        });
    }

    /** Publishes one camera's frames. */
    @Command(
            name = "produce",
            mixinStandardHelpOptions = true,
            description =
                    "Publish a camera's frames (video, device, image folder or the synthetic world) to a topic.")
    static final class Produce implements Callable<Integer> {

        static final class Source {
            @Option(names = "--video", description = "video file, RTSP/HTTP URL or /dev/videoN")
            String video;

            @Option(names = "--images", description = "image folder or NYUD-layout dataset")
            Path images;

            @Option(
                    names = "--synthetic",
                    description = "synthetic camera with this domain schedule, e.g. day:300,night")
            String synthetic;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--bootstrap-servers", description = "(default: ${DEFAULT-VALUE})")
        String bootstrap = "127.0.0.1:9092";

        @Option(names = "--topic", description = "(default: ${DEFAULT-VALUE})")
        String topic = "frames";

        @Option(names = "--camera", required = true, description = "camera id (the record key)")
        String camera;

        @Option(
                names = "--fps",
                description = "pacing; 0 = the source's own rate (default: ${DEFAULT-VALUE})")
        double fps = 0;

        @Option(
                names = "--frames",
                description =
                        "stop after N frames; 0 = when the source ends (default: ${DEFAULT-VALUE})")
        long frames = 0;

        @Option(
                names = "--size",
                description = "resize to WIDTHxHEIGHT (default: the source's; synthetic: 320x256)")
        String size;

        @Option(names = "--loop", description = "start a video or folder again at its end")
        boolean loop;

        @Option(
                names = "--encoding",
                description = "JPEG, PNG or RAW_RGB8 (default: ${DEFAULT-VALUE})")
        Encoding encoding = Encoding.JPEG;

        @Option(names = "--seed", description = "synthetic camera seed (default: ${DEFAULT-VALUE})")
        long seed = 1;

        @Override
        public Integer call() throws Exception {
            Size wh = size == null ? null : Size.parse(size, Size.Order.WIDTH_BY_HEIGHT, "--size");
            try (FrameSupplier s = open(wh);
                    FrameProducer p = new FrameProducer(bootstrap, topic, Map.of())) {
                Runtime.getRuntime().addShutdownHook(new Thread(p::stop));
                System.err.println(
                        "publishing " + s.describe() + " as camera " + camera + " to " + topic);
                long n = p.run(s, camera, fps, frames, encoding, 0.9f);
                System.err.println("sent " + n + " frames");
            }
            return 0;
        }

        /** {@code size} null: the source's own size (the synthetic camera's: 320x256). */
        private FrameSupplier open(Size size) throws IOException {
            int w = size == null ? 0 : size.width();
            int h = size == null ? 0 : size.height();
            if (source.video != null) {
                return new VideoSource(source.video, loop, w, h);
            }
            if (source.images != null) {
                return new ImageFolderSource(source.images, loop, w, h);
            }
            return new SyntheticCameraSource(
                    seed, size == null ? 320 : w, size == null ? 256 : h, source.synthetic);
        }
    }

    /** Records predictions as videos and snapshots. */
    @Command(
            name = "record",
            mixinStandardHelpOptions = true,
            description =
                    "Write an MP4 mosaic per camera and PNG snapshots from the predictions topic.")
    static final class Record implements Callable<Integer> {

        @Option(names = "--bootstrap-servers", description = "(default: ${DEFAULT-VALUE})")
        String bootstrap = "127.0.0.1:9092";

        @Option(names = "--frames-topic", description = "(default: ${DEFAULT-VALUE})")
        String framesTopic = "frames";

        @Option(names = "--predictions-topic", description = "(default: ${DEFAULT-VALUE})")
        String predictionsTopic = "predictions";

        @Option(names = "--out", description = "(default: ${DEFAULT-VALUE})")
        Path out = Path.of("out");

        @Option(names = "--fps", description = "video frame rate (default: ${DEFAULT-VALUE})")
        double fps = 10;

        @Option(
                names = "--snapshot-every",
                description = "a PNG every N predictions per camera (default: ${DEFAULT-VALUE})")
        int snapshotEvery = 50;

        @Option(
                names = "--classes",
                split = ",",
                description = "class names (default: the 13 NYU classes)")
        List<String> classes = NyudDataset.CLASSES_13;

        @Override
        public Integer call() throws Exception {
            try (PredictionRecorder recorder =
                    new PredictionRecorder(out, classes, fps, snapshotEvery, null)) {
                RecorderLoop loop =
                        new RecorderLoop(bootstrap, framesTopic, predictionsTopic, recorder, null);
                CountDownLatch done = new CountDownLatch(1);
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            loop.stop();
                                            try {
                                                done.await();
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        }));
                try {
                    loop.run();
                } finally {
                    done.countDown();
                }
                if (loop.failure() != null) {
                    System.err.printf(
                            Locale.ROOT,
                            "the recorder stopped early (%s) after %d predictions%n",
                            loop.failure(),
                            loop.recorded());
                    return 1;
                }
                System.err.printf(
                        Locale.ROOT,
                        "recorded %d predictions in %s (%d bad records skipped)%n",
                        loop.recorded(),
                        out,
                        loop.skipped());
            }
            return 0;
        }
    }
}
