package io.scenestream.tools;

import com.google.gson.GsonBuilder;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.Size;
import io.scenestream.job.CameraSources;
import io.scenestream.job.ConsoleOptions;
import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.Jobs;
import io.scenestream.job.LocalPipeline;
import io.scenestream.kafka.producer.FrameProducer;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.model.checkpoint.Checkpoints;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A long run that watches memory: the synthetic camera through the whole job (self-training on by
 * default) for tens of thousands of frames, sampling the JVM heap (after a GC), direct buffers and
 * the process's resident memory (libtorch's native memory is in it) every few seconds. Reports the
 * growth per thousand frames over the second half of the run (after warm-up: buffers filled, JIT
 * done) and fails (exit 1) past a bound. Resident memory swings by hundreds of megabytes within a
 * training round, so the growth is the least-squares slope through the medians of five equal
 * windows of that half, not through every sample.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Long run with memory sampling; fails if memory grows past a bound per 1000 frames.")
public final class Soak implements Callable<Integer> {

    @Option(names = "--model", description = "student checkpoint (default: ${DEFAULT-VALUE})")
    Path model = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(names = "--teacher", description = "teacher checkpoint (default: ${DEFAULT-VALUE})")
    Path teacher = Path.of("model/checkpoints/teacher-w18.ckpt.zip");

    @Option(names = "--no-adapt", description = "without self-training")
    boolean noAdapt;

    @Option(names = "--frames", description = "frames to stream (default: ${DEFAULT-VALUE})")
    long frames = 20_000;

    @Option(
            names = "--camera-size",
            description = "camera frames WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
    String cameraSize = "160x128";

    @Option(
            names = "--schedule",
            description = "synthetic camera's domains (default: ${DEFAULT-VALUE})")
    String schedule = "day:2000,night:2000,haze:2000,day";

    @Option(
            names = "--fps",
            description =
                    "camera frame rate; 0 = as fast as the job takes them. Adaptation takes its "
                            + "share of the cores (self-training.budget) either way (default: ${DEFAULT-VALUE})")
    double fps = 10;

    @Option(
            names = "--sample-seconds",
            description = "seconds between memory samples (default: ${DEFAULT-VALUE})")
    int sampleSeconds = 5;

    @Option(
            names = "--max-growth-mb",
            description =
                    "fail if resident memory grows more than this per 1000 frames (default: ${DEFAULT-VALUE})")
    double maxGrowthMb = 4;

    @Option(names = "--out", description = "folder of soak.json (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out/soak");

    @Mixin ConsoleOptions console = new ConsoleOptions();

    @Option(
            names = {"-D"},
            description = "a job option KEY=VALUE (see JobOptions)")
    Map<String, String> jobOptions = Map.of();

    /** One memory sample. */
    record Sample(double seconds, long frames, double heapMb, double directMb, double rssMb) {}

    public static void main(String[] args) {
        System.exit(Jobs.run(new Soak(), "soak", args));
    }

    @Override
    public Integer call() throws Exception {
        console.setUp(out);
        var manifest = Checkpoints.readManifest(model);
        if (!(fps >= 0) || frames < 1 || sampleSeconds < 1) {
            throw new IllegalArgumentException(
                    "--fps must be >= 0, --frames and --sample-seconds >= 1; got "
                            + fps
                            + ", "
                            + frames
                            + ", "
                            + sampleSeconds);
        }
        Size wh = Size.parse(cameraSize, Size.Order.WIDTH_BY_HEIGHT, "--camera-size");
        int w = wh.width();
        int h = wh.height();
        Files.createDirectories(out);
        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        try (LocalPipeline pipeline =
                LocalPipeline.start(
                        jobOptions,
                        conf -> {
                            conf.set(
                                    JobOptions.MODEL_CHECKPOINT, model.toAbsolutePath().toString());
                            conf.set(
                                    JobOptions.RESOLUTION,
                                    manifest.inputHeight() + "x" + manifest.inputWidth());
                            if (!noAdapt) {
                                conf.set(JobOptions.SELF_TRAINING, true);
                                JobOptions.setUnlessGiven(
                                        conf,
                                        JobOptions.TEACHER_CHECKPOINT,
                                        teacher.toAbsolutePath().toString());
                                // Adaptation at the stream's own priority unless told otherwise: a
                                // soak must train throughout, whatever else the machine runs.
                                JobOptions.setUnlessGiven(conf, JobOptions.TRAINING_NICENESS, 0);
                            }
                        },
                        1,
                        StreamExecutionEnvironment.createLocalEnvironment(),
                        "SceneStream soak")) {
            EmbeddedKafka kafka = pipeline.kafka();
            JobSettings settings = pipeline.settings();
            FrameSupplier camera = CameraSources.synthetic(0, w, h, schedule);
            FrameProducer producer =
                    new FrameProducer(kafka.bootstrapServers(), settings.framesTopic(), Map.of());
            Thread producerThread =
                    new Thread(
                            () -> {
                                try {
                                    producer.run(
                                            camera,
                                            "soak-camera",
                                            fps,
                                            frames,
                                            Encoding.JPEG,
                                            0.9f);
                                } catch (IOException e) {
                                    System.err.println("camera stopped: " + e.getMessage());
                                }
                            },
                            "camera");
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                            kafka.bootstrapServers(),
                                    ConsumerConfig.GROUP_ID_CONFIG, "soak",
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                c.subscribe(List.of(settings.predictionsTopic()));
                producerThread.start();
                long received = 0;
                long nextSample = System.nanoTime();
                long idleSince = System.nanoTime();
                while (received < frames) {
                    int n = c.poll(Duration.ofMillis(500)).count();
                    received += n;
                    if (n > 0) {
                        idleSince = System.nanoTime();
                    } else if (System.nanoTime() - idleSince > Duration.ofMinutes(5).toNanos()) {
                        throw new IOException(
                                "no prediction for 5 minutes after " + received + " of " + frames);
                    }
                    if (System.nanoTime() >= nextSample) {
                        nextSample = System.nanoTime() + sampleSeconds * 1_000_000_000L;
                        Sample s = sample((System.nanoTime() - t0) / 1e9, received);
                        samples.add(s);
                        System.out.printf(
                                Locale.ROOT,
                                "%7.0f s  frames %7d  heap %7.1f MB  direct %6.1f MB  rss %7.1f MB%n",
                                s.seconds(),
                                s.frames(),
                                s.heapMb(),
                                s.directMb(),
                                s.rssMb());
                    }
                }
            } finally {
                producer.stop();
                producerThread.join(10_000);
                producer.close();
            }
        }
        List<Sample> late = samples.subList(samples.size() / 2, samples.size());
        double rss = robustSlopePerThousand(late, Sample::rssMb);
        double heap = robustSlopePerThousand(late, Sample::heapMb);
        double direct = robustSlopePerThousand(late, Sample::directMb);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("frames", frames);
        report.put("camera_size", cameraSize);
        report.put("fps", fps);
        report.put("self_training", !noAdapt);
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        report.put(
                "growth_mb_per_1000_frames_second_half",
                Map.of("rss", rss, "heap", heap, "direct", direct));
        report.put("bound_mb_per_1000_frames", maxGrowthMb);
        report.put("samples", samples);
        Files.writeString(
                out.resolve("soak.json"),
                new GsonBuilder().setPrettyPrinting().create().toJson(report),
                StandardCharsets.UTF_8);
        System.out.printf(
                Locale.ROOT,
                "growth per 1000 frames over the second half: rss %.2f MB, heap %.2f MB, direct %.2f MB "
                        + "(bound %.1f MB); samples in %s%n",
                rss,
                heap,
                direct,
                maxGrowthMb,
                out.resolve("soak.json"));
        boolean ok = rss <= maxGrowthMb && heap <= maxGrowthMb;
        System.out.println(ok ? "soak: PASS" : "soak: FAIL: memory grows");
        return ok ? 0 : 1;
    }

