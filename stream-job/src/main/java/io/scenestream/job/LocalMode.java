package io.scenestream.job;

import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.dashboard.Dashboard;
import io.scenestream.dashboard.DashboardSettings;
import io.scenestream.dashboard.DashboardTopics;
import io.scenestream.frames.Size;
import io.scenestream.frames.viz.NyuPalette;
import io.scenestream.kafka.producer.FrameProducer;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.ImageFolderSource;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.recorder.PredictionRecorder;
import io.scenestream.kafka.recorder.RecorderLoop;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.numerics.KernelPath;
import io.scenestream.model.numerics.Kernels;
import io.scenestream.operators.InferenceOperator;
import io.scenestream.operators.RoundSummary;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything on one machine in one command: an embedded Kafka broker, camera sources publishing
 * frames, the SceneStream job in a local Flink with its web UI, the recorder writing MP4 mosaics
 * and PNG snapshots, and the live dashboard on loopback (unless {@code --no-dashboard}). Prints
 * progress; stops after {@code --frames} frames or on Ctrl-C, cleanly (videos finished, job
 * cancelled, broker stopped).
 */
@Command(
        name = "scenestream-local",
        mixinStandardHelpOptions = true,
        description =
                "Run SceneStream locally: embedded Kafka, camera source, Flink job with web UI, recorder.")
public final class LocalMode implements Callable<Integer> {

    @Option(names = "--model", description = "student checkpoint (default: ${DEFAULT-VALUE})")
    Path model = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(
            names = "--video",
            description =
                    "a video file, RTSP/HTTP URL or /dev/videoN instead of the synthetic camera")
    String video;

    @Option(
            names = "--images",
            description =
                    "a folder of images (or a NYUD-layout dataset) instead of the synthetic camera")
    Path images;

    @Option(
            names = "--schedule",
            description =
                    "synthetic camera's domains, e.g. day:300,night:300,haze; with several cameras, one"
                            + " schedule per camera separated by ';' (camera N takes the Nth, the last"
                            + " one the rest), e.g. day:200,warm-lamp;day:200,night;day (default:"
                            + " ${DEFAULT-VALUE})")
    String schedule = "day";

    @Option(names = "--cameras", description = "number of cameras (default: ${DEFAULT-VALUE})")
    int cameras = 1;

    @Option(
            names = "--frames",
            description =
                    "frames per camera, then stop; 0 = until Ctrl-C (default: ${DEFAULT-VALUE})")
    long frames = 300;

    @Option(
            names = "--fps",
            description =
                    "frames per second per camera; 0 = the source's own rate (default: ${DEFAULT-VALUE})")
    double fps = 5;

