package io.scenestream.kafka.cli;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.broker.EmbeddedKafka;
import io.scenestream.kafka.producer.FrameProducer;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.ImageFolderSource;
import io.scenestream.kafka.producer.SyntheticCameraSource;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.recorder.PredictionRecorder;
import io.scenestream.kafka.recorder.RecorderLoop;
import io.scenestream.kafka.serde.FramePixels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** SceneStream's Kafka tools: camera producers, the recorder, a standalone embedded broker. */
@Command(name = "scenestream-kafka", mixinStandardHelpOptions = true,
        subcommands = {KafkaCli.Produce.class, KafkaCli.Record.class, KafkaCli.Broker.class, KafkaCli.MapsBenchmark.class},
        description = "Publish camera frames, record predictions, run a local broker.")
public final class KafkaCli {

    private KafkaCli() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the project's error handling: user errors print one line and exit with 2. */
    public static CommandLine commandLine() {
        return new CommandLine(new KafkaCli()).setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IOException) {
                cmd.getErr().println(cmd.getCommandName() + ": error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
    }

    /** Publishes one camera's frames. */
    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = "Publish a camera's frames (video, device, image folder or the synthetic world) to a topic.")
    static final class Produce implements Callable<Integer> {

        static final class Source {
            @Option(names = "--video", description = "video file, RTSP/HTTP URL or /dev/videoN")
            String video;

            @Option(names = "--images", description = "image folder or NYUD-layout dataset")
            Path images;

            @Option(names = "--synthetic", description = "synthetic camera with this domain schedule, e.g. day:300,night")
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

        @Option(names = "--fps", description = "pacing; 0 = the source's own rate (default: ${DEFAULT-VALUE})")
        double fps = 0;

        @Option(names = "--frames", description = "stop after N frames; 0 = when the source ends (default: ${DEFAULT-VALUE})")
        long frames = 0;

        @Option(names = "--size", description = "resize to WIDTHxHEIGHT (default: the source's; synthetic: 320x256)")
        String size;

        @Option(names = "--loop", description = "start a video or folder again at its end")
        boolean loop;

        @Option(names = "--encoding", description = "JPEG, PNG or RAW_RGB8 (default: ${DEFAULT-VALUE})")
        Encoding encoding = Encoding.JPEG;

        @Option(names = "--seed", description = "synthetic camera seed (default: ${DEFAULT-VALUE})")
        long seed = 1;

        @Override
        public Integer call() throws Exception {
            int[] wh = size == null ? new int[] {0, 0} : parse(size);
            try (FrameSupplier s = open(wh); FrameProducer p = new FrameProducer(bootstrap, topic, Map.of())) {
                Runtime.getRuntime().addShutdownHook(new Thread(p::stop));
                System.err.println("publishing " + s.describe() + " as camera " + camera + " to " + topic);
                long n = p.run(s, camera, fps, frames, encoding, 0.9f);
                System.err.println("sent " + n + " frames");
            }
            return 0;
        }

        private FrameSupplier open(int[] wh) throws IOException {
            if (source.video != null) {
                return new VideoSource(source.video, loop, wh[0], wh[1]);
            }
            if (source.images != null) {
                return new ImageFolderSource(source.images, loop, wh[0], wh[1]);
            }
            return new SyntheticCameraSource(seed, wh[0] > 0 ? wh[0] : 320, wh[1] > 0 ? wh[1] : 256, source.synthetic);
        }
    }

    /** Records predictions as videos and snapshots. */
    @Command(name = "record", mixinStandardHelpOptions = true,
            description = "Write an MP4 mosaic per camera and PNG snapshots from the predictions topic.")
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

        @Option(names = "--snapshot-every", description = "a PNG every N predictions per camera (default: ${DEFAULT-VALUE})")
        int snapshotEvery = 50;

        @Option(names = "--classes", split = ",", description = "class names (default: the 13 NYU classes)")
        List<String> classes = io.scenestream.model.data.NyudDataset.CLASSES_13;