    private static Sample sample(double seconds, long frames) {
        System.gc();
        var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        double direct = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                direct = b.getMemoryUsed() / 1048576.0;
            }
        }
        return new Sample(seconds, frames, mem.getUsed() / 1048576.0, direct, rssMb());
    }

    private static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no resident size
        }
        return Double.NaN;
    }

    /**
     * Least-squares slope per 1000 frames through the medians of {@code y} (and of frames) in five
     * consecutive windows of equal size: robust to the swings within a training round.
     */
    static double robustSlopePerThousand(List<Sample> s, ToDoubleFunction<Sample> y) {
        int windows = 5;
        if (s.size() < 2 * windows) {
            return slopePerThousand(s, y);
        }
        double[] fx = new double[windows];
        double[] my = new double[windows];
        for (int w = 0; w < windows; w++) {
            List<Sample> part = s.subList(w * s.size() / windows, (w + 1) * s.size() / windows);
            fx[w] = median(part.stream().mapToDouble(Sample::frames).toArray());
            my[w] = median(part.stream().mapToDouble(y).toArray());
        }
        return slope(fx, my);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /** Least-squares slope of {@code y} against frames, per 1000 frames. */
    static double slopePerThousand(List<Sample> s, ToDoubleFunction<Sample> y) {
        return slope(
                s.stream().mapToDouble(Sample::frames).toArray(),
                s.stream().mapToDouble(y).toArray());
    }

    /**
     * Least-squares slope of {@code y} against {@code x} (frames), per 1000; NaN with fewer than
     * two points.
     */
    private static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : 1000 * sxy / sxx;
    }
}
