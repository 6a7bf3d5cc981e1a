package io.scenestream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.scenestream.frames.viz.NyuPalette;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.ModelUpdates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The dashboard's memory, fed records directly: bad ones counted, cameras bounded. */
class FleetStateTest {

    private static final DashboardTopics T = DashboardTopics.DEFAULT;

    private static ConsumerRecord<byte[], byte[]> record(
            String topic, long offset, long timestamp, String key, byte[] value) {
        return new ConsumerRecord<>(
                topic,
                0,
                offset,
                timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                -1,
                -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value,
                new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
    }

    @Test
    void countsMalformedRecordsOfEveryTopicAndGoesOn() {
        FleetState s = new FleetState(T, 10);
        byte[] garbage = {(byte) 0xff, 0x01, 0x02};
        long offset = 0;
        for (String topic : T.all()) {
            if (!topic.equals(T.deadLetters())) {
                s.accept(record(topic, offset++, 1000, "cam", garbage));
                s.accept(record(topic, offset++, 1000, "cam", null));
                s.accept(record(topic, offset++, 1000, "cam", new byte[0]));
            }
        }
        Prediction p = DashboardITCase.prediction("cam", 7, 2_000_000, 12);
        s.accept(record(T.predictions(), offset++, 2000, "cam", p.toByteArray()));
        // A dead letter without headers nor key: still a dead letter, of no camera.
        s.accept(record(T.deadLetters(), offset++, 2000, null, garbage));

        Map<String, Map<String, Long>> bad = s.unreadable();
        for (String topic : T.all()) {
            if (!topic.equals(T.deadLetters())) {
                assertThat(bad.get(topic)).as(topic).containsEntry("TOMBSTONE", 1L);
                assertThat(bad.get(topic)).as(topic).containsEntry("EMPTY", 1L);
                assertThat(bad.get(topic).values().stream().mapToLong(Long::longValue).sum())
                        .as(topic)
                        .isEqualTo(3);
            }
        }
        assertThat(s.cameras()).extracting(CameraState::id).containsExactly("cam");
        CameraState cam = s.find("cam");
        assertThat(cam.latestPrediction().getSequence()).isEqualTo(7);
        assertThat(cam.summary(3000, NyuPalette.NYU13))
                .containsEntry("modelVersion", 3L)
                .containsEntry("latencyP50Ms", 12.0)
                .containsEntry("deadLetters", 0L);
        assertThat(s.deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason()).isEqualTo("UNKNOWN");
                            assertThat(d.camera()).isNull();
                        });
    }

    @Test
    void keepsAtMostMaxCamerasForgettingTheStalest() {
        FleetState s = new FleetState(T, 2);
        for (int c = 0; c < 3; c++) {
            Prediction p = DashboardITCase.prediction("cam-" + c, 0, 1_000_000, 10);
            s.accept(record(T.predictions(), c, 1000 + c, "cam-" + c, p.toByteArray()));
        }
        assertThat(s.cameras()).extracting(CameraState::id).containsExactly("cam-1", "cam-2");
    }

    @Test
    void readsTheStatusOfAModelVersionFromItsValidation() {
        FleetState s = new FleetState(T, 2);
        s.accept(
                record(
                        T.modelUpdates(),
                        0,
                        1000,
                        "student",
                        ModelUpdates.create(
                                        "student", 2, new byte[] {1}, Map.of("frozen", 1.0), null)
                                .toByteArray()));
        s.accept(
                record(
                        T.modelUpdates(),
                        1,
                        1000,
                        "student",
                        ModelUpdates.create(
                                        "student", 3, new byte[] {2}, Map.of("frozen", 0.0), null)
                                .toByteArray()));
        assertThat(s.versions("student"))
                .extracting(Views.ModelVersion::version, Views.ModelVersion::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "frozen"),
                        org.assertj.core.groups.Tuple.tuple(3L, "accepted"));
    }

    @Test
    void quantilesAreNearestRank() {
        double[] v = {50, 10, 40, 20, 30};
        assertThat(Samples.quantile(v, 0.5)).isEqualTo(30);
        assertThat(Samples.quantile(v, 0.99)).isEqualTo(50);
        assertThat(Samples.quantile(new double[0], 0.5)).isNaN();
        Samples s = new Samples(3);
        for (int i = 0; i < 5; i++) {
            s.add(1000 + 100L * i, i);
        }
        assertThat(s.values()).containsExactly(2, 3, 4);
        assertThat(s.ratePerSecond(10_000)).isEqualTo(10.0);
    }

    /** With cameras adapting on their own, each camera's versions and rounds are its own. */
    @Test
    void aCameraThatAdaptsOnItsOwnShowsItsOwnVersionsAndRounds() {
        FleetState s = new FleetState(T, 10);
        byte[] update =
                ModelUpdates.create("student", "kitchen", 4, new byte[] {1}, Map.of(), null)
                        .toByteArray();
        s.accept(record(T.modelUpdates(), 0, 1000, "student/kitchen", update));
        byte[] round =
                io.scenestream.kafka.proto.SelfTrainingRound.newBuilder()
                        .setModelName("student")
                        .setScope("kitchen")
                        .setRound(1)
                        .setOutcome("accepted")
                        .setVersion(4)
                        .build()
                        .toByteArray();
        s.accept(record(T.rounds(), 0, 1000, "student", round));
        assertThat(s.keyFor("student", "kitchen")).isEqualTo("student/kitchen");
        assertThat(s.keyFor("student", "hall")).isEqualTo("student");
        assertThat(s.versions(s.keyFor("student", "kitchen")))
                .extracting(Views.ModelVersion::version)
                .containsExactly(4L);
        assertThat(s.rounds(s.keyFor("student", "kitchen")))
                .extracting(Views.Round::version)
                .containsExactly(4L);
        assertThat(s.versions(s.keyFor("student", "hall"))).isEmpty();
        assertThat(s.rounds(s.keyFor("student", "hall"))).isEmpty();
        assertThat(s.adaptation()).containsOnlyKeys("student/kitchen");
    }

    /**
     * Cameras of a group (self-training.scope=group) show the group's versions and rounds: their
     * predictions name the scope they adapt as.
     */
    @Test
    void aCameraOfAGroupShowsItsGroupsVersionsAndRounds() {
        FleetState s = new FleetState(T, 10);
        byte[] update =
                ModelUpdates.create("student", "lobby", 3, new byte[] {1}, Map.of(), null)
                        .toByteArray();
        s.accept(record(T.modelUpdates(), 0, 1000, "student/lobby", update));
        for (String camera : List.of("lobby-east", "lobby-west")) {
            byte[] p =
                    io.scenestream.kafka.proto.Prediction.newBuilder()
                            .setCameraId(camera)
                            .setModelName("student")
                            .setModelVersion(3)
                            .setAdaptationScope("lobby")
                            .setWidth(4)
                            .setHeight(2)
                            .setDepthPng(
                                    com.google.protobuf.ByteString.copyFrom(
                                            io.scenestream.kafka.serde.PredictionMaps.depthPng(
                                                    new float[8], 4, 2)))
                            .setSegmentationPng(
                                    com.google.protobuf.ByteString.copyFrom(
                                            io.scenestream.kafka.serde.PredictionMaps
                                                    .segmentationPng(new byte[8], 4, 2)))
                            .build()
                            .toByteArray();
            s.accept(record(T.predictions(), 0, 1000, camera, p));
        }
        assertThat(s.keyFor("student", "lobby-east")).isEqualTo("student/lobby");
        assertThat(s.keyFor("student", "lobby-west")).isEqualTo("student/lobby");
        assertThat(s.versions(s.keyFor("student", "lobby-west")))
                .extracting(Views.ModelVersion::version)
                .containsExactly(3L);
        assertThat(s.keyFor("student", "garage")).isEqualTo("student");
    }
}
