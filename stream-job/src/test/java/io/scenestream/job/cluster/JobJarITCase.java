package io.scenestream.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import com.google.protobuf.ByteString;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.LiteCheckpoints;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar as a Flink distribution runs it: a JobManager and a TaskManager whose classpath holds
 * only Flink's runtime and {@code target/scenestream-stream-job-*-job.jar}, none of the project's
 * other classes. JPEG frames in, a prediction for each out, with depth and segmentation maps of the
 * frame's size: the jar carries everything the job loads (DJL and libtorch, OpenCV for decoding,
 * the Kafka connector).
 */
class JobJarITCase {

    private static final int H = 64;
    private static final int W = 96;
    private static final int FRAMES = 6;

    @TempDir Path dir;

    @Test
    @Timeout(600)
    void theJobJarOnFlinksRuntimeAloneTurnsJpegFramesIntoPredictions() throws Exception {
        Path student = dir.resolve("student.ckpt.zip");
        LiteCheckpoints.save(student, "student", 1, H, W);
        String runtime = flinkRuntimeAndJobJar();
        Map<String, String> flink = new TreeMap<>();
        flink.put("taskmanager.memory.task.off-heap.size", "128m");
        ClusterSpec spec =
                new ClusterSpec(
                        dir.resolve("cluster"),
                        runtime,
                        ClusterSpec.currentClasspath(),
                        ClusterSpec.currentJava(),
                        1,
                        1,
                        "768m",
                        "1600m",
                        "384m",
                        0,
                        0,
                        0,
                        0,
                        flink,
                        Map.of("OMP_NUM_THREADS", "1"));
        try (StandaloneCluster cluster = StandaloneCluster.start(spec)) {
            Map<String, String> options = new HashMap<>();
            options.put(JobOptions.MODEL_CHECKPOINT.key(), student.toString());
            options.put(JobOptions.RESOLUTION.key(), H + "x" + W);
            options.put(JobOptions.BATCH_SIZE.key(), "2");
            options.put(JobOptions.BATCH_DELAY_MS.key(), "20");
            options.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
            Configuration conf = ClusterJob.options(cluster, options);
            JobSettings settings = JobOptions.settings(conf);
            ClusterJob.createTopics(settings, 1);
            ClusterJob.submit("127.0.0.1", cluster.spec().restPort(), conf, "job-jar");

            SyntheticStream camera = new SyntheticStream(3, H, W, Domain.named("day"));
            List<Frame> sent = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    cluster.bootstrapServers()),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                for (int i = 0; i < FRAMES; i++) {
                    byte[] rgb = camera.next().rgb();
                    Frame f =
                            Frame.newBuilder()
                                    .setCameraId("porch")
                                    .setSequence(i)
                                    .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                                    .setWidth(W)
                                    .setHeight(H)
                                    .setEncoding(Encoding.JPEG)
                                    .setPayload(
                                            ByteString.copyFrom(FramePixels.jpeg(rgb, W, H, 0.9f)))
                                    .build();
                    sent.add(f);
                    producer.send(
                                    new ProducerRecord<>(
                                            settings.framesTopic(),
                                            "porch".getBytes(StandardCharsets.UTF_8),
                                            f.toByteArray()))
                            .get();
                }
            }

