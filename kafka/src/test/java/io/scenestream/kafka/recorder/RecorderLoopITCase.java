package io.scenestream.kafka.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.frames.viz.ImageCompare;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FrameSerializer;
import io.scenestream.kafka.serde.PredictionSerializer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder keeps writing through garbage, empty values, tombstones and unrecordable
 * predictions.
 */
class RecorderLoopITCase {

    private static final int W = 160;
    private static final int H = 120;
    private static final int GOOD = 10;

    @Test
    void recordsEveryGoodPredictionThroughABurstOfBadRecords(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        int bad = 0;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            kafka.createTopic("frames", 1, Map.of());
            kafka.createTopic("predictions", 1, Map.of());
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    kafka.bootstrapServers(),
                                    ProducerConfig.ACKS_CONFIG,
                                    "all"),
                            new StringSerializer(),
                            new ByteArraySerializer())) {
                FrameSerializer frames = new FrameSerializer();
                PredictionSerializer predictions = new PredictionSerializer();
                for (int i = 0; i < GOOD; i++) {
                    RgbFrame f = VideoRoundTripTest.pattern(W, H, i);
                    p.send(
                            new ProducerRecord<>(
                                    "frames",
                                    "cam",
                                    frames.serialize(
                                            "frames",
                                            Frame.newBuilder()
                                                    .setCameraId("cam")
                                                    .setSequence(i)
                                                    .setWidth(W)
                                                    .setHeight(H)
                                                    .setEncoding(Encoding.RAW_RGB8)
                                                    .setPayload(ByteString.copyFrom(f.rgb()))
                                                    .build())));
                    // Between good records: what a topic may hold besides them.
                    switch (i % 5) {
                        case 0 ->
                                p.send(
                                        new ProducerRecord<>(
                                                "frames", "cam", new byte[] {1, 2, 3, 4, 5}));
                        case 1 -> p.send(new ProducerRecord<>("frames", "cam", new byte[0]));
                        case 2 -> p.send(new ProducerRecord<>("predictions", "cam", null));
                        case 3 ->
                                p.send(
                                        new ProducerRecord<>(
                                                "predictions",
                                                "cam",
                                                "not a prediction".getBytes()));
                        default ->
                                p.send(
                                        new ProducerRecord<>(
                                                "predictions",
                                                "cam",
                                                predictions.serialize(
                                                        "predictions",
                                                        VideoRoundTripTest.prediction(
                                                                        "cam", 1000 + i, W, H)
                                                                .toBuilder()
                                                                .setDepthPng(
                                                                        ByteString.copyFromUtf8(
                                                                                "a broken PNG"))
                                                                .build())));
                    }
                    bad++;
                    p.send(
                            new ProducerRecord<>(
                                    "predictions",
                                    "cam",
                                    predictions.serialize(
                                            "predictions",
                                            VideoRoundTripTest.prediction("cam", i, W, H))));
                }
                p.send(new ProducerRecord<>("frames", "cam", null));
                bad++;
                p.flush();
            }
            try (PredictionRecorder recorder =
                    new PredictionRecorder(out, NyudDataset.CLASSES_13, 10, 1, null)) {
                RecorderLoop loop =
                        new RecorderLoop(
                                kafka.bootstrapServers(), "frames", "predictions", recorder, null);
                Thread t = new Thread(loop, "recorder");
                t.start();
                long deadline = System.currentTimeMillis() + 60_000;
                while ((loop.recorded() < GOOD || loop.skipped() < bad)
                        && t.isAlive()
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                loop.stop();
                t.join(10_000);
                assertThat(loop.failure()).isNull();
                assertThat(loop.recorded()).isEqualTo(GOOD);
                assertThat(loop.skipped()).isEqualTo(bad);
                assertThat(recorder.counts()).containsExactly(Map.entry("cam", (long) GOOD));
            }
        }
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.resolve("cam.mp4").toFile());
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            g.start();
            for (int i = 0; i < GOOD; i++) {
                BufferedImage decoded = converter.convert(g.grabImage());
                Path png = out.resolve(String.format("cam-%06d.png", i));
                assertThat(png).exists();
                BufferedImage snapshot = ImageIO.read(png.toFile());
                assertThat(ImageCompare.psnr(decoded, snapshot))
                        .as("frame %d, dB", i)
                        .isGreaterThanOrEqualTo(30);
                // The RGB panel shows the frame that went in, not a stand-in.
                assertThat(panelPsnr(snapshot, VideoRoundTripTest.pattern(W, H, i)))
                        .as("frame %d's RGB panel, dB", i)
                        .isGreaterThanOrEqualTo(30);
            }
            assertThat(g.grabImage()).isNull();
        }
        try (var files = Files.list(out)) {
            assertThat(files.filter(f -> f.toString().endsWith(".png")).count()).isEqualTo(GOOD);
        }
    }

    /** PSNR of the mosaic's first panel (top left, the frame's size) against the frame. */
    private static double panelPsnr(BufferedImage mosaic, RgbFrame frame) {
        BufferedImage f =
                new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_INT_RGB);
        byte[] rgb = frame.rgb();
        for (int y = 0; y < frame.height(); y++) {
            for (int x = 0; x < frame.width(); x++) {
                int o = (y * frame.width() + x) * 3;
                f.setRGB(
                        x,
                        y,
                        (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff));
            }
        }
        return ImageCompare.psnr(mosaic, f);
    }
}
