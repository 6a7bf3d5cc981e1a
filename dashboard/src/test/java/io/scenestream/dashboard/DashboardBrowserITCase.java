package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.proto.Timings;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in a real browser (headless Chromium): a camera's tile shows the latest prediction's
 * segmentation over its frame, pixel for pixel as computed here from the frame and the palette, and
 * the version shown changes when a new model version is published and served; the camera's page
 * shows the last pseudo-labelled key frame as the teacher labelled it next to the student's
 * prediction, pixel for pixel, and draws the charts of pseudo-labels and rounds; the fleet view
 * shows the adaptation budget used. The screenshots it takes are the ones in the docs ({@code
 * target/dashboard-browser.png}, {@code target/dashboard-camera.png}).
 */
class DashboardBrowserITCase {

    private static final String CAMERA = "lobby";
    private static final int W = 192;
    private static final int H = 144;

    @TempDir Path dir;

    @Test
    void tileShowsThePredictionOverTheFrameAndTheVersionMoves() throws Exception {
        DenseSample scene = SyntheticDataset.frames(17, 1, H, W, Domain.named("day")).get(0);
        DashboardTopics t = DashboardTopics.DEFAULT;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            DashboardITCase.createTopics(kafka, t);
            try (KafkaProducer<String, byte[]> producer = DashboardITCase.producer(kafka);
                    Dashboard dashboard =
                            Dashboard.start(kafka.bootstrapServers(), "127.0.0.1", 0, null);
                    HeadlessChromium browser =
                            new HeadlessChromium(dir.resolve("profile"), 1000, 500)) {
                for (int i = 0; i < 3; i++) {
                    send(producer, t, scene, i, 3);
                }
                publish(producer, t, 3);
                browser.navigate(dashboard.url());
                String tile = "document.querySelector('.tile[data-camera=\"" + CAMERA + "\"]')";
                String seg = tile + "?.querySelector('img[alt=\"segmentation\"]')";
                browser.waitUntil(
                        seg + "?.complete === true && " + seg + ".naturalWidth === " + W,
                        Duration.ofSeconds(60));
                browser.waitUntil(
                        tile + ".querySelector('h2').textContent.includes('student v3')",
                        Duration.ofSeconds(30));

                // The tile's segmentation image, read back from the browser's own decoding.
                JsonArray px =
                        browser.evaluate(
                                        "(() => { const img = "
                                                + seg
                                                + "; const c = document.createElement('canvas');"
                                                + " c.width = img.naturalWidth; c.height ="
                                                + " img.naturalHeight; const g ="
                                                + " c.getContext('2d'); g.drawImage(img, 0, 0);"
                                                + " return Array.from(g.getImageData(0, 0,"
                                                + " c.width, c.height).data); })()")
                                .getAsJsonArray();
                assertThat(px.size()).isEqualTo(W * H * 4);
                int checked = 0;
                int off = 0;
                for (int y = 0; y < H; y += 3) {
                    for (int x = 0; x < W; x += 3) {
                        int p = y * W + x;
                        int k = scene.semseg()[p];
                        for (int ch = 0; ch < 3; ch++) {
                            int under = scene.rgb()[3 * p + ch] & 0xff;
                            int over = k == DenseSample.IGNORE ? 0 : DashboardITCase.NYU13[k][ch];
                            int expected = (int) Math.round(0.5 * under + 0.5 * over);
                            int actual = px.get(4 * p + ch).getAsInt();
                            if (Math.abs(actual - expected) > 2) {
                                off++;
                            }
                            checked++;
                        }
                    }
                }
                assertThat(checked).isGreaterThan(9000);
                assertThat(off).as("channels off by more than 2 of %d", checked).isZero();

                // A new version is published and served: the page follows.
                publish(producer, t, 4);
                send(producer, t, scene, 3, 4);
                browser.waitUntil(
                        tile + ".querySelector('h2').textContent.includes('student v4')",
                        Duration.ofSeconds(30));
                browser.evaluate("new Promise(r => setTimeout(r, 1500))");
                Path shot = Path.of("target", "dashboard-browser.png");
                Files.write(shot, browser.screenshot());
                assertThat(Files.size(shot)).isGreaterThan(10_000);

                // Self-training: the camera's page shows the last key frame as the teacher
                // labelled it next to the student's prediction, and charts of the pseudo-labels
                // and rounds; the fleet view shows the budget used.
                long t0 = System.currentTimeMillis() * 1000 - 60_000_000;
                for (int i = 0; i < PSEUDO_LABELS; i++) {
                    producer.send(
                            new ProducerRecord<>(
                                    t.pseudoLabels(),
                                    null,
                                    t0 / 1000 + 10_000L * i,
                                    CAMERA,
                                    pseudoLabel(scene, i == PSEUDO_LABELS - 1 ? 3 : 100 + i, i)
                                            .toByteArray()));
                }
                producer.send(
                        new ProducerRecord<>(
                                t.rounds(),
                                "student",
                                DashboardITCase.round(
                                        1,
                                        DashboardITCase.RoundOutcome.ROLLED_BACK,
                                        false,
                                        3,
                                        0.5,
                                        0.45,
                                        0.2,
                                        t0 + 20_000_000)));
                producer.send(
                        new ProducerRecord<>(
                                t.rounds(),
                                "student",
                                DashboardITCase.round(
                                        2,
                                        DashboardITCase.RoundOutcome.ACCEPTED,
                                        false,
                                        4,
                                        0.5,
                                        0.7,
                                        0.24,
                                        t0 + 45_000_000)));
                producer.flush();
                browser.resize(1200, 1500);
                browser.navigate(dashboard.url().resolve("#/camera/" + CAMERA));
                String labels = "document.querySelector('.keyframe img[data-image=\"labels\"]')";
                String student =
                        "document.querySelector('.keyframe img[data-image=\"segmentation\"]')";
                for (String img : new String[] {labels, student}) {
                    browser.waitUntil(
                            img + "?.complete === true && " + img + "?.naturalWidth === " + W,
                            Duration.ofSeconds(60));
                }
                browser.waitUntil(
                        "document.querySelector('.chart-agreement')?.dataset.points === '"
                                + PSEUDO_LABELS
                                + "' && document.querySelector('.chart-agreement').dataset.rounds"
                                + " === '2' && !!document.querySelector('.chart-agreement canvas')",
                        Duration.ofSeconds(30));
                int[] teacher = browser.pixels(labels);
                int[] served = browser.pixels(student);
                int checkedKey = 0;
                int offKey = 0;
                for (int y = 0; y < H; y += 3) {
                    for (int x = 0; x < W; x += 3) {
                        int p = y * W + x;
                        int k = teacherClassAt(scene, x, y);
                        int s = scene.semseg()[p];
                        for (int ch = 0; ch < 3; ch++) {
                            int under = scene.rgb()[3 * p + ch] & 0xff;
                            int wantTeacher =
                                    k == DenseSample.IGNORE
                                            ? under
                                            : (int)
                                                    Math.round(
                                                            0.4 * under
                                                                    + 0.6
                                                                            * DashboardITCase.NYU13[
                                                                                    k][ch]);
                            int wantStudent =
                                    s == DenseSample.IGNORE
                                            ? under
                                            : (int)
                                                    Math.round(
                                                            0.4 * under
                                                                    + 0.6
                                                                            * DashboardITCase.NYU13[
                                                                                    s][ch]);
                            offKey += Math.abs(teacher[2 + 4 * p + ch] - wantTeacher) > 2 ? 1 : 0;
                            offKey += Math.abs(served[2 + 4 * p + ch] - wantStudent) > 2 ? 1 : 0;
                            checkedKey += 2;
                        }
                    }
                }
                assertThat(checkedKey).isGreaterThan(18_000);
                assertThat(offKey).as("key-frame channels off by more than 2").isZero();
                browser.evaluate("new Promise(r => setTimeout(r, 1000))");
                Files.write(Path.of("target", "dashboard-camera.png"), browser.screenshot());
                // The charts are drawn: the student-agreement line and the accepted round's dot.
                int[] chart = browser.pixels("document.querySelector('.chart-agreement canvas')");
                assertThat(count(chart, 0x2563eb)).as("agreement line pixels").isGreaterThan(100);
                assertThat(count(chart, 0x15803d)).as("accepted round pixels").isGreaterThan(20);
                assertThat(count(chart, 0xb91c1c)).as("rolled-back round pixels").isGreaterThan(20);
                assertThat(
                                browser.evaluate("document.querySelector('.rounds').textContent")
                                        .getAsString())
                        .contains("accepted")
                        .contains("rolled back");

                browser.navigate(dashboard.url().resolve("#/fleet"));
                browser.waitUntil(
                        "document.querySelector('.adaptation')?.textContent.includes('adaptation"
                                + " budget') && document.querySelector('.adaptation').textContent"
                                + ".includes('24.0%')",
                        Duration.ofSeconds(30));
            }
        }
    }

    private static final int PSEUDO_LABELS = 6;

    /**
     * Pixels of {@code rgb} (within 8 per channel: the line's edges are blended) in RGBA pixels.
     */
    private static int count(int[] sizeThenRgba, int rgb) {
        int n = 0;
        for (int i = 2; i + 3 < sizeThenRgba.length; i += 4) {
            if (Math.abs(sizeThenRgba[i] - (rgb >> 16 & 0xff)) <= 8
                    && Math.abs(sizeThenRgba[i + 1] - (rgb >> 8 & 0xff)) <= 8
                    && Math.abs(sizeThenRgba[i + 2] - (rgb & 0xff)) <= 8
                    && sizeThenRgba[i + 3] > 200) {
                n++;
            }
        }
        return n;
    }

    /** The teacher's label: the scene's class, none in the left third. */
    private static int teacherClassAt(DenseSample scene, int x, int y) {
        return x < W / 3 ? DenseSample.IGNORE : scene.semseg()[y * W + x];
    }

    /** The teacher's labels of frame {@code sequence} of the scene, the {@code i}-th sent. */
    private static PseudoLabel pseudoLabel(DenseSample scene, long sequence, int i) {
        int[] classes = new int[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                classes[y * W + x] = teacherClassAt(scene, x, y);
            }
        }
        return PseudoLabels.encode(
                PseudoLabel.newBuilder()
                        .setCameraId(CAMERA)
                        .setSequence(sequence)
                        .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                        .setTeacherName("teacher")
                        .setTeacherVersion(1)
                        .setStudentName("student")
                        .setStudentVersion(i < 3 ? 3 : 4)
                        .setConfidentShare(0.6f)
                        .setConsistentDepthShare(0.8f)
                        .setStudentAgreement(0.4f + 0.08f * i),
                new DenseSample("key", H, W, scene.rgb(), classes, scene.depth()));
    }

    /** Frame {@code i} of the camera and its prediction (the scene's labels) by {@code version}. */
    private static void send(
            KafkaProducer<String, byte[]> producer,
            DashboardTopics t,
            DenseSample scene,
            int i,
            long version)
            throws Exception {
        long nowUs = System.currentTimeMillis() * 1000;
        Frame f =
                Frame.newBuilder()
                        .setCameraId(CAMERA)
                        .setSequence(i)
                        .setCaptureTimeUs(nowUs - 40_000)
                        .setWidth(W)
                        .setHeight(H)
                        .setEncoding(Encoding.RAW_RGB8)
                        .setPayload(ByteString.copyFrom(scene.rgb()))
                        .build();
        byte[] classes = new byte[W * H];
        for (int p = 0; p < classes.length; p++) {
            classes[p] = (byte) scene.semseg()[p];
        }
        Prediction p =
                Prediction.newBuilder()
                        .setCameraId(CAMERA)
                        .setSequence(i)
                        .setCaptureTimeUs(nowUs - 40_000)
                        .setModelName("student")
                        .setModelVersion(version)
                        .setWidth(W)
                        .setHeight(H)
                        .setDepthPng(
                                ByteString.copyFrom(PredictionMaps.depthPng(scene.depth(), W, H)))
                        .setSegmentationPng(
                                ByteString.copyFrom(PredictionMaps.segmentationPng(classes, W, H)))
                        .setTimings(Timings.newBuilder().setTotalMs(40))
                        .setEmitTimeUs(nowUs)
                        .build();
        producer.send(new ProducerRecord<>(t.frames(), CAMERA, f.toByteArray()));
        producer.send(new ProducerRecord<>(t.predictions(), CAMERA, p.toByteArray()));
        producer.flush();
    }

    private static void publish(
            KafkaProducer<String, byte[]> producer, DashboardTopics t, long version)
            throws Exception {
        producer.send(
                new ProducerRecord<>(
                        t.modelUpdates(),
                        "student",
                        ModelUpdates.create(
                                        "student",
                                        version,
                                        new byte[] {1, 2, 3},
                                        Map.of("agreement", 0.6, "frozen", 0.0),
                                        null)
                                .toByteArray()));
        producer.flush();
    }
}