    @Option(
            names = "--camera-size",
            description = "camera frames WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
    String cameraSize = "320x256";

    @Option(
            names = "--out",
            description = "folder of videos and snapshots (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out");

    @Option(names = "--web-port", description = "Flink web UI port (default: ${DEFAULT-VALUE})")
    int webPort = 8081;

    @Option(
            names = "--adapt",
            description =
                    "online self-training: the teacher labels key frames, the student "
                            + "adapts and is hot-swapped into the running job")
    boolean adapt;

    @Option(
            names = "--teacher",
            description = "teacher checkpoint for --adapt (default: ${DEFAULT-VALUE})")
    Path teacher = Path.of("model/checkpoints/teacher-w18.ckpt.zip");

    @Option(
            names = {"-D"},
            description = "a job option KEY=VALUE (see JobOptions), e.g. -D inference.batch-size=8")
    Map<String, String> jobOptions = Map.of();

    @Option(
            names = "--adapt-warn-after",
            description =
                    "with --adapt: warn, saying why, if no self-training round "
                            + "has finished after this many seconds (default: ${DEFAULT-VALUE})")
    long adaptWarnAfter = 120;

    @Option(
            names = "--dashboard-port",
            description =
                    "port of the live dashboard on 127.0.0.1; 0 = any free; a busy port falls"
                            + " back to a free one (default: ${DEFAULT-VALUE})")
    int dashboardPort = 8082;

    @Option(names = "--no-dashboard", description = "do not start the live dashboard")
    boolean noDashboard;

    @Mixin ConsoleOptions console = new ConsoleOptions();

    public static void main(String[] args) {
        System.exit(Jobs.run(new LocalMode(), "scenestream-local", args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new IOException(
                    "model checkpoint "
                            + model
                            + " does not exist (the shipped ones are in model/checkpoints; training: docs/model.md)");
        }
        console.setUp(out);
        CheckpointManifest manifest = Checkpoints.readManifest(model);
        Size wh = Size.parse(cameraSize, Size.Order.WIDTH_BY_HEIGHT, "--camera-size");
        List<FrameSupplier> sources = new ArrayList<>();
        for (int c = 0; c < cameras; c++) {
            sources.add(openSource(c, wh));
        }

        if (adapt
                && !jobOptions.containsKey(JobOptions.TEACHER_CHECKPOINT.key())
                && !Files.isRegularFile(teacher)) {
            throw new IOException(
                    "teacher checkpoint "
                            + teacher
                            + " does not exist (the shipped ones are in model/checkpoints;"
                            + " training: docs/model.md)");
        }
        Configuration flink = new Configuration();
        flink.set(RestOptions.PORT, webPort);
        // Accumulators (self-training's rounds) reach the console with the heartbeats.
        flink.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(2));
        try (LocalPipeline pipeline =
                        LocalPipeline.start(
                                jobOptions,
                                conf -> {
                                    conf.set(
                                            JobOptions.MODEL_CHECKPOINT,
                                            model.toAbsolutePath().toString());
                                    JobOptions.setUnlessGiven(
                                            conf,
                                            JobOptions.RESOLUTION,
                                            manifest.inputHeight() + "x" + manifest.inputWidth());
                                    if (adapt) {
                                        conf.set(JobOptions.SELF_TRAINING, true);
                                        // -D self-training.teacher=... wins over --teacher.
                                        JobOptions.setUnlessGiven(
                                                conf,
                                                JobOptions.TEACHER_CHECKPOINT,
                                                teacher.toAbsolutePath().toString());
                                    }
                                },
                                cameras,
                                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink),
                                "SceneStream (local)");
                Dashboard dashboard = noDashboard ? null : startDashboard(pipeline, manifest)) {
            EmbeddedKafka kafka = pipeline.kafka();
            JobSettings settings = pipeline.settings();
            JobClient job = pipeline.job();
            AdaptationProgress adaptation =
                    adapt
                            ? new AdaptationProgress(job, settings.selfTraining().roundEvery())
                            : null;
            boolean warnedNoRound = false;
            boolean kernelsReported = false;
            System.out.printf(
                    Locale.ROOT,
                    "SceneStream: Kafka %s, Flink web UI http://localhost:%d, model %s v%d (%s), output %s%n",
                    kafka.bootstrapServers(),
                    webPort,
                    manifest.modelName(),
                    manifest.modelVersion(),
                    manifest.architecture().name(),
                    out.toAbsolutePath());
            if (dashboard != null) {
                System.out.println("dashboard: " + dashboard.url());
            }

            ConcurrentLinkedQueue<Float> latencies = new ConcurrentLinkedQueue<>();
            AtomicLong received = new AtomicLong();
            AtomicLong servingVersion = new AtomicLong(manifest.modelVersion());
            try (PredictionRecorder recorder =
                    new PredictionRecorder(
                            out, manifest.classNames(), fps > 0 ? fps : 10, 50, null)) {
                RecorderLoop loop =
                        new RecorderLoop(
                                kafka.bootstrapServers(),
                                settings.framesTopic(),
                                settings.predictionsTopic(),
                                recorder,
                                p -> {
                                    received.incrementAndGet();
                                    latencies.add(p.getTimings().getTotalMs());
                                    servingVersion.accumulateAndGet(p.getModelVersion(), Math::max);
                                });
                Thread recorderThread = new Thread(loop, "recorder");
                recorderThread.start();

                AtomicReference<String> cameraFailure = new AtomicReference<>();
                List<FrameProducer> producers = new ArrayList<>();
                List<Thread> producerThreads = new ArrayList<>();
                for (int c = 0; c < cameras; c++) {
                    FrameProducer producer =
                            new FrameProducer(
                                    kafka.bootstrapServers(), settings.framesTopic(), Map.of());
                    producers.add(producer);
                    FrameSupplier source = sources.get(c);
                    String camera = "camera-" + (c + 1);
                    Thread t =
                            new Thread(
                                    () -> {
                                        try {
                                            producer.run(
                                                    source,
                                                    camera,
                                                    fps,
                                                    frames,
                                                    Encoding.JPEG,
                                                    0.9f);
                                        } catch (IOException | RuntimeException e) {
                                            cameraFailure.compareAndSet(
                                                    null, camera + " stopped: " + e);
                                        }
                                    },
                                    "camera-" + (c + 1));
                    producerThreads.add(t);
                    t.start();
                }

                CountDownLatch interrupted = new CountDownLatch(1);
                Thread hook = new Thread(interrupted::countDown, "shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                long expected = frames > 0 ? frames * cameras : Long.MAX_VALUE;
                long started = System.nanoTime();
                long lastCount = 0;
                long lastTime = started;
                long shed = 0;
                // 10 samples of 2 s: a backlog and a latency higher than 20 s before, and at least
                // 5 s.
                FallingBehind behind = new FallingBehind(10, 5_000);
                while (received.get() + shed < expected
                        && interrupted.getCount() > 0
                        && loop.failure() == null
                        && cameraFailure.get() == null) {
                    interrupted.await(2, TimeUnit.SECONDS);
                    long now = System.nanoTime();
                    long sent = producers.stream().mapToLong(FrameProducer::sent).sum();
                    long got = received.get();
                    double rate = (got - lastCount) / ((now - lastTime) / 1e9);
                    lastCount = got;
                    lastTime = now;
                    float[] l = drain(latencies);
                    // The job chose the process's CPU kernels when it loaded its first model
                    // (docs/operations.md): say so when this machine needed the slower safe ones.
                    KernelPath kernels = Kernels.chosen();
                    if (!kernelsReported && kernels != null) {
                        kernelsReported = true;
                        if (kernels != KernelPath.ONEDNN) {
                            System.out.println(
                                    "SceneStream: CPU kernels: "
                                            + kernels.description()
                                            + " ("
                                            + Kernels.reason()
                                            + "); models run slower than on oneDNN, with right numbers");
                        }
                    }
                    long skipped = loop.skipped();
                    if (settings.inference().maxLagMs() > 0) {
                        shed = framesShed(job, shed);
                    }
                    String adapting = "";
                    if (adaptation != null) {
                        for (RoundSummary r : adaptation.poll()) {
                            System.out.println(r.line());
                        }
                        adapting = "; " + adaptation.progress();
                        Duration running = Duration.ofNanos(now - started);
                        String why = adaptation.whyNoRound(running);
                        if (!warnedNoRound
                                && why != null
                                && running.toSeconds() >= adaptWarnAfter) {
                            System.out.println("warning: " + why);
                            warnedNoRound = true;
                        }
                    }
                    String late =
                            behind.sample(
                                    sent,
                                    got,
                                    quantile(l, 0.5),
                                    rate,
                                    fps > 0 ? fps * cameras : 0,
                                    settings.inference().maxLagMs());
                    if (late != null) {
                        System.out.println("warning: " + late);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "frames in %d, predictions out %d, %.1f frames/s, latency p50 %s p99 %s, "
                                    + "model v%d%s%s%s%n",
                            sent,
                            got,
                            rate,
                            pct(l, 0.5),
                            pct(l, 0.99),
                            servingVersion.get(),
                            skipped > 0 ? ", " + skipped + " bad records not recorded" : "",
                            shed > 0
                                    ? String.format(
                                            Locale.ROOT,
                                            ", %d frames shed (later than %d ms)",
                                            shed,
                                            settings.inference().maxLagMs())
                                    : "",
                            adapting);
                }
                producers.forEach(FrameProducer::stop);
                for (Thread t : producerThreads) {
                    t.join(10_000);
                }
                loop.stop();
                recorderThread.join(10_000);
                producers.forEach(FrameProducer::close);
                for (FrameSupplier s : sources) {
                    s.close();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // Ctrl-C: the JVM is exiting; everything above has been closed already.
                }
                System.out.printf(
                        Locale.ROOT,
                        "done: %d predictions in %.1f s; videos and snapshots in %s%n",
                        received.get(),
                        (System.nanoTime() - started) / 1e9,
                        out.toAbsolutePath());
                if (loop.failure() != null) {
                    System.err.printf(
                            Locale.ROOT,
                            "SceneStream: the recorder stopped early (%s): videos and snapshots "
                                    + "end at %d predictions%n",
                            loop.failure(),
                            loop.recorded());
                    return 1;
                }
                if (cameraFailure.get() != null) {
                    System.err.println("SceneStream: camera " + cameraFailure.get());
                    return 1;
                }
            }
        }
        return 0;
    }

    /** Frames the job has shed for being late, as its accumulator says; {@code last} if unknown. */
    private static long framesShed(JobClient job, long last) {
        try {
            Object n =
                    job.getAccumulators()
                            .get(5, TimeUnit.SECONDS)
                            .get(InferenceOperator.SHED_ACCUMULATOR);
            return n instanceof Number v ? Math.max(last, v.longValue()) : last;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return last;
        } catch (ExecutionException | TimeoutException e) {
            return last;
        }
    }

    /** The live dashboard of the pipeline's topics, on loopback. */
    private Dashboard startDashboard(LocalPipeline pipeline, CheckpointManifest manifest)
            throws IOException {
        JobSettings s = pipeline.settings();
        DashboardSettings.Builder b =
                DashboardSettings.builder()
                        .setBootstrapServers(pipeline.bootstrapServers())
                        .optTopics(
                                new DashboardTopics(
                                        s.framesTopic(),
                                        s.predictionsTopic(),
                                        s.deadLetterTopic(),
                                        s.pseudoLabelsTopic(),
                                        s.modelUpdatesTopic(),
                                        s.roundsTopic()))
                        .optPalette(NyuPalette.forClassCount(manifest.classNames().size()))
                        .optPort(dashboardPort);
        try {
            return Dashboard.start(b.build());
        } catch (BindException e) {
            return Dashboard.start(b.optPort(0).build());
        }
    }

    private FrameSupplier openSource(int camera, Size wh) throws IOException {
        if (video != null) {
            return new VideoSource(video, true, wh.width(), wh.height());
        }
        if (images != null) {
            return new ImageFolderSource(images, true, wh.width(), wh.height());
        }
        String[] schedules = schedule.split(";");
        return CameraSources.synthetic(
                camera,
                wh.width(),
                wh.height(),
                schedules[Math.min(camera, schedules.length - 1)].trim());
    }

    private static float[] drain(ConcurrentLinkedQueue<Float> q) {
        List<Float> l = new ArrayList<>();
        Float f;
        while ((f = q.poll()) != null) {
            l.add(f);
        }
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        Arrays.sort(a);
        return a;
    }

    private static String pct(float[] sorted, double q) {
        if (sorted.length == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f ms", quantile(sorted, q));
    }

    private static double quantile(float[] sorted, double q) {
        return sorted.length == 0
                ? Double.NaN
                : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }
}
