package io.scenestream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FrameSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaITCase {

    @Test
    void framesGoThroughARealBrokerAndSurviveItsRestart(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            kafka.createTopic("frames", 2, Map.of());
            send(kafka, 0, 10);
            assertThat(readAll(kafka, 10)).hasSize(10);

            kafka.restart();
            send(kafka, 10, 5);
            List<Frame> all = readAll(kafka, 15);
            assertThat(all).hasSize(15);
            // A camera's frames stay in order: they share a key, hence a partition.
            for (String cam : List.of("cam-a", "cam-b")) {
                List<Long> seqs =
                        all.stream()
                                .filter(f -> f.getCameraId().equals(cam))
                                .map(Frame::getSequence)
                                .toList();
                assertThat(seqs).isSorted();
            }
        }
    }

    @Test
    void startsWithSettingsReplaced() throws Exception {
        try (EmbeddedKafka kafka =
                        EmbeddedKafka.start(Map.of("broker.session.timeout.ms", "600000"));
                Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers()))) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            assertThat(config.get("broker.session.timeout.ms").value()).isEqualTo("600000");
            // The others as singleNodeProperties has them.
            assertThat(config.get("message.max.bytes").value())
                    .isEqualTo(Integer.toString(64 << 20));
        }
    }

    private static void send(EmbeddedKafka kafka, int from, int n) {
        try (KafkaProducer<String, Frame> p =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new StringSerializer(),
                        new FrameSerializer())) {
            for (int i = from; i < from + n; i++) {
                String cam = i % 2 == 0 ? "cam-a" : "cam-b";
                Frame f =
                        Frame.newBuilder()
                                .setCameraId(cam)
                                .setSequence(i)
                                .setWidth(2)
                                .setHeight(1)
                                .setEncoding(Encoding.RAW_RGB8)
                                .setPayload(ByteString.copyFrom(new byte[6]))
                                .build();
                p.send(new ProducerRecord<>("frames", cam, f));
            }
            p.flush();
        }
    }

    private static List<Frame> readAll(EmbeddedKafka kafka, int expected) {
        List<Frame> out = new ArrayList<>();
        try (KafkaConsumer<String, Frame> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "t-" + System.nanoTime(),
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest"),
                        new StringDeserializer(),
                        new FrameDeserializer())) {
            c.subscribe(List.of("frames"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, Frame> r : c.poll(Duration.ofMillis(500))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
