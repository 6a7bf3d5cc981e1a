package io.scenestream.tools;

import ai.djl.Device;
import ai.djl.Model;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.Size;
import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.Jobs;
import io.scenestream.job.Topics;
import io.scenestream.job.cluster.ClusterSpec;
import io.scenestream.kafka.producer.FrameProducer;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.inference.TorchThreads;
import io.scenestream.operators.Devices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the model alone against the whole pipeline (Kafka, decode, Flink, inference,
 * encode, Kafka) on the same frames, model and resolution, in one run; then capture-to-emit latency
 * at an offered rate of half the pipeline's capacity.
 *
 * <p>The comparison is made in pairs, close together in time, because a shared machine's speed
 * drifts by more than the difference being measured: one job runs throughout, and each pair is a
 * burst of frames through it and the model alone in a process of its own, in alternating order. The
 * model alone runs in another process because libtorch's OpenMP runtime (libgomp) keeps a team of
 * worker threads for every thread that ran a model, and while it manages more threads than there
 * are cores its workers stop spinning between parallel regions: in this process, next to the job's
 * idle inference thread and its team, the model alone would run slowed. And this process is stopped
 * (SIGSTOP) while the model alone runs, since its idle job, broker and clients still take CPU time
 * (about 5% of a core measured here), which slows libtorch's threads by more than they take; after
 * it is continued, a few untimed frames go through the job before the next burst (the broker's
 * session with its controller, stopped with it, outlasts the stop). The model alone is also
 * measured with nothing else running, before the broker starts and after it stops, and printed
 * beside the pairs' figures.
 *
 * <p>Before the pairs the job is warmed until the JIT compilers are nearly done ({@code
 * warmUntilCompiled}), and every burst prints the CPU time of this process by kind of thread
 * ({@link ThreadCpu}), so that what the pipeline spends besides the model can be seen.
 *
 * <p>One file: the measurement protocol (warm-up, pairs in alternating order, the model alone in a
 * process of its own, latency at half capacity) is one procedure whose steps depend on each other's
 * timing.
 */
@Command(
        name = "pipeline-benchmark",
        mixinStandardHelpOptions = true,
        description =
                "Model alone vs through Kafka and Flink: frames/s, ratio, latency p50/p99 at half capacity.")
public final class PipelineBenchmark implements Callable<Integer> {

    /** Frames run before anything is timed, alone and in the pipeline. */
    private static final int WARM_UP_FRAMES = 100;

    @Option(names = "--model", description = "checkpoint (default: ${DEFAULT-VALUE})")
    Path model = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(names = "--video", description = "frames from this video (default: ${DEFAULT-VALUE})")
    String video = "../shared/data/video/vtest.avi";

