package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.Timings;
import io.scenestream.kafka.serde.FrameSerializer;
import io.scenestream.kafka.serde.ModelUpdateSerializer;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.kafka.serde.PredictionSerializer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against the embedded broker: records made with the project's own serdes appear in
 * the JSON API with their counts, version and latency; the segmentation image holds exactly the
 * palette's colours of the predicted classes; bad records are counted, not fatal; events arrive.
 */
class DashboardITCase {

    private static final String CAMERA = "cam-a";
    private static final int W = 64;
    private static final int H = 48;
    private static final int PREDICTIONS = 5;

    /** NYUv2 13-class colours, written down here apart from the dashboard's palette. */
    static final int[][] NYU13 = {
        {0, 0, 255},
        {233, 89, 48},
        {0, 218, 0},
        {149, 0, 240},
        {222, 241, 24},
        {255, 206, 206},
        {0, 224, 229},
        {106, 136, 204},
        {117, 29, 41},
        {240, 35, 235},
        {0, 167, 156},
        {249, 139, 0},
        {225, 229, 194}
    };

    @TempDir static Path dir;
    private static EmbeddedKafka kafka;
    private static KafkaProducer<String, byte[]> producer;
    private static Dashboard dashboard;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        DashboardTopics t = DashboardTopics.DEFAULT;
        createTopics(kafka, t);
        producer = producer(kafka);
        FrameSerializer frames = new FrameSerializer();
        PredictionSerializer predictions = new PredictionSerializer();
        long now = System.currentTimeMillis() * 1000;
        for (int i = 0; i < PREDICTIONS; i++) {
            producer.send(
                    new ProducerRecord<>(
                            t.frames(), CAMERA, frames.serialize(t.frames(), frame(i))));
            producer.send(
                    new ProducerRecord<>(
                            t.predictions(),
                            CAMERA,
                            predictions.serialize(
                                    t.predictions(),
                                    prediction(CAMERA, i, now + i * 100_000L, 10f * (i + 1)))));
        }
        // What the topics may hold besides good records.
        producer.send(
                new ProducerRecord<>(
                        t.predictions(),
                        CAMERA,
                        "not a prediction".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(t.frames(), CAMERA, new byte[] {1, 2, 3}));
        producer.send(new ProducerRecord<>(t.frames(), CAMERA, null));
        RecordHeaders h = new RecordHeaders();
        h.add("reason", "UNPARSABLE".getBytes(StandardCharsets.UTF_8));
        h.add("message", "not a Frame record (3 bytes)".getBytes(StandardCharsets.UTF_8));
        h.add("source-topic", t.frames().getBytes(StandardCharsets.UTF_8));
        h.add("source-partition", "0".getBytes(StandardCharsets.UTF_8));
        h.add("source-offset", "11".getBytes(StandardCharsets.UTF_8));
        producer.send(
                new ProducerRecord<>(t.deadLetters(), null, null, CAMERA, new byte[] {1, 2, 3}, h));
        producer.send(
                new ProducerRecord<>(
                        t.modelUpdates(),
                        "student",
                        new ModelUpdateSerializer()
                                .serialize(
                                        t.modelUpdates(),
                                        ModelUpdates.create(
                                                "student",
                                                3,
                                                new byte[] {42, 43, 44},
                                                Map.of("frozen", 0.0, "agreement", 0.8),
                                                null))));
        producer.flush();
        dashboard = Dashboard.start(kafka.bootstrapServers(), "127.0.0.1", 0, null);
    }

    /** The job's topics, one partition each; model updates compacted, as the job has them. */
    static void createTopics(EmbeddedKafka kafka, DashboardTopics t) throws Exception {
        kafka.createTopic(t.frames(), 1, Map.of());
        kafka.createTopic(t.predictions(), 1, Map.of());
        kafka.createTopic(t.deadLetters(), 1, Map.of());
        kafka.createTopic(t.pseudoLabels(), 1, Map.of());
        kafka.createTopic(t.modelUpdates(), 1, Map.of("cleanup.policy", "compact"));
    }

