package io.scenestream.job;

import ai.djl.Model;
import io.scenestream.kafka.broker.EmbeddedKafka;
import io.scenestream.kafka.producer.FrameProducer;
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
import picocli.CommandLine;
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

    @Option(names = "--batch", description = "micro-batch size, the same for both (default: ${DEFAULT-VALUE})")
    int batch = 4;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String[] p = cameraSize.split("x");
        int w = Integer.parseInt(p[0]);
        int h = Integer.parseInt(p[1]);
        CheckpointManifest manifest = Checkpoints.readManifest(model);
        List<RgbFrame> clip = new ArrayList<>();
        try (FrameSupplier source = new VideoSource(video, true, w, h)) {
            for (int i = 0; i < frames; i++) {
                clip.add(source.next());
            }
        }
        double alone = modelAlone(clip, manifest);
        System.out.printf(Locale.ROOT, "model alone: %.2f frames/s (%s, %dx%d input, batch %d, %d frames %dx%d)%n",
                alone, manifest.architecture().name(), manifest.inputHeight(), manifest.inputWidth(), batch, frames, w, h);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Configuration conf = new Configuration();
            conf.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(JobOptions.MODEL_CHECKPOINT, model.toAbsolutePath().toString());
            conf.set(JobOptions.RESOLUTION, manifest.inputHeight() + "x" + manifest.inputWidth());
            conf.set(JobOptions.BATCH_SIZE, batch);
            conf.set(JobOptions.BATCH_DELAY_MS, 20L);
            conf.set(JobOptions.STARTING_OFFSETS, "earliest");
            JobSettings settings = JobOptions.settings(conf);
            Topics.create(kafka, settings, 1);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SceneStreamJob.configure(env, settings);
            SceneStreamJob.build(env, JobIo.kafka(settings), settings);
            JobClient job = env.executeAsync("pipeline-benchmark");
            try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), "frames", Map.of());
                    KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
                // Warm up the job (model load, first batches) before measuring.
                producer.run(new ListSource(clip.subList(0, Math.min(20, clip.size()))), "warmup", 0, 0, Encoding.JPEG, 0.9f);
                collect(consumer, Math.min(20, clip.size()), Duration.ofMinutes(3));

                // Throughput: a backlog of frames, as fast as the pipeline drains it.
                producer.run(new ListSource(clip), "throughput", 0, 0, Encoding.JPEG, 0.9f);
                List<Prediction> out = collect(consumer, clip.size(), Duration.ofMinutes(10));
                long first = out.get(0).getEmitTimeUs();
                long last = out.get(out.size() - 1).getEmitTimeUs();
                double pipeline = (out.size() - 1) / ((last - first) / 1e6);
                System.out.printf(Locale.ROOT, "pipeline:    %.2f frames/s (Kafka -> decode -> Flink -> MTI-Net -> Kafka)%n", pipeline);
                System.out.printf(Locale.ROOT, "ratio:       %.1f%% of the model alone%n", 100 * pipeline / alone);

                // Latency at half capacity: frames paced at half the pipeline's rate.
                double rate = pipeline / 2;
                List<RgbFrame> lat = clip.subList(0, Math.min(latencyFrames, clip.size()));
                Thread t = new Thread(() -> {
                    try {
                        producer.run(new ListSource(lat), "latency", rate, 0, Encoding.JPEG, 0.9f);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
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
            } finally {
                Jobs.cancelAndWait(job, java.time.Duration.ofSeconds(30));
            }
        }
        return 0;
    }

    private double modelAlone(List<RgbFrame> clip, CheckpointManifest manifest) throws IOException {
        try (Model m = Model.newInstance("alone")) {
            LoadedCheckpoint lc = Checkpoints.load(model, m.getNDManager());
            try (MtiNetPredictor predictor = new MtiNetPredictor(lc.net(), m.getNDManager(), manifest.inputHeight(),
                    manifest.inputWidth(), false)) {
                for (int i = 0; i < Math.min(20, clip.size()); i += batch) {
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

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "benchmark",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of("predictions"));
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

    /** A fixed list of frames as a source. */
    private static final class ListSource implements FrameSupplier {
        private final List<RgbFrame> frames;
        private int next;

        ListSource(List<RgbFrame> frames) {
            this.frames = frames;
        }

        @Override
        public RgbFrame next() {
            return next < frames.size() ? frames.get(next++) : null;
        }

        @Override
        public double frameRate() {
            return 0;
        }

        @Override
        public String describe() {
            return frames.size() + " frames";
        }

        @Override
        public void close() {}
    }
}
