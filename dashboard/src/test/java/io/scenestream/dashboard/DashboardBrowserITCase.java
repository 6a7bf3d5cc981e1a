package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.Timings;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionMaps;
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
 * the version shown changes when a new model version is published and served. The screenshot it
 * takes is the one in the docs ({@code target/dashboard-browser.png}).
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
            }
        }
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