            List<Prediction> predictions =
                    read(cluster.bootstrapServers(), settings.predictionsTopic());
            assertThat(predictions)
                    .extracting(Prediction::getSequence)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            // The same frames through the same model in this JVM, decoded as the job decodes them.
            try (Model m = Model.newInstance("check")) {
                LoadedCheckpoint lc = Checkpoints.load(student, m.getNDManager());
                try (MtiNetPredictor predictor =
                        new MtiNetPredictor(lc.net(), m.getNDManager(), H, W, false)) {
                    for (Prediction p : predictions) {
                        assertThat(p.getModelVersion()).isEqualTo(1);
                        byte[] rgb = FramePixels.decode(sent.get((int) p.getSequence()));
                        FramePrediction here =
                                predictor.predict(List.of(new RgbFrame(W, H, rgb))).get(0);
                        // Compared as the job writes depth: millimetres, clamped to 16 bits.
                        short[] depth =
                                PredictionMaps.millimetres(
                                        PredictionMaps.depthMetres(
                                                p.getDepthPng().toByteArray(), W, H));
                        short[] expected = PredictionMaps.millimetres(here.depth());
                        byte[] classes =
                                PredictionMaps.segmentation(
                                        p.getSegmentationPng().toByteArray(), W, H);
                        int depthOff = 0;
                        int classOff = 0;
                        for (int i = 0; i < W * H; i++) {
                            if (Math.abs((depth[i] & 0xffff) - (expected[i] & 0xffff)) > 2) {
                                depthOff++;
                            }
                            if (classes[i] != here.classes()[i]) {
                                classOff++;
                            }
                        }
                        System.out.printf(
                                "JOB JAR frame %d: %d depth pixels off by more than 2 mm, %d of another class%n",
                                p.getSequence(), depthOff, classOff);
                        assertThat(depthOff)
                                .as("depth pixels off by more than 2 mm")
                                .isLessThan(W * H / 100);
                        assertThat(classOff).as("pixels of another class").isLessThan(W * H / 100);
                    }
                }
            }
        }
    }

    /**
     * Flink's runtime as a distribution's lib/ has it (the job module's provided dependencies, less
     * what only local mode uses, and the libraries the job jar leaves to lib/), and the job jar.
     */
    private static String flinkRuntimeAndJobJar() throws IOException {
        Path target = Path.of("target");
        Path jobJar;
        try (Stream<Path> files = Files.list(target)) {
            jobJar =
                    files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("no job jar in target/"));
        }
        List<String> cp = new ArrayList<>();
        // Provided dependencies that only local mode has: the project's own modules (the broker),
        // video, and the Kafka broker with its own libraries.
        List<String> localOnly =
                List.of(
                        "scenestream",
                        "/org/bytedeco/",
                        "/org/openjfx/",
                        "/org/apache/kafka/",
                        "/org/scala-lang/",
                        "/com/typesafe/",
                        "/org/pcollections/",
                        "/org/hdrhistogram/",
                        "/com/dynatrace/",
                        "/com/github/ben-manes/",
                        "/org/jspecify/",
                        "/net/sourceforge/argparse4j/",
                        "/commons-validator/",
                        "/commons-beanutils/",
                        "/commons-digester/",
                        "/com/fasterxml/jackson/dataformat/",
                        "/org/yaml/",
                        "/net/sf/jopt-simple/",
                        "/org/bitbucket/",
                        "/com/yammer/",
                        "/com/google/re2j/");
        for (String e : entries(target.resolve("classpath-local.txt"))) {
            if (localOnly.stream().noneMatch(e::contains)) {
                cp.add(e);
            }
        }
        for (String e : entries(target.resolve("classpath.txt"))) {
            if (Stream.of(
                            "/org/slf4j/slf4j-api/",
                            "/commons-io/",
                            "/commons-compress/",
                            "/org/xerial/snappy/")
                    .anyMatch(e::contains)) {
                cp.add(e);
            }
        }
        assertThat(cp).anyMatch(e -> e.contains("flink-runtime"));
        assertThat(cp)
                .noneMatch(
                        e ->
                                e.contains("scenestream")
                                        || e.contains("djl")
                                        || e.contains("opencv"));
        cp.add(jobJar.toAbsolutePath().toString());
        return String.join(File.pathSeparator, cp);
    }

    private static List<String> entries(Path classpathFile) throws IOException {
        return Arrays.stream(Files.readString(classpathFile).trim().split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .toList();
    }

    private static List<Prediction> read(String bootstrap, String topic) {
        List<Prediction> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                ConsumerConfig.GROUP_ID_CONFIG, "job-jar-check",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            PredictionDeserializer d = new PredictionDeserializer();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (out.size() < FRAMES && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(d.deserialize(topic, r.value()));
                }
            }
        }
        return out;
    }
}
