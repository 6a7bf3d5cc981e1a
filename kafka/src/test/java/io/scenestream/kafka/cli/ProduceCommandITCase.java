package io.scenestream.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FramePixels;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The produce command publishes real footage, image folders and the synthetic camera as frames. */
class ProduceCommandITCase {

    private static final String SHARED = System.getProperty("scenestream.shared", "../shared");

    @Test
    void everySourcePublishesDecodableFramesInOrder() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("frames", 1, Map.of());
            String bs = kafka.bootstrapServers();
            assertThat(
                            run(
                                    "produce",
                                    "--bootstrap-servers",
                                    bs,
                                    "--camera",
                                    "street",
                                    "--video",
                                    Paths.get(SHARED, "data/video/vtest.avi").toString(),
                                    "--frames",
                                    "4",
                                    "--size",
                                    "192x144"))
                    .isZero();
            assertThat(
                            run(
                                    "produce",
                                    "--bootstrap-servers",
                                    bs,
                                    "--camera",
                                    "nyu",
                                    "--images",
                                    Paths.get(SHARED, "data/nyud-mini").toString(),
                                    "--frames",
                                    "3",
                                    "--encoding",
                                    "PNG"))
                    .isZero();
            assertThat(
                            run(
                                    "produce",
                                    "--bootstrap-servers",
                                    bs,
                                    "--camera",
                                    "sim",
                                    "--synthetic",
                                    "day",
                                    "--frames",
                                    "2",
                                    "--size",
                                    "160x128"))
                    .isZero();
            assertThat(run("produce", "--bootstrap-servers", bs, "--camera", "x")).isEqualTo(2);

            List<Frame> frames = new ArrayList<>();
            try (KafkaConsumer<String, Frame> c =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bs,
                                    ConsumerConfig.GROUP_ID_CONFIG,
                                    "t",
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                    "earliest"),
                            new StringDeserializer(),
                            new FrameDeserializer())) {
                c.subscribe(List.of("frames"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (frames.size() < 9 && System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(300)).forEach(r -> frames.add(r.value()));
                }
            }
            assertThat(frames)
                    .extracting(Frame::getCameraId)
                    .containsExactly(
                            "street", "street", "street", "street", "nyu", "nyu", "nyu", "sim",
                            "sim");
            assertThat(frames.get(0).getWidth()).isEqualTo(192);
            assertThat(frames.get(4).getWidth()).isEqualTo(640);
            assertThat(frames.get(8).getHeight()).isEqualTo(128);
            assertThat(frames)
                    .extracting(Frame::getSequence)
                    .containsExactly(0L, 1L, 2L, 3L, 0L, 1L, 2L, 0L, 1L);
            frames.forEach(
                    f ->
                            assertThat(FramePixels.decode(f))
                                    .hasSize(3 * f.getWidth() * f.getHeight()));
        }
    }

    private static int run(String... args) {
        return KafkaCli.commandLine().execute(args);
    }
}
