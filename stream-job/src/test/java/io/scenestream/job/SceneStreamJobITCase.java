package io.scenestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.flink.RawRecordSchema;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole job on a real (embedded) Kafka and a Flink MiniCluster: frames of two cameras in,
 * predictions out in order per camera and equal to direct inference; bad records to the dead-letter
 * topic while every good frame still gets its prediction.
 */
class SceneStreamJobITCase {

    private static final int PER_CAMERA = 6;
    private static final List<String> CAMERAS = List.of("kitchen", "hall");

    /**
     * In both delivery modes (exactly-once: Kafka transactions, read with read_committed): each
     * frame exactly once. The exactly-once run has the codecs and the model beside the task's
     * thread, as on a GPU, whose batches must all have left before each checkpoint barrier.
     */
    @ParameterizedTest(name = "{0}, overlapped codecs: {1}")
    @CsvSource({"at-least-once, false", "exactly-once, true"})
    void framesBecomePredictionsAndBadRecordsBecomeDeadLetters(
            String delivery, boolean overlap, @TempDir Path dir) throws Exception {
        Path checkpoint = dir.resolve("student.ckpt.zip");
        Path shared = Paths.get(System.getProperty("scenestream.shared", "../shared"));
        try (Model m = Model.newInstance("ref")) {
            MtiNet net = new MtiNet(MtiNetConfig.named("reference-tiny"));
            net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 96, 128));
            StateDict.load(net, shared.resolve("mtinet-reference/weights.npz"));
            Checkpoints.save(
                    checkpoint,
                    net,
                    CheckpointManifest.from(net.getConfig())
                            .setModelName("student")
                            .setInputSize(96, 128)
                            .optModelVersion(3)
                            .optClassNames(NyudDataset.CLASSES_13)
                            .build());
        }
        NyudDataset nyud = new NyudDataset(shared.resolve("data/nyud-mini"), 13, "val");
        Map<String, List<byte[]>> sentPixels = new HashMap<>();

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("frames", 2, Map.of());
            kafka.createTopic("predictions", 2, Map.of());
            kafka.createTopic("frames-dead-letters", 1, Map.of());
            try (KafkaProducer<byte[], byte[]> p =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    kafka.bootstrapServers(),
                                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                    8 << 20),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                for (int i = 0; i < PER_CAMERA; i++) {
                    for (int c = 0; c < CAMERAS.size(); c++) {
                        String cam = CAMERAS.get(c);
                        DenseSample s =
                                nyud.read(nyud.ids().get(c * PER_CAMERA + i)).resize(120, 160);
                        Encoding enc = Encoding.forNumber(1 + (i % 3));
                        byte[] payload =
                                switch (enc) {
                                    case JPEG -> FramePixels.jpeg(s.rgb(), 160, 120, 0.9f);
                                    case PNG -> FramePixels.png(s.rgb(), 160, 120);
                                    default -> s.rgb();
                                };
                        Frame f =
                                Frame.newBuilder()
                                        .setCameraId(cam)
                                        .setSequence(i)
                                        .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                                        .setWidth(160)
                                        .setHeight(120)
                                        .setEncoding(enc)
                                        .setPayload(ByteString.copyFrom(payload))
                                        .build();
                        sentPixels
                                .computeIfAbsent(cam, k -> new ArrayList<>())
                                .add(FramePixels.decode(f));
                        p.send(new ProducerRecord<>("frames", key(cam), f.toByteArray()));
                        if (i == 2 && c == 0) {
                            sendBadRecords(p, f);
                        }
                    }
                }
                p.flush();
            }

            Configuration conf = new Configuration();
            conf.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(JobOptions.MODEL_CHECKPOINT, checkpoint.toString());
            conf.set(JobOptions.RESOLUTION, "96x128");
            conf.set(JobOptions.BATCH_SIZE, 4);
            conf.set(JobOptions.BATCH_DELAY_MS, 30L);
            conf.set(JobOptions.PARALLELISM, 2);
            conf.set(JobOptions.CHECKPOINT_INTERVAL_MS, 500L);
            conf.set(JobOptions.MAX_FRAME_BYTES, 1 << 20);
            conf.set(JobOptions.DELIVERY, delivery);
            conf.set(JobOptions.OVERLAP_CODECS, overlap);
            conf.set(JobOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
            JobSettings settings = JobOptions.settings(conf);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SceneStreamJob.configure(env, settings);
            KafkaSource<RawRecord> bounded =
                    KafkaSource.<RawRecord>builder()
                            .setBootstrapServers(kafka.bootstrapServers())
                            .setTopics("frames")
                            .setGroupId("it")
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .setDeserializer(new RawRecordSchema())
                            .build();
            SceneStreamJob.build(
                    env,
                    bounded,
                    SceneStreamJob.predictionSink(settings),
                    SceneStreamJob.deadLetterSink(settings),
                    settings);
            env.execute("scenestream-it");

            List<ConsumerRecord<byte[], byte[]>> predictions =
                    read(kafka, "predictions", CAMERAS.size() * PER_CAMERA);
            List<ConsumerRecord<byte[], byte[]>> dead = read(kafka, "frames-dead-letters", 5);
            assertThat(dead).hasSize(5);
            assertThat(dead)
                    .extracting(r -> header(r, "reason"))
                    .containsExactlyInAnyOrder(
                            "UNPARSABLE",
                            "UNPARSABLE",
                            "OVERSIZED",
                            "BAD_DIMENSIONS",
                            "UNKNOWN_ENCODING");
            assertThat(dead)
                    .allSatisfy(r -> assertThat(header(r, "source-topic")).isEqualTo("frames"));

            assertThat(predictions).hasSize(CAMERAS.size() * PER_CAMERA);
            Map<String, List<Prediction>> byCamera = new HashMap<>();
            PredictionDeserializer de = new PredictionDeserializer();
            for (ConsumerRecord<byte[], byte[]> r : predictions) {
                Prediction p = de.deserialize("predictions", r.value());
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(p.getCameraId());
                byCamera.computeIfAbsent(p.getCameraId(), k -> new ArrayList<>()).add(p);
            }
            try (Model m = Model.newInstance("direct")) {
                MtiNet net = Checkpoints.load(checkpoint, m.getNDManager()).net();
                try (MtiNetPredictor direct =
                        new MtiNetPredictor(net, m.getNDManager(), 96, 128, false)) {
                    for (String cam : CAMERAS) {
                        List<Prediction> got = byCamera.get(cam);
                        assertThat(got)
                                .extracting(Prediction::getSequence)
                                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
                        for (Prediction p : got) {
                            assertThat(p.getModelName()).isEqualTo("student");
                            assertThat(p.getModelVersion()).isEqualTo(3);
                            assertThat(p.getTimings().getTotalMs()).isPositive();
                            byte[] rgb = sentPixels.get(cam).get((int) p.getSequence());
                            FramePrediction expected =
                                    direct.predict(List.of(new RgbFrame(160, 120, rgb))).get(0);
                            assertSame(p, expected);
                        }
                    }
                }
            }
        }
    }

    private static void assertSame(Prediction p, FramePrediction expected) {
        assertThat(p.getWidth()).isEqualTo(expected.width());
        assertThat(p.getHeight()).isEqualTo(expected.height());
        float[] depth =
                PredictionMaps.depthMetres(
                        p.getDepthPng().toByteArray(), p.getWidth(), p.getHeight());
        byte[] classes =
                PredictionMaps.segmentation(
                        p.getSegmentationPng().toByteArray(), p.getWidth(), p.getHeight());
        int same = 0;
        for (int i = 0; i < depth.length; i++) {
            // Stored in millimetres; batching may change the last float bits.
            assertThat(Math.abs(depth[i] - expected.depth()[i]))
                    .as("depth at %d", i)
                    .isLessThanOrEqualTo(0.0011f);
            if (classes[i] == expected.classes()[i]) {
                same++;
            }
        }
        assertThat((double) same / classes.length).as("class agreement").isGreaterThan(0.999);
        assertThat((double) p.getConfidence().getMeanMaxProbability())
                .isCloseTo(expected.meanConfidence(), org.assertj.core.api.Assertions.within(1e-4));
    }

    private static void sendBadRecords(KafkaProducer<byte[], byte[]> p, Frame good) {
        byte[] bytes = good.toByteArray();
        p.send(
                new ProducerRecord<>(
                        "frames", key("kitchen"), Arrays.copyOf(bytes, bytes.length / 2)));
        byte[] garbage = new byte[512];
        Arrays.fill(garbage, (byte) 0xff);
        p.send(new ProducerRecord<>("frames", key("kitchen"), garbage));
        p.send(
                new ProducerRecord<>(
                        "frames",
                        key("kitchen"),
                        good.toBuilder()
                                .setPayload(ByteString.copyFrom(new byte[(1 << 20) + 10]))
                                .setEncoding(Encoding.RAW_RGB8)
                                .build()
                                .toByteArray()));
        p.send(
                new ProducerRecord<>(
                        "frames",
                        key("kitchen"),
                        good.toBuilder().setWidth(161).build().toByteArray()));
        p.send(
                new ProducerRecord<>(
                        "frames",
                        key("kitchen"),
                        good.toBuilder().setEncodingValue(9).build().toByteArray()));
    }

    private static byte[] key(String camera) {
        return camera.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(
            EmbeddedKafka kafka, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "read-" + topic,
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
                if (out.size() >= expected) {
                    // Anything more would be a duplicate or a stray: poll once more to see it.
                    c.poll(Duration.ofMillis(1000)).forEach(out::add);
                    break;
                }
            }
        }
        return out;
    }
}
