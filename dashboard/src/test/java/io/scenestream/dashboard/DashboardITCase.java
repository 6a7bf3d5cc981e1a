package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.proto.SelfTrainingRound;
import io.scenestream.kafka.proto.Timings;
import io.scenestream.kafka.serde.FrameSerializer;
import io.scenestream.kafka.serde.ModelUpdateSerializer;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.kafka.serde.PredictionSerializer;
import io.scenestream.kafka.serde.PseudoLabels;
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
    private static final int KEY_FRAME = 3;

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
        // Self-training: the teacher's labels of frame KEY_FRAME, and two rounds and a check.
        producer.send(
                new ProducerRecord<>(
                        t.pseudoLabels(),
                        CAMERA,
                        PseudoLabels.encode(
                                        PseudoLabel.newBuilder()
                                                .setCameraId(CAMERA)
                                                .setSequence(KEY_FRAME)
                                                .setTeacherName("teacher")
                                                .setTeacherVersion(1)
                                                .setStudentName("student")
                                                .setStudentVersion(3)
                                                .setConfidentShare(0.75f)
                                                .setConsistentDepthShare(0.875f)
                                                .setStudentAgreement(0.5f),
                                        keyFrameLabels())
                                .toByteArray()));
        long t0 = System.currentTimeMillis() * 1000 - 3_000_000;
        producer.send(
                new ProducerRecord<>(
                        t.rounds(),
                        "student",
                        round(1, RoundOutcome.ROLLED_BACK, false, 2, 0.50, 0.45, 0.21, t0)));
        producer.send(
                new ProducerRecord<>(
                        t.rounds(),
                        "student",
                        round(
                                2,
                                RoundOutcome.ACCEPTED,
                                false,
                                3,
                                0.50,
                                0.62,
                                0.24,
                                t0 + 1_000_000)));
        producer.send(
                new ProducerRecord<>(
                        t.rounds(),
                        "student",
                        round(
                                2,
                                RoundOutcome.FROZEN,
                                true,
                                4,
                                0.55,
                                Double.NaN,
                                0.23,
                                t0 + 2_000_000)));
        producer.send(
                new ProducerRecord<>(
                        t.rounds(), "student", "not a round".getBytes(StandardCharsets.UTF_8)));
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
        kafka.createTopic(t.rounds(), 1, Map.of());
    }

    /** Outcomes as the job writes them. */
    enum RoundOutcome {
        ACCEPTED("accepted"),
        ROLLED_BACK("rolled back"),
        FROZEN("frozen student again");

        final String text;

        RoundOutcome(String text) {
            this.text = text;
        }
    }

    static byte[] round(
            long round,
            RoundOutcome outcome,
            boolean check,
            long version,
            double serving,
            double candidate,
            double machineShare,
            long timeUs) {
        return SelfTrainingRound.newBuilder()
                .setModelName("student")
                .setRound(round)
                .setOutcome(outcome.text)
                .setCheck(check)
                .setVersion(version)
                .setServingAgreement(serving)
                .setCandidateAgreement(candidate)
                .setFrozenAgreement(0.52)
                .setFirstLoss(check ? Double.NaN : 1.5)
                .setLastLoss(check ? Double.NaN : 1.2)
                .setSeconds(check ? 2 : 20)
                .setMachineShare(machineShare)
                .setBudget(0.25)
                .setTimeUs(timeUs)
                .putValidation("semseg_miou", 0.3)
                .build()
                .toByteArray();
    }

    /** Frame {@code KEY_FRAME} as the teacher labelled it: stripes, a quarter without a label. */
    static DenseSample keyFrameLabels() {
        int[] classes = new int[W * H];
        float[] depth = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                classes[y * W + x] = teacherClassAt(x, y);
                depth[y * W + x] = x < 8 ? 0 : 1 + x * 0.05f;
            }
        }
        return new DenseSample(
                "key", H, W, frame(KEY_FRAME).getPayload().toByteArray(), classes, depth);
    }

    static int teacherClassAt(int x, int y) {
        return x >= W / 2 && y < H / 2 ? 255 : (x / 8 + y / 6) % 13;
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

    /** Polls the camera's detail until its pseudo-label and the rounds are in. */
    private static JsonObject adaptedCamera() throws Exception {
        camera();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonObject d = null;
        while (System.nanoTime() < deadline) {
            d = json("api/cameras/" + CAMERA).getAsJsonObject();
            if (d.get("pseudoLabels").getAsLong() >= 1 && d.getAsJsonArray("rounds").size() >= 3) {
                return d;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no pseudo-label or rounds: " + d);
    }

    @Test
    void showsTheRoundsAndThePseudoLabelsOverTime() throws Exception {
        JsonObject d = adaptedCamera();
        JsonArray rounds = d.getAsJsonArray("rounds");
        assertThat(rounds).hasSize(3);
        assertThat(rounds.get(0).getAsJsonObject().get("outcome").getAsString())
                .isEqualTo("rolled back");
        JsonObject accepted = rounds.get(1).getAsJsonObject();
        assertThat(accepted.get("outcome").getAsString()).isEqualTo("accepted");
        assertThat(accepted.get("candidateAgreement").getAsDouble()).isEqualTo(0.62);
        assertThat(accepted.get("validation").getAsJsonObject().get("semseg_miou").getAsDouble())
                .isEqualTo(0.3);
        JsonObject check = rounds.get(2).getAsJsonObject();
        assertThat(check.get("check").getAsBoolean()).isTrue();
        assertThat(check.get("candidateAgreement").isJsonNull()).as("NaN as null").isTrue();
        JsonArray history = d.getAsJsonArray("pseudoLabelHistory");
        assertThat(history).hasSize(1);
        JsonObject point = history.get(0).getAsJsonObject();
        assertThat(point.get("sequence").getAsLong()).isEqualTo(KEY_FRAME);
        assertThat(point.get("studentAgreement").getAsDouble()).isEqualTo(0.5);
        assertThat(point.get("confidentShare").getAsDouble()).isEqualTo(0.75);
        assertThat(d.getAsJsonObject("keyFramePrediction").get("sequence").getAsLong())
                .isEqualTo(KEY_FRAME);

        JsonObject a = json("api/fleet").getAsJsonObject().getAsJsonObject("adaptation");
        JsonObject student = a.getAsJsonObject("student");
        assertThat(student.get("rounds").getAsLong()).as("the check is not a round").isEqualTo(2);
        assertThat(student.get("budget").getAsDouble()).isEqualTo(0.25);
        assertThat(student.get("machineShare").getAsDouble()).isEqualTo(0.23);
        assertThat(student.get("secondsPerRound").getAsDouble()).isEqualTo(20.0);
        JsonObject outcomes = student.getAsJsonObject("outcomes");
        assertThat(outcomes.get("accepted").getAsLong()).isEqualTo(1);
        assertThat(outcomes.get("rolled back").getAsLong()).isEqualTo(1);
        assertThat(outcomes.get("frozen student again").getAsLong()).isEqualTo(1);
        assertThat(
                        json("api/fleet")
                                .getAsJsonObject()
                                .getAsJsonObject("unreadableRecords")
                                .getAsJsonObject(DashboardTopics.DEFAULT.rounds())
                                .get("UNPARSABLE")
                                .getAsLong())
                .isEqualTo(1);
    }

    @Test
    void keyFrameImagesShowTheTeachersLabelsNextToTheStudentsPrediction() throws Exception {
        adaptedCamera();
        String base = "api/cameras/" + CAMERA + "/key-frame/";
        byte[] rgb = frame(KEY_FRAME).getPayload().toByteArray();
        BufferedImage labels = image(base + "labels.png");
        BufferedImage student = image(base + "segmentation.png");
        assertThat(labels.getWidth()).isEqualTo(W);
        int checked = 0;
        int unlabelled = 0;
        for (int y = 0; y < H; y += 2) {
            for (int x = 0; x < W; x += 3) {
                int p = y * W + x;
                int[] under = {rgb[3 * p] & 0xff, rgb[3 * p + 1] & 0xff, rgb[3 * p + 2] & 0xff};
                int k = teacherClassAt(x, y);
                unlabelled += k == 255 ? 1 : 0;
                assertPixel(labels, x, y, k == 255 ? under : blend(under, NYU13[k]), "teacher");
                int s = classAt(x, y, KEY_FRAME);
                assertPixel(student, x, y, s == 255 ? under : blend(under, NYU13[s]), "student");
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(400);
        assertThat(unlabelled).isGreaterThan(50);
        BufferedImage depth = image(base + "depth.png");
        assertThat(depth.getWidth()).as("with its scale").isGreaterThan(W);
        assertThat(depth.getRGB(2, 10) & 0xffffff).as("no depth label: black").isZero();
        assertThat(depth.getRGB(40, 10) & 0xffffff).isNotZero();
        assertThat(image(base + "frame.png").getRGB(5, 7) & 0xffffff)
                .isEqualTo(
                        (rgb[3 * (7 * W + 5)] & 0xff) << 16
                                | (rgb[3 * (7 * W + 5) + 1] & 0xff) << 8
                                | rgb[3 * (7 * W + 5) + 2] & 0xff);
        assertThat(image(base + "student-depth.png").getWidth()).isGreaterThan(W);
        assertThat(get(base + "nothing.png").statusCode()).isEqualTo(404);
        assertThat(get("api/cameras/nobody/key-frame/frame.png").statusCode()).isEqualTo(404);
    }

    /** {@code over} blended over {@code under} as the key-frame images draw labels. */
    private static int[] blend(int[] under, int[] over) {
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            out[i] = (int) Math.round(0.4 * under[i] + 0.6 * over[i]);
        }
        return out;
    }

    private static void assertPixel(BufferedImage img, int x, int y, int[] want, String what) {
        int rgb = img.getRGB(x, y);
        int[] got = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
        for (int i = 0; i < 3; i++) {
            assertThat(Math.abs(got[i] - want[i]))
                    .as("%s pixel (%d, %d) channel %d: %d, want %d", what, x, y, i, got[i], want[i])
                    .isLessThanOrEqualTo(1);
        }
    }

    private static BufferedImage image(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode())
                .as(path + ": " + new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return ImageIO.read(new ByteArrayInputStream(r.body()));
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