    static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (dashboard != null) {
            dashboard.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Class of pixel (x, y) of prediction {@code i}: stripes of every class, a corner ignored. */
    static int classAt(int x, int y, int i) {
        if (x < 4 && y < 4) {
            return 255;
        }
        return (x / 5 + y / 7 + i) % 13;
    }

    static Frame frame(int i) {
        byte[] rgb = new byte[W * H * 3];
        for (int p = 0; p < W * H; p++) {
            rgb[3 * p] = (byte) (p % W * 4);
            rgb[3 * p + 1] = (byte) (p / W * 5);
            rgb[3 * p + 2] = (byte) (i * 40);
        }
        return Frame.newBuilder()
                .setCameraId(CAMERA)
                .setSequence(i)
                .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                .setWidth(W)
                .setHeight(H)
                .setEncoding(Encoding.RAW_RGB8)
                .setPayload(ByteString.copyFrom(rgb))
                .build();
    }

    static Prediction prediction(String camera, int i, long emitUs, float totalMs) {
        byte[] classes = new byte[W * H];
        float[] depth = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                classes[y * W + x] = (byte) classAt(x, y, i);
                depth[y * W + x] = 0.5f + x * 0.1f;
            }
        }
        return Prediction.newBuilder()
                .setCameraId(camera)
                .setSequence(i)
                .setCaptureTimeUs(emitUs - (long) (totalMs * 1000))
                .setModelName("student")
                .setModelVersion(3)
                .setWidth(W)
                .setHeight(H)
                .setDepthPng(ByteString.copyFrom(PredictionMaps.depthPng(depth, W, H)))
                .setSegmentationPng(
                        ByteString.copyFrom(PredictionMaps.segmentationPng(classes, W, H)))
                .setTimings(Timings.newBuilder().setTotalMs(totalMs))
                .setEmitTimeUs(emitUs)
                .build();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(dashboard.url().resolve(path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonElement json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8));
    }

    /** Polls {@code /api/cameras} until the camera shows every record produced. */
    private static JsonObject camera() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            for (JsonElement e : json("api/cameras").getAsJsonArray()) {
                JsonObject c = e.getAsJsonObject();
                if (c.get("id").getAsString().equals(CAMERA)) {
                    last = c;
                    if (c.get("predictions").getAsLong() >= PREDICTIONS
                            && c.get("deadLetters").getAsLong() >= 1) {
                        return c;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("camera " + CAMERA + " did not show every record: " + last);
    }

    @Test
    void listsTheCameraWithItsCountsVersionAndLatency() throws Exception {
        JsonObject c = camera();
        assertThat(c.get("frames").getAsLong()).isEqualTo(PREDICTIONS);
        assertThat(c.get("predictions").getAsLong()).isEqualTo(PREDICTIONS);
        assertThat(c.get("deadLetters").getAsLong()).isEqualTo(1);
        assertThat(c.get("model").getAsString()).isEqualTo("student");
        assertThat(c.get("modelVersion").getAsLong()).isEqualTo(3);
        assertThat(c.get("lastSequence").getAsLong()).isEqualTo(PREDICTIONS - 1);
        // Totals 10, 20, 30, 40, 50 ms; emitted 100 ms apart.
        assertThat(c.get("latencyP50Ms").getAsDouble()).isEqualTo(30.0);
        assertThat(c.get("latencyP99Ms").getAsDouble()).isEqualTo(50.0);
        assertThat(c.get("framesPerSecond").getAsDouble()).isEqualTo(10.0);
        JsonArray classes = c.getAsJsonArray("classes");
        assertThat(classes).hasSize(13);
        assertThat(classes.get(11).getAsJsonObject().get("name").getAsString()).isEqualTo("wall");
        assertThat(classes.get(11).getAsJsonObject().get("color").getAsString())
                .isEqualTo("#f98b00");
    }

    @Test
    void segmentationImageHoldsThePaletteColoursOfThePredictedClasses() throws Exception {
        camera();
        HttpResponse<byte[]> r = get("api/cameras/" + CAMERA + "/segmentation.png");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(img.getWidth()).isEqualTo(W);
        assertThat(img.getHeight()).isEqualTo(H);
        int last = PREDICTIONS - 1;
        for (int y = 0; y < H; y += 3) {
            for (int x = 0; x < W; x += 5) {
                int k = classAt(x, y, last);
                int expected = k == 255 ? 0 : NYU13[k][0] << 16 | NYU13[k][1] << 8 | NYU13[k][2];
                assertThat(img.getRGB(x, y) & 0xffffff)
                        .as("pixel (%d, %d) of class %d", x, y, k)
                        .isEqualTo(expected);
            }
        }
        BufferedImage thumb =
                ImageIO.read(
                        new ByteArrayInputStream(
                                get("api/cameras/" + CAMERA + "/segmentation.png?w=32").body()));
        assertThat(thumb.getWidth()).isEqualTo(32);
        assertThat(thumb.getHeight()).isEqualTo(24);
    }

    @Test
    void frameAndDepthImagesDecode() throws Exception {
        camera();
        BufferedImage f =
                ImageIO.read(
                        new ByteArrayInputStream(
                                get("api/cameras/" + CAMERA + "/frame.png").body()));
        Frame expected = frame(PREDICTIONS - 1);
        byte[] rgb = expected.getPayload().toByteArray();
        for (int p : new int[] {0, 100, W * H - 1}) {
            int want =
                    (rgb[3 * p] & 0xff) << 16
                            | (rgb[3 * p + 1] & 0xff) << 8
                            | rgb[3 * p + 2] & 0xff;
            assertThat(f.getRGB(p % W, p / W) & 0xffffff).isEqualTo(want);
        }
        BufferedImage d =
                ImageIO.read(
                        new ByteArrayInputStream(
                                get("api/cameras/" + CAMERA + "/depth.png?scale=1").body()));
        assertThat(d.getWidth()).as("depth and its scale").isGreaterThan(W);
        assertThat(get("api/cameras/nobody/frame.png").statusCode()).isEqualTo(404);
    }

    @Test
    void detailHasTheVersionTimelineAndTheDeadLetter() throws Exception {
        camera();
        JsonObject d = json("api/cameras/" + CAMERA).getAsJsonObject();
        JsonObject update = d.getAsJsonArray("updates").get(0).getAsJsonObject();
        assertThat(update.get("version").getAsLong()).isEqualTo(3);
        assertThat(update.get("status").getAsString()).isEqualTo("accepted");
        JsonObject served = d.getAsJsonArray("served").get(0).getAsJsonObject();
        assertThat(served.get("version").getAsLong()).isEqualTo(3);
        JsonObject dead = d.getAsJsonArray("recentDeadLetters").get(0).getAsJsonObject();
        assertThat(dead.get("reason").getAsString()).isEqualTo("UNPARSABLE");
        assertThat(dead.get("sourceOffset").getAsString()).isEqualTo("11");
    }

    @Test
    void fleetCountsTheRecordsItCouldNotRead() throws Exception {
        camera();
        JsonObject f = json("api/fleet").getAsJsonObject();
        assertThat(f.get("cameras").getAsInt()).isGreaterThanOrEqualTo(1);
        assertThat(
                        f.getAsJsonArray("versions")
                                .get(0)
                                .getAsJsonObject()
                                .get("camera")
                                .getAsString())
                .isEqualTo(CAMERA);
        JsonObject bad = f.getAsJsonObject("unreadableRecords");
        assertThat(bad.getAsJsonObject("predictions").get("UNPARSABLE").getAsLong()).isEqualTo(1);
        assertThat(bad.getAsJsonObject("frames").get("UNPARSABLE").getAsLong()).isEqualTo(1);
        assertThat(bad.getAsJsonObject("frames").get("TOMBSTONE").getAsLong()).isEqualTo(1);
        assertThat(f.getAsJsonObject("models").getAsJsonArray("student")).hasSize(1);
        assertThat(f.get("deadLetters").getAsLong()).isEqualTo(1);
    }

    @Test
    void sendsAnEventWhenTheCameraChanges() throws Exception {
        camera();
        HttpResponse<Stream<String>> r =
                http.send(
                        HttpRequest.newBuilder(dashboard.url().resolve("api/events")).build(),
                        HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        try (Stream<String> lines = r.body()) {
            CompletableFuture<Optional<String>> event =
                    CompletableFuture.supplyAsync(
                            () -> lines.filter(l -> l.startsWith("data: {\"camera\"")).findFirst());
            Thread.sleep(300);
            producer.send(
                    new ProducerRecord<>(
                            DashboardTopics.DEFAULT.predictions(),
                            "cam-events",
                            prediction("cam-events", 0, System.currentTimeMillis() * 1000, 5)
                                    .toByteArray()));
            producer.flush();
            assertThat(event.get(30, TimeUnit.SECONDS))
                    .hasValueSatisfying(l -> assertThat(l).contains("\"cam-events\""));
        }
    }

    @Test
    void refusesWrites() throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(dashboard.url().resolve("api/cameras"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