    @Option(names = "--camera-size", description = "frame WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
    String cameraSize = "320x256";

    @Option(
            names = "--frames",
            description = "frames for each throughput measurement (default: ${DEFAULT-VALUE})")
    int frames = 200;

    @Option(
            names = "--pairs",
            description =
                    "pairs of (model alone, pipeline) measurements; the median of their ratios "
                            + "is reported (default: ${DEFAULT-VALUE})")
    int pairs = 6;

    @Option(
            names = "--latency-frames",
            description = "frames for the latency measurement (default: ${DEFAULT-VALUE})")
    int latencyFrames = 150;

    @Option(
            names = "--cameras",
            description =
                    "cameras the frames of a burst come from, in turn (default: the job's "
                            + "parallelism, -D job.parallelism): their ids are picked so that Flink's key groups spread them evenly over "
                            + "the inference subtasks, as a fleet of many cameras spreads on average")
    Integer cameras;

    @Option(
            names = "--adapt",
            description = "also run the pipeline with self-training on and compare")
    boolean adapt;

    @Option(
            names = "--teacher",
            description = "teacher checkpoint for --adapt (default: ${DEFAULT-VALUE})")
    Path teacher = Path.of("model/checkpoints/teacher-w18.ckpt.zip");

    @Option(
            names = "--batch",
            description = "micro-batch size, the same for both (default: ${DEFAULT-VALUE})")
    int batch = 4;

    @Option(
            names = "--rounds",
            description =
                    "with --adapt: rounds of (pipeline, pipeline with self-training), each "
                            + "a fresh job; the median of their ratios is reported (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(
            names = "--warm-up",
            description =
                    "frames at most through the pairs' job before they start, in bursts "
                            + "of --frames, until the JIT compilers take under 1%% of the machine during one; the same for the model "
                            + "alone's process before it is timed (default: ${DEFAULT-VALUE})")
    int warmUp = 4000;

    @Option(
            names = "--alone-malloc",
            description =
                    "C allocator of the model alone's process: auto, jemalloc, glibc or "
                            + "system (bin/lib/native-memory.sh; auto: what bin/scenestream-model gets, jemalloc, for one loop, and the tuned "
                            + "glibc for several, which ran two loops of one libtorch thread at 25.2-27.8 frames/s on this 2-core machine "
                            + "against 16.9-23.2 under jemalloc; default: ${DEFAULT-VALUE})")
    String aloneMalloc = "auto";

    /** Set on the process that measures the model alone for its parent. */
    @Option(names = "--model-alone-only", hidden = true)
    boolean modelAloneOnly;

    private static final String ALONE_RESULT = "model-alone frames/s: ";

    /** The C allocator the model-alone process reported. */
    private String aloneAllocator = "?";

    /** CPU ms a frame the model-alone process's JIT compilers took while it was timed. */
    private double aloneJitMsPerFrame = Double.NaN;

    private static String allocatorInUse() {
        return System.getenv().getOrDefault("SCENESTREAM_MALLOC_IN_USE", "system");
    }

    @Option(
            names = {"-D"},
            description =
                    "a job option KEY=VALUE (see JobOptions) for the pipeline runs, e.g. "
                            + "-D self-training.threads=0")
    Map<String, String> jobOptions = Map.of();

    public static void main(String[] args) {
        System.exit(Jobs.run(new PipelineBenchmark(), "pipeline-benchmark", args));
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1
                || pairs < 1
                || frames < 2
                || batch < 1
                || (cameras != null && cameras < 1)) {
            throw new IllegalArgumentException(
                    "--pairs, --rounds, --batch and --cameras must be at least 1 and --frames at least 2");
        }
        aloneMalloc(1); // a bad --alone-malloc fails here, before anything runs
        Size wh = Size.parse(cameraSize, Size.Order.WIDTH_BY_HEIGHT, "--camera-size");
        CheckpointManifest manifest = Checkpoints.readManifest(model);
        List<RgbFrame> clip = new ArrayList<>();
        try (FrameSupplier source = new VideoSource(video, true, wh.width(), wh.height())) {
            for (int i = 0; i < frames; i++) {
                clip.add(source.next());
            }
        }
        if (modelAloneOnly) {
            double fps = modelAlone(clip, manifest);
            System.out.println(
                    ALONE_RESULT + fps + " " + allocatorInUse() + " " + aloneJitMsPerFrame);
            return 0;
        }
        // Frames are JPEG-encoded before anything is timed, as a camera would send them.
        List<byte[]> jpegs = new ArrayList<>();
        for (RgbFrame f : clip) {
            jpegs.add(FramePixels.jpeg(f.rgb(), f.width(), f.height(), 0.9f));
        }
        System.out.printf(
                Locale.ROOT,
                "%s, %dx%d input, batch %d, %d frames %dx%d a measurement, on %s%n",
                manifest.architecture().name(),
                manifest.inputHeight(),
                manifest.inputWidth(),
                batch,
                frames,
                wh.width(),
                wh.height(),
                device());
        Configuration layout = layout();
        System.out.printf(
                Locale.ROOT,
                "model alone in the job's layout: %d loop(s) at once, each with a model of its own on "
                        + "%s libtorch threads%n",
                layout.get(JobOptions.PARALLELISM),
                threadsOf(layout.get(JobOptions.INFERENCE_THREADS)));
        System.out.printf(
                Locale.ROOT,
                "CPU by thread kind (%d cores here): %s%n",
                Runtime.getRuntime().availableProcessors(),
                ThreadCpu.legend());
        List<Double> alones = new ArrayList<>();
        List<Double> pipelines = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> adaptRatios = new ArrayList<>();
        // The model alone once more with nothing else running (before the broker starts, after it
        // stops): in the pairs, this process exists beside it, stopped.
        double quietBefore = modelAloneInAProcessOfItsOwn(false);
        // The job's process, broker and controller included, is stopped for 10-30 s while the model
        // alone runs: with the default 9 s the controller, continued, found its broker's session
        // expired and fenced it (clients then retried on NotLeaderOrFollower), and the recovery's
        // code was being compiled in the next burst (up to 0.19 of this machine's cores for the
        // JIT).
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Map.of("broker.session.timeout.ms", "600000"))) {
            try (Pipeline job = new Pipeline(kafka, manifest, false, "p-", clip, jpegs)) {
                job.warmUntilCompiled(warmUp);
                for (int i = 1; i <= pairs; i++) {
                    // Alternating order, so that a drift within a pair favours neither.
                    boolean aloneFirst = i % 2 == 1;
                    double alone = aloneFirst ? modelAloneInAProcessOfItsOwn(true) : Double.NaN;
                    Burst burst = job.throughput();
                    if (!aloneFirst) {
                        alone = modelAloneInAProcessOfItsOwn(true);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "pair %d of %d (%s first): model alone %.2f frames/s, pipeline %.2f "
                                    + "frames/s = %.1f%%; inside the pipeline decode %.1f ms, inference %.1f ms a frame (model "
                                    + "alone %.1f; its JIT %.1f CPU ms a frame)%n",
                            i,
                            pairs,
                            aloneFirst ? "model alone" : "pipeline",
                            alone,
                            burst.fps,
                            100 * burst.fps / alone,
                            burst.decodeMs,
                            burst.inferenceMs,
                            1000 / alone,
                            aloneJitMsPerFrame);
                    System.out.printf(
                            Locale.ROOT, "  this process during the burst: %s%n", burst.cpu);
                    if (i == 1) {
                        System.out.printf(
                                Locale.ROOT,
                                "allocators: model alone %s, pipeline %s (bin/lib/native-memory.sh)%n",
                                aloneAllocator,
                                allocatorInUse());
                    }
                    alones.add(alone);
                    pipelines.add(burst.fps);
                    ratios.add(burst.fps / alone);
                }
                job.latency(median(pipelines) / 2);
            }
            System.out.printf(
                    Locale.ROOT,
                    "median of %d pairs: model alone %.2f frames/s, pipeline %.2f frames/s; "
                            + "pipeline %.1f%% of the model alone (pairs: %s)%n",
                    pairs,
                    median(alones),
                    median(pipelines),
                    100 * median(ratios),
                    percents(ratios));
            if (adapt) {
                // The teacher and the trainer keep working after a burst, so these are fresh jobs,
                // one at a time, in alternating order, compared with each other only.
                for (int r = 1; r <= rounds; r++) {
                    boolean adaptFirst = r % 2 == 0;
                    double adapting =
                            adaptFirst
                                    ? throughputOfAFreshJob(kafka, manifest, true, r, clip, jpegs)
                                    : Double.NaN;
                    double plain = throughputOfAFreshJob(kafka, manifest, false, r, clip, jpegs);
                    if (!adaptFirst) {
                        adapting = throughputOfAFreshJob(kafka, manifest, true, r, clip, jpegs);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "round %d of %d: pipeline %.2f frames/s, with self-training %.2f "
                                    + "frames/s = %.1f%% (%s first)%n",
                            r,
                            rounds,
                            plain,
                            adapting,
                            100 * adapting / plain,
                            adaptFirst ? "self-training" : "pipeline");
                    adaptRatios.add(adapting / plain);
                }
                System.out.printf(
                        Locale.ROOT,
                        "median of %d rounds: with self-training %.1f%% of the pipeline without "
                                + "it (rounds: %s)%n",
                        rounds,
                        100 * median(adaptRatios),
                        percents(adaptRatios));
            }
        }
        double quietAfter = modelAloneInAProcessOfItsOwn(false);
        System.out.printf(
                Locale.ROOT,
                "model alone with nothing else running: %.2f frames/s before, %.2f after (in the "
                        + "pairs, beside this process stopped: median %.2f)%n",
                quietBefore,
                quietAfter,
                median(alones));
        return 0;
    }

    private double throughputOfAFreshJob(
            EmbeddedKafka kafka,
            CheckpointManifest manifest,
            boolean selfTraining,
            int round,
            List<RgbFrame> clip,
            List<byte[]> jpegs)
            throws Exception {
        try (Pipeline job =
                new Pipeline(
                        kafka,
                        manifest,
                        selfTraining,
                        "r" + round + (selfTraining ? "-adapt-" : "-"),
                        clip,
                        jpegs)) {
            return job.throughput().fps;
        }
    }

    /** Frames/s of a burst, with what decoding and inference took a frame inside the pipeline. */
    private record Burst(
            double fps, double decodeMs, double inferenceMs, String cpu, boolean jitNearlyIdle) {}

    /**
     * The job on topics of its own, with a producer of frames and a consumer of predictions; warmed
     * up.
     */
    private final class Pipeline implements AutoCloseable {

        private final JobSettings settings;
        private final List<RgbFrame> clip;
        private final List<byte[]> jpegs;
        private final JobClient job;
        private final KafkaProducer<byte[], byte[]> producer;
        private final KafkaConsumer<byte[], byte[]> consumer;

        Pipeline(
                EmbeddedKafka kafka,
                CheckpointManifest manifest,
                boolean selfTraining,
                String prefix,
                List<RgbFrame> clip,
                List<byte[]> jpegs)
                throws Exception {
            this.clip = clip;
            this.jpegs = jpegs;
            Configuration conf = new Configuration();
            conf.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(JobOptions.MODEL_CHECKPOINT, model.toAbsolutePath().toString());
            conf.set(JobOptions.RESOLUTION, manifest.inputHeight() + "x" + manifest.inputWidth());
            conf.set(JobOptions.BATCH_SIZE, batch);
            conf.set(JobOptions.BATCH_DELAY_MS, 20L);
            conf.set(JobOptions.STARTING_OFFSETS, "earliest");
            conf.set(JobOptions.FRAMES_TOPIC, prefix + "frames");
            conf.set(JobOptions.PREDICTIONS_TOPIC, prefix + "predictions");
            conf.set(JobOptions.DEAD_LETTER_TOPIC, prefix + "dead-letters");
            conf.set(JobOptions.MODEL_UPDATES_TOPIC, prefix + "model-updates");
            conf.set(JobOptions.PSEUDO_LABELS_TOPIC, prefix + "pseudo-labels");
            conf.set(JobOptions.GROUP_ID, prefix + "benchmark");
            if (selfTraining) {
                conf.set(JobOptions.SELF_TRAINING, true);
                conf.set(JobOptions.TEACHER_CHECKPOINT, teacher.toAbsolutePath().toString());
            }
            jobOptions.forEach(conf::setString);
            settings = JobOptions.settings(conf);
            Topics.create(kafka, settings, 1);
            // The job's process is stopped while the model alone runs (up to minutes on a slow
            // host): with Flink's 50 s default the JobManager, continued, timed out its
            // TaskManager's heartbeat and restarted the job in the middle of the pairs.
            Configuration cluster = new Configuration();
            cluster.set(
                    org.apache.flink.configuration.HeartbeatManagerOptions.HEARTBEAT_TIMEOUT,
                    Duration.ofMinutes(10));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(cluster);
            job =
                    Jobs.startOnKafka(
                            env,
                            settings,
                            "pipeline-benchmark" + (selfTraining ? " (self-training)" : ""));
            producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    kafka.bootstrapServers(),
                                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                    16 << 20,
                                    // A backlog of frames in few requests, as FrameProducer sends
                                    // one.
                                    ProducerConfig.BATCH_SIZE_CONFIG,
                                    FrameProducer.BATCH_BYTES),
                            new ByteArraySerializer(),
                            new ByteArraySerializer());
            consumer = consumer(kafka, settings.predictionsTopic());
            System.out.printf(
                    Locale.ROOT,
                    "job %s: parallelism %d, libtorch threads an inference subtask %s, a burst's "
                            + "cameras %s%n",
                    prefix,
                    settings.parallelism(),
                    threadsOf(settings.inference().threads()),
                    camerasOf("throughput-"));
            // Warm up the job (model load, first batches, the JIT compiling the per-frame code)
            // before measuring.
            int warm = Math.min(WARM_UP_FRAMES, clip.size());
            send(
                    producer,
                    settings.framesTopic(),
                    clip,
                    jpegs.subList(0, warm),
                    camerasOf("warmup-"),
                    0);
            collect(consumer, warm, Duration.ofMinutes(3));
        }

        /**
         * The cameras a burst of this purpose comes from (--cameras, spread over the inference
         * subtasks).
         */
        List<String> camerasOf(String prefix) {
            return camerasSpreadOver(
                    prefix,
                    cameras != null ? cameras : settings.parallelism(),
                    settings.parallelism());
        }

        /**
         * Bursts through the job until the JIT compilers' share of the machine during one falls
         * under 1%, or {@code maxFrames} have gone through. A stream runs for days: its figures are
         * those of compiled code, while the Kafka broker's and clients' code, run a few hundred
         * times a burst, keeps being compiled for minutes (the compilers took 5-15 CPU ms a frame,
         * 0.1-0.25 of this machine's 2 cores, in bursts 2-3 minutes after the job started).
         */
        void warmUntilCompiled(int maxFrames) throws Exception {
            int done = 0;
            while (done < maxFrames && ThreadCpu.available()) {
                Burst b = throughput();
                done += clip.size() + Math.min(2 * batch, clip.size());
                System.out.printf(
                        Locale.ROOT,
                        "warm-up, %d frames through the job: %.2f frames/s, %s%n",
                        done,
                        b.fps,
                        b.cpu);
                if (b.jitNearlyIdle) {
                    return;
                }
            }
        }

        /**
         * A backlog of frames, drained as fast as the pipeline can; after a few frames through it
         * first, untimed (the process may just have been continued after a stop).
         */
        Burst throughput() throws Exception {
            int settle = Math.min(2 * batch, clip.size());
            send(
                    producer,
                    settings.framesTopic(),
                    clip,
                    jpegs.subList(0, settle),
                    camerasOf("settle-"),
                    0);
            collect(consumer, settle, Duration.ofMinutes(3));
            ThreadCpu cpuBefore = ThreadCpu.available() ? ThreadCpu.sample() : null;
            long wallBefore = System.nanoTime();
            send(producer, settings.framesTopic(), clip, jpegs, camerasOf("throughput-"), 0);
            List<Prediction> out = collect(consumer, clip.size(), Duration.ofMinutes(10));
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            Map<String, Double> used =
                    cpuBefore == null ? null : ThreadCpu.sample().secondsSince(cpuBefore);
            String cpu =
                    used == null
                            ? "CPU not measured (no /proc/self/task)"
                            : ThreadCpu.describe(used, wall, clip.size());
            boolean jitIdle = used != null && ThreadCpu.jitNearlyIdle(used, wall);
            // From the first emit to the last, whichever subtask emitted them.
            long first = out.stream().mapToLong(Prediction::getEmitTimeUs).min().getAsLong();
            long last = out.stream().mapToLong(Prediction::getEmitTimeUs).max().getAsLong();
            double decode =
                    out.stream()
                            .mapToDouble(p -> p.getTimings().getDecodeMs())
                            .average()
                            .orElse(Double.NaN);
            double infer =
                    out.stream()
                            .mapToDouble(p -> p.getTimings().getInferenceMs())
                            .average()
                            .orElse(Double.NaN);
            return new Burst(
                    (out.size() - 1) / ((last - first) / 1e6), decode, infer, cpu, jitIdle);
        }

        /** Capture-to-emit latency p50 and p99 of frames offered at {@code rate} frames/s. */
        void latency(double rate) throws Exception {
            List<RgbFrame> lat = clip.subList(0, Math.min(latencyFrames, clip.size()));
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    send(
                                            producer,
                                            settings.framesTopic(),
                                            lat,
                                            jpegs.subList(0, lat.size()),
                                            camerasOf("latency-"),
                                            rate);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            t.start();
            List<Prediction> timed = collect(consumer, lat.size(), Duration.ofMinutes(10));
            t.join();
            float[] totals = new float[timed.size()];
            for (int i = 0; i < totals.length; i++) {
                totals[i] = timed.get(i).getTimings().getTotalMs();
            }
            Arrays.sort(totals);
            System.out.printf(
                    Locale.ROOT,
                    "latency at %.2f frames/s offered (half the pipeline's median): capture-to-emit "
                            + "p50 %.0f ms, p99 %.0f ms (%d frames)%n",
                    rate,
                    totals[totals.length / 2],
                    totals[Math.min(totals.length - 1, (int) (0.99 * totals.length))],
                    totals.length);
        }

        @Override
        public void close() throws Exception {
            try (producer;
                    consumer) {
                Jobs.cancelAndWait(job, Duration.ofSeconds(30));
            }
        }
    }

    /**
     * Sends pre-encoded frames, frame {@code i} from camera {@code i % cameras.size()} (each
     * camera's sequence numbers counting its own frames), paced at {@code rate} frames/s in all (0:
     * at once).
     */
    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            List<RgbFrame> frames,
            List<byte[]> jpegs,
            List<String> cameras,
            double rate)
            throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < jpegs.size(); i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            RgbFrame f = frames.get(i);
            String camera = cameras.get(i % cameras.size());
            Frame record =
                    Frame.newBuilder()
                            .setCameraId(camera)
                            .setSequence(i / cameras.size())
                            .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                            .setWidth(f.width())
                            .setHeight(f.height())
                            .setEncoding(Encoding.JPEG)
                            .setPayload(ByteString.copyFrom(jpegs.get(i)))
                            .build();
            producer.send(
                    new ProducerRecord<>(
                            topic, camera.getBytes(StandardCharsets.UTF_8), record.toByteArray()));
        }
        producer.flush();
    }

    /**
     * {@code n} camera ids starting with {@code prefix}, the {@code c}-th of which Flink's key
     * groups assign to inference subtask {@code c % parallelism} (the operator's default maximum
     * parallelism), so that a burst keeps every subtask busy.
     */
    static List<String> camerasSpreadOver(String prefix, int n, int parallelism) {
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
        List<String> ids = new ArrayList<>();
        for (int k = 0; ids.size() < n; k++) {
            String id = prefix + k;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, parallelism)
                    == ids.size() % parallelism) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Frames/s of the model alone, measured by this command in a process of its own (see the class
     * comment): same JVM options, class path and environment (so the same libtorch threads), with
     * the C allocator the launchers give a process that runs the model alone ({@code
     * bin/lib/native-memory.sh}, {@code SCENESTREAM_PROCESS=model}), as {@code
     * bin/scenestream-model} would, or with several loops the tuned glibc (jemalloc's single arena
     * serialises their allocations; {@code --alone-malloc}): each side at its best. With {@code
     * freezeThisProcess}, this process (its idle job, broker and clients) is stopped (SIGSTOP)
     * while the model runs, and continued when that process ends, however it ends.
     */
    private double modelAloneInAProcessOfItsOwn(boolean freezeThisProcess)
            throws IOException, InterruptedException {
        Path allocator = Path.of("bin", "lib", "native-memory.sh");
        if (!Files.isRegularFile(allocator)) {
            throw new IOException(
                    "run this from the project's root (bin/scenestream-local does): "
                            + allocator
                            + " not found");
        }
        // bash -c SCRIPT ALLOCATOR PID JAVA ARGS...: the script continues this process on any exit
        // (the trap), stops it, picks the allocator and runs the model; its output goes to a file,
        // since nothing here reads a pipe while stopped.
        String script =
                freezeThisProcess
                        ? "p=$1; trap 'kill -CONT $p' EXIT; kill -STOP $p; shift; source \"$0\"; \"$@\""
                        : "shift; source \"$0\"; \"$@\"";
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "bash",
                                "-c",
                                script,
                                allocator.toString(),
                                Long.toString(ProcessHandle.current().pid())));
        cmd.add(ClusterSpec.currentJava());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(
                List.of(
                        "-cp",
                        ClusterSpec.currentClasspath(),
                        PipelineBenchmark.class.getName(),
                        "--model-alone-only",
                        "--model",
                        model.toAbsolutePath().toString(),
                        "--video",
                        video,
                        "--camera-size",
                        cameraSize,
                        "--frames",
                        Integer.toString(frames),
                        "--batch",
                        Integer.toString(batch),
                        "--warm-up",
                        Integer.toString(warmUp)));
        jobOptions.forEach((k, v) -> cmd.addAll(List.of("-D", k + "=" + v)));
        Path log = Files.createTempFile("scenestream-model-alone-", ".log");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("SCENESTREAM_PROCESS", "model");
            String malloc = aloneMalloc(layout().get(JobOptions.PARALLELISM));
            if (malloc != null) {
                pb.environment().put("SCENESTREAM_MALLOC", malloc);
            }
            int rc = pb.start().waitFor();
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith(ALONE_RESULT)) {
                    String[] result = line.substring(ALONE_RESULT.length()).split(" ");
                    aloneAllocator = result[1];
                    aloneJitMsPerFrame =
                            result.length > 2 ? Double.parseDouble(result[2]) : Double.NaN;
                    if (rc == 0) {
                        return Double.parseDouble(result[0]);
                    }
                }
            }
            throw new IOException(
                    "the model-alone process exited with "
                            + rc
                            + " and no result; its last lines:\n"
                            + String.join(
                                    "\n",
                                    lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The job options given (-D) as a configuration, for the pipeline's layout. */
    private Configuration layout() {
        Configuration conf = new Configuration();
        jobOptions.forEach(conf::setString);
        return conf;
    }

    /** An inference.threads setting in words. */
    private static String threadsOf(int setting) {
        return setting == 0 ? "libtorch's default" : Integer.toString(setting);
    }

    /**
     * SCENESTREAM_MALLOC for the model alone's process; null: leave it to native-memory.sh and the
     * environment.
     */
    private String aloneMalloc(int loops) {
        return switch (aloneMalloc) {
            case "auto" -> loops > 1 ? "glibc" : null;
            case "jemalloc", "glibc", "system" -> aloneMalloc;
            default ->
                    throw new IllegalArgumentException(
                            "--alone-malloc must be auto, jemalloc, glibc or system, not '"
                                    + aloneMalloc
                                    + "'");
        };
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String percents(List<Double> xs) {
        return String.join(
                ", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.1f%%", 100 * x)).toList());
    }

    /**
     * Frames/s of the model alone in the pipeline's layout: as many loops as the job has inference
     * subtasks ({@code -D job.parallelism}), each with a model of its own on a thread of its own
     * running libtorch on the subtasks' threads ({@code -D inference.threads}), the clip's frames
     * dealt to them in turn; warmed as the job is.
     */
    private double modelAlone(List<RgbFrame> clip, CheckpointManifest manifest) throws Exception {
        Configuration layout = layout();
        int lanes = layout.get(JobOptions.PARALLELISM);
        int threads = layout.get(JobOptions.INFERENCE_THREADS);
        List<AloneLane> open = new ArrayList<>();
        try {
            for (int l = 0; l < lanes; l++) {
                List<RgbFrame> share = new ArrayList<>();
                for (int i = l; i < clip.size(); i += lanes) {
                    share.add(clip.get(i));
                }
                open.add(new AloneLane(l, share, manifest, threads));
            }
            passOver(open, WARM_UP_FRAMES / lanes);
            // Then, as the pipeline's job, passes over the clip until the JIT compilers take under
            // 1% of the machine during one (at most --warm-up frames): a fresh process compiles
            // too.
            for (int done = 0; done < warmUp && ThreadCpu.available(); done += clip.size()) {
                ThreadCpu before = ThreadCpu.sample();
                long t0 = System.nanoTime();
                passOver(open, clip.size());
                if (ThreadCpu.jitNearlyIdle(
                        ThreadCpu.sample().secondsSince(before), (System.nanoTime() - t0) / 1e9)) {
                    break;
                }
            }
            ThreadCpu before = ThreadCpu.available() ? ThreadCpu.sample() : null;
            long start = System.nanoTime();
            passOver(open, clip.size());
            double seconds = (System.nanoTime() - start) / 1e9;
            aloneJitMsPerFrame =
                    before == null
                            ? Double.NaN
                            : 1000
                                    * ThreadCpu.sample().secondsSince(before).get("jit")
                                    / clip.size();
            return clip.size() / seconds;
        } finally {
            for (AloneLane lane : open) {
                lane.close();
            }
        }
    }

    /**
     * Every lane over the first {@code framesEach} frames of its share, at once; returns when all
     * are done.
     */
    private void passOver(List<AloneLane> lanes, int framesEach) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (AloneLane lane : lanes) {
            running.add(
                    lane.thread.submit(
                            () ->
                                    predictInBatches(
                                            lane.predictor,
                                            lane.share.subList(
                                                    0, Math.min(framesEach, lane.share.size())))));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }

    /** One loop of the model alone: a model, its predictor and the thread that runs them. */
    private final class AloneLane implements AutoCloseable {

        final List<RgbFrame> share;
        final ExecutorService thread;
        final Model djlModel;
        final MtiNetPredictor predictor;

        AloneLane(int index, List<RgbFrame> share, CheckpointManifest manifest, int threads)
                throws Exception {
            this.share = share;
            thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "model-alone-" + index));
            // On the pipeline's device (-D model.device), not the engine's default, which is a GPU
            // wherever there is one.
            Model m = Model.newInstance("alone-" + index, device());
            MtiNetPredictor p = null;
            try {
                LoadedCheckpoint lc = Checkpoints.load(model, m.getNDManager());
                p =
                        new MtiNetPredictor(
                                lc.net(),
                                m.getNDManager(),
                                manifest.inputHeight(),
                                manifest.inputWidth(),
                                false);
                thread.submit(() -> TorchThreads.useOnThisThread(threads)).get();
            } catch (Exception | Error e) {
                thread.shutdownNow();
                try (m;
                        MtiNetPredictor opened = p) {
                    throw e;
                }
            }
            djlModel = m;
            predictor = p;
        }

        @Override
        public void close() throws InterruptedException {
            thread.shutdown();
            thread.awaitTermination(1, TimeUnit.MINUTES);
            // The predictor, then its model.
            try (djlModel;
                    predictor) {
                // nothing else to close
            }
        }
    }

    /**
     * The device of the pipeline's inference operator (one instance: subtask 0), as {@code -D
     * model.device} sets it.
     */
    private Device device() {
        return Devices.of(layout().get(JobOptions.DEVICE), 0);
    }

    private void predictInBatches(MtiNetPredictor predictor, List<RgbFrame> frames) {
        for (int i = 0; i < frames.size(); i += batch) {
            predictor.predict(frames.subList(i, Math.min(frames.size(), i + batch)));
        }
    }

    /**
     * A consumer of the topic's partitions from their start, assigned rather than in a group: this
     * process is stopped for tens of seconds while the model alone runs, and a group member's
     * session can expire across such a stop, after which the group rebalanced and the consumer read
     * again, from its last committed offset, predictions it had already counted (a burst then
     * looked ten times slower than it was).
     */
    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
        for (org.apache.kafka.common.PartitionInfo p :
                c.partitionsFor(topic, Duration.ofMinutes(1))) {
            partitions.add(new org.apache.kafka.common.TopicPartition(topic, p.partition()));
        }
        c.assign(partitions);
        return c;
    }

    private static List<Prediction> collect(
            KafkaConsumer<byte[], byte[]> c, int n, Duration timeout) throws IOException {
        PredictionDeserializer de = new PredictionDeserializer();
        List<Prediction> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "only " + out.size() + " of " + n + " predictions within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                out.add(de.deserialize(r.topic(), r.value()));
            }
        }
        return out;
    }
}