        @Override
        public Integer call() throws Exception {
            try (PredictionRecorder recorder = new PredictionRecorder(out, classes, fps, snapshotEvery, null)) {
                RecorderLoop loop = new RecorderLoop(bootstrap, framesTopic, predictionsTopic, recorder, null);
                CountDownLatch done = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
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
                    System.err.printf(Locale.ROOT, "the recorder stopped early (%s) after %d predictions%n",
                            loop.failure(), loop.recorded());
                    return 1;
                }
                System.err.printf(Locale.ROOT, "recorded %d predictions in %s (%d bad records skipped)%n",
                        loop.recorded(), out, loop.skipped());
            }
            return 0;
        }
    }

    /** Times the PNG encoding of prediction maps on real depth and labels. */
    @Command(name = "maps-benchmark", mixinStandardHelpOptions = true,
            description = "Milliseconds to encode a depth and a segmentation PNG, on NYUD frames, at a zlib level, "
                    + "and to decode a JPEG frame of a video.")
    static final class MapsBenchmark implements Callable<Integer> {

        @Option(names = "--nyud", description = "NYUD-layout dataset (default: ${DEFAULT-VALUE})")
        Path nyud = Path.of("../shared/data/nyud-mini");

        @Option(names = "--size", description = "maps WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
        String size = "320x256";

        @Option(names = "--level", description = "zlib level, -1 for zlib's default (default: ${DEFAULT-VALUE})")
        int level = io.scenestream.kafka.serde.PredictionMaps.ZLIB_LEVEL;

        @Option(names = "--filter", description = "PNG row filter of the depth map: ${COMPLETION-CANDIDATES} "
                + "(default: ${DEFAULT-VALUE}, what the stream writes)")
        ar.com.hjg.pngj.FilterType filter = io.scenestream.kafka.serde.PredictionMaps.FILTER;

        @Option(names = "--passes", description = "passes over the frames; the last is timed (default: ${DEFAULT-VALUE})")
        int passes = 10;

        @Option(names = "--video", description = "video whose frames, JPEG-encoded at quality 0.9 and the size of "
                + "--size, are decoded as the stream decodes frames (default: ${DEFAULT-VALUE})")
        String video = "../shared/data/video/vtest.avi";

        @Option(names = "--video-frames", description = "frames of --video (default: ${DEFAULT-VALUE})")
        int videoFrames = 100;

        @Override
        public Integer call() throws Exception {
            int[] wh = parse(size);
            var ds = new io.scenestream.model.data.NyudDataset(nyud, 13, "val");
            List<io.scenestream.model.data.DenseSample> frames = new java.util.ArrayList<>();
            for (String id : ds.ids()) {
                frames.add(ds.read(id).resize(wh[1], wh[0]));
            }
            double depthMs = 0;
            double segMs = 0;
            long bytes = 0;
            if (passes < 1 || videoFrames < 1) {
                throw new IllegalArgumentException("--passes and --video-frames must be at least 1, got " + passes
                        + " and " + videoFrames);
            }
            for (int round = 0; round < passes; round++) {
                depthMs = 0;
                segMs = 0;
                bytes = 0;
                for (var s : frames) {
                    short[] mm = io.scenestream.kafka.serde.PredictionMaps.millimetres(s.depth());
                    byte[] cls = new byte[s.semseg().length];
                    for (int i = 0; i < cls.length; i++) {
                        cls[i] = (byte) s.semseg()[i];
                    }
                    long t = System.nanoTime();
                    bytes += io.scenestream.kafka.serde.PredictionMaps.depthPngMm(mm, wh[0], wh[1], level, filter).length;
                    depthMs += (System.nanoTime() - t) / 1e6;
                    t = System.nanoTime();
                    io.scenestream.kafka.serde.PredictionMaps.segmentationPng(cls, wh[0], wh[1], level);
                    segMs += (System.nanoTime() - t) / 1e6;
                }
            }
            int n = frames.size();
            System.out.printf(java.util.Locale.ROOT,
                    "zlib level %d, depth filter %s, %s, %d NYUD frames (pass %d): depth PNG %.2f ms (%d bytes), "
                            + "segmentation PNG %.2f ms%n",
                    level, filter, size, n, passes, depthMs / n, bytes / n, segMs / n);
            List<Frame> jpegs = new ArrayList<>();
            try (FrameSupplier source = new VideoSource(video, true, wh[0], wh[1])) {
                for (int i = 0; i < videoFrames; i++) {
                    var f = source.next();
                    jpegs.add(Frame.newBuilder().setCameraId("video").setSequence(i)
                            .setWidth(f.width()).setHeight(f.height()).setEncoding(Encoding.JPEG)
                            .setPayload(ByteString.copyFrom(FramePixels.jpeg(f.rgb(), f.width(), f.height(), 0.9f)))
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
            System.out.printf(Locale.ROOT, "JPEG frame decode (FramePixels.decode), %s, %d frames of %s "
                    + "(pass %d): %.2f ms%n", size, jpegs.size(), video, passes, decodeMs);
            return 0;
        }
    }

    /** Runs the embedded broker on its own until Ctrl-C. */
    @Command(name = "broker", mixinStandardHelpOptions = true,
            description = "Run a single-node KRaft broker on loopback until Ctrl-C.")
    static final class Broker implements Callable<Integer> {

        @Option(names = "--dir", description = "data folder (default: ${DEFAULT-VALUE})")
        Path dir = Path.of("kafka-data");

        @Option(names = "--port", description = "client port (default: ${DEFAULT-VALUE})")
        int port = 9092;

        @Option(names = "--topic", description = "create NAME:PARTITIONS (repeatable)")
        List<String> topics = List.of();

        @Override
        public Integer call() throws Exception {
            try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port)) {
                for (String t : topics) {
                    String[] p = t.split(":");
                    kafka.createTopic(p[0], p.length > 1 ? Integer.parseInt(p[1]) : 1, Map.of());
                }
                System.err.println("Kafka on " + kafka.bootstrapServers() + ", data in " + dir + "; Ctrl-C stops it");
                CountDownLatch stop = new CountDownLatch(1);
                CountDownLatch closed = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stop.countDown();
                    try {
                        closed.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                try {
                    stop.await();
                    kafka.stop();
                } finally {
                    closed.countDown();
                }
            }
            return 0;
        }
    }

    static int[] parse(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("size must be WIDTHxHEIGHT, got " + s);
        }
    }
}
