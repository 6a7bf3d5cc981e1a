package io.scenestream.job;

import ai.djl.Model;
import com.google.protobuf.ByteString;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FramePixels;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.scenestream.kafka.broker.EmbeddedKafka;
import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.VideoSource;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.inference.RgbFrame;
import io.scenestream.model.inference.TorchThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Throughput of the model alone against the whole pipeline (Kafka, decode, Flink, inference,
 * encode, Kafka) on the same frames, model and resolution, in one run; then capture-to-emit
 * latency at an offered rate of half the pipeline's capacity.
 */
@Command(name = "pipeline-benchmark", mixinStandardHelpOptions = true,
        description = "Model alone vs through Kafka and Flink: frames/s, ratio, latency p50/p99 at half capacity.")
public final class PipelineBenchmark implements Callable<Integer> {

    /** Frames run before anything is timed, alone and in the pipeline. */
    private static final int WARM_UP_FRAMES = 100;

    @Option(names = "--model", description = "checkpoint (default: ${DEFAULT-VALUE})")
    Path model = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(names = "--video", description = "frames from this video (default: ${DEFAULT-VALUE})")
    String video = "../shared/data/video/vtest.avi";

    @Option(names = "--camera-size", description = "frame WIDTHxHEIGHT (default: ${DEFAULT-VALUE})")
    String cameraSize = "320x256";

    @Option(names = "--frames", description = "frames for each throughput measurement (default: ${DEFAULT-VALUE})")
    int frames = 200;

    @Option(names = "--latency-frames", description = "frames for the latency measurement (default: ${DEFAULT-VALUE})")
    int latencyFrames = 150;

    @Option(names = "--adapt", description = "also run the pipeline with self-training on and compare")
    boolean adapt;

    @Option(names = "--teacher", description = "teacher checkpoint for --adapt (default: ${DEFAULT-VALUE})")
    Path teacher = Path.of("model/checkpoints/teacher-w18.ckpt.zip");

    @Option(names = "--batch", description = "micro-batch size, the same for both (default: ${DEFAULT-VALUE})")
    int batch = 4;

    @Option(names = "--rounds", description = "rounds of (model alone, pipeline[, with self-training]); medians "
            + "are reported (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(names = {"-D"}, description = "a job option KEY=VALUE (see JobOptions) for the pipeline runs, e.g. "
            + "-D self-training.threads=0")
    Map<String, String> jobOptions = Map.of();

    public static void main(String[] args) {
        System.exit(Jobs.run(new PipelineBenchmark(), "pipeline-benchmark", args));
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || frames < 2 || batch < 1) {
            throw new IllegalArgumentException(
                    "--rounds and --batch must be at least 1 and --frames at least 2");
        }
        int[] wh = Jobs.widthHeight(cameraSize, "--camera-size");
        int w = wh[0];
        int h = wh[1];
        CheckpointManifest manifest = Checkpoints.readManifest(model);
        List<RgbFrame> clip = new ArrayList<>();
        try (FrameSupplier source = new VideoSource(video, true, w, h)) {
            for (int i = 0; i < frames; i++) {
                clip.add(source.next());
            }
        }
        // Rounds, each the model alone right before and right after the pipeline, compared with their mean,
        // so a machine whose speed drifts (other work, a noisy host) moves the figures of a round together;
        // the medians over rounds are reported.
        List<Double> alones = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> adaptRatios = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (int r = 1; r <= rounds; r++) {
                System.out.printf(Locale.ROOT, "round %d of %d%n", r, rounds);
                double alone = modelAloneOnItsOwnThread(clip, manifest);
                System.out.printf(Locale.ROOT, "model alone: %.2f frames/s (%s, %dx%d input, batch %d, %d frames %dx%d)%n",
                        alone, manifest.architecture().name(), manifest.inputHeight(), manifest.inputWidth(), batch,
                        frames, w, h);
                // With --adapt, even rounds run the pipeline with self-training first, so that neither
                // run always has the warmer JIT, broker and page cache of going second.
                boolean adaptFirst = adapt && r % 2 == 0;
                double adapting = adaptFirst
                        ? pipeline(kafka, clip, manifest, true, "r" + r + "-adapt-", alone, false) : Double.NaN;
                double pipeline = pipeline(kafka, clip, manifest, false, "r" + r + "-", alone, r == 1);
                double after = modelAloneOnItsOwnThread(clip, manifest);
                double bracket = (alone + after) / 2;
                System.out.printf(Locale.ROOT, "model alone after: %.2f frames/s; pipeline %.1f%% of the mean before "
                        + "and after (%.2f frames/s)%n", after, 100 * pipeline / bracket, bracket);
                alones.add(bracket);
                ratios.add(pipeline / bracket);
                if (adapt) {
                    if (!adaptFirst) {
                        adapting = pipeline(kafka, clip, manifest, true, "r" + r + "-adapt-", alone, false);
                    }
                    System.out.printf(Locale.ROOT, "with self-training: %.1f%% of the pipeline without it (%s)%n",
                            100 * adapting / pipeline, adaptFirst ? "run first" : "run second");
                    adaptRatios.add(adapting / pipeline);
                }
            }
        }
        System.out.printf(Locale.ROOT, "median of %d rounds: model alone %.2f frames/s (mean of before and after); "
                + "pipeline %.1f%% of it (rounds: %s)%n", rounds, median(alones), 100 * median(ratios), percents(ratios));
        if (adapt) {
            System.out.printf(Locale.ROOT, "median of %d rounds: with self-training %.1f%% of the pipeline without it "
                    + "(rounds: %s)%n", rounds, 100 * median(adaptRatios), percents(adaptRatios));
        }
        return 0;
    }

    /** Runs the job on topics named with {@code prefix}; prints and returns its frames/s on a backlog. */
    private double pipeline(EmbeddedKafka kafka, List<RgbFrame> clip, CheckpointManifest manifest, boolean selfTraining,
            String prefix, double alone, boolean latency) throws Exception {
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
        JobSettings settings = JobOptions.settings(conf);
        Topics.create(kafka, settings, 1);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient job = Jobs.startOnKafka(env, settings, "pipeline-benchmark" + (selfTraining ? " (self-training)" : ""));
        String what = selfTraining ? "pipeline with self-training" : "pipeline";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20),
                        new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, settings.predictionsTopic())) {
            // Frames are JPEG-encoded before anything is timed, as a camera would send them.
            List<byte[]> jpegs = new ArrayList<>();
            for (RgbFrame f : clip) {
                jpegs.add(FramePixels.jpeg(f.rgb(), f.width(), f.height(), 0.9f));
            }
            // Warm up the job (model load, first batches, the JIT compiling the per-frame code) before measuring.
            int warm = Math.min(WARM_UP_FRAMES, clip.size());
            send(producer, settings.framesTopic(), clip, jpegs.subList(0, warm), "warmup", 0);
            collect(consumer, warm, Duration.ofMinutes(3));

            // Throughput: a backlog of frames, as fast as the pipeline drains it.
            send(producer, settings.framesTopic(), clip, jpegs, "throughput", 0);
            List<Prediction> out = collect(consumer, clip.size(), Duration.ofMinutes(10));
            long first = out.get(0).getEmitTimeUs();
            long last = out.get(out.size() - 1).getEmitTimeUs();
            double fps = (out.size() - 1) / ((last - first) / 1e6);
            System.out.printf(Locale.ROOT, "%-12s %.2f frames/s (Kafka -> decode -> Flink -> MTI-Net -> Kafka%s)%n",
                    what + ":", fps, selfTraining ? "; teacher and self-training running" : "");
            System.out.printf(Locale.ROOT, "ratio:       %.1f%% of the model alone before it%n", 100 * fps / alone);
            double decode = out.stream().mapToDouble(p -> p.getTimings().getDecodeMs()).average().orElse(Double.NaN);
            double infer = out.stream().mapToDouble(p -> p.getTimings().getInferenceMs()).average().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "inside:      decode %.1f ms/frame, inference %.1f ms/frame (model alone %.1f ms/frame)%n",
                    decode, infer, 1000 / alone);

            if (latency) {
                // Latency at half capacity: frames paced at half the pipeline's rate.
                double rate = fps / 2;
                List<RgbFrame> lat = clip.subList(0, Math.min(latencyFrames, clip.size()));
                Thread t = new Thread(() -> {
                    try {
                        send(producer, settings.framesTopic(), lat, jpegs.subList(0, lat.size()), "latency", rate);
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
                System.out.printf(Locale.ROOT, "latency at %.2f frames/s offered (half capacity): capture-to-emit p50 %.0f ms, p99 %.0f ms (%d frames)%n",
                        rate, totals[totals.length / 2], totals[Math.min(totals.length - 1, (int) (0.99 * totals.length))], totals.length);
            }
            return fps;
        } finally {
            Jobs.cancelAndWait(job, Duration.ofSeconds(30));
        }
    }

    /** Sends pre-encoded frames of one camera, paced at {@code rate} frames/s (0: at once). */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, List<RgbFrame> frames,
            List<byte[]> jpegs, String camera, double rate) throws InterruptedException {
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
            Frame record = Frame.newBuilder().setCameraId(camera).setSequence(i)
                    .setCaptureTimeUs(System.currentTimeMillis() * 1000).setWidth(f.width()).setHeight(f.height())
                    .setEncoding(Encoding.JPEG).setPayload(ByteString.copyFrom(jpegs.get(i))).build();
            producer.send(new ProducerRecord<>(topic, camera.getBytes(StandardCharsets.UTF_8), record.toByteArray()));
        }
        producer.flush();
    }

    /**
     * The model alone, on a thread of its own that then ends: libtorch's OpenMP runtime keeps a team of
     * worker threads for every thread that ran the model, and while it manages more threads than there
     * are cores it stops spinning between parallel regions (every region then waits for its workers to
     * wake up): a team left behind here would slow the pipeline's inference, which the job never has.
     */
    private double modelAloneOnItsOwnThread(List<RgbFrame> clip, CheckpointManifest manifest) throws Exception {
        java.util.concurrent.FutureTask<Double> run = new java.util.concurrent.FutureTask<>(() -> modelAlone(clip, manifest));
        Thread t = new Thread(run, "model-alone");
        t.start();
        try {
            return run.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            t.join();
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String percents(List<Double> xs) {
        return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.1f%%", 100 * x)).toList());
    }

    private double modelAlone(List<RgbFrame> clip, CheckpointManifest manifest) throws IOException {
        try (Model m = Model.newInstance("alone")) {
            LoadedCheckpoint lc = Checkpoints.load(model, m.getNDManager());
            try (MtiNetPredictor predictor = new MtiNetPredictor(lc.net(), m.getNDManager(), manifest.inputHeight(),
                    manifest.inputWidth(), false)) {
                // libtorch's default number of threads, as the pipeline's inference; warmed up on as
                // many frames as the pipeline is.
                TorchThreads.useOnThisThread(0);
                for (int i = 0; i < Math.min(WARM_UP_FRAMES, clip.size()); i += batch) {
                    predictor.predict(clip.subList(i, Math.min(clip.size(), i + batch)));
                }
                long start = System.nanoTime();
                for (int i = 0; i < clip.size(); i += batch) {
                    predictor.predict(clip.subList(i, Math.min(clip.size(), i + batch)));
                }
                return clip.size() / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static List<Prediction> collect(KafkaConsumer<byte[], byte[]> c, int n, Duration timeout) throws IOException {
        PredictionDeserializer de = new PredictionDeserializer();
        List<Prediction> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + out.size() + " of " + n + " predictions within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                out.add(de.deserialize(r.topic(), r.value()));
            }
        }
        return out;
    }
}
