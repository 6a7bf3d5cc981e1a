package io.scenestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.proto.SelfTrainingRound;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.kafka.serde.SelfTrainingRoundDeserializer;
import io.scenestream.operators.RoundSummary;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online self-training through the real job (embedded Kafka, Flink MiniCluster): the teacher's
 * pseudo-labels reach their topic, the student's accepted rounds reach the compacted update topic
 * signed, the inference operator swaps them in, and later predictions name the new version, while
 * every frame still gets exactly its one prediction, in order.
 */
class SelfTrainingITCase {

    private static final int H = 64;
    private static final int W = 96;

    @Test
    void theStudentAdaptsAndIsHotSwappedWithoutLosingAFrame(@TempDir Path dir) throws Exception {
        Path student = dir.resolve("student.ckpt.zip");
        Path teacher = dir.resolve("teacher.ckpt.zip");
        LiteCheckpoints.save(student, "student", 1, H, W);
        LiteCheckpoints.save(teacher, "teacher", 2, H, W);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Configuration conf = configuration(kafka, dir, student, teacher);
            JobSettings settings = JobOptions.settings(conf);
            Topics.create(kafka, settings, 1);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SceneStreamJob.configure(env, settings);
            SceneStreamJob.build(env, JobIo.kafka(settings), settings);
            JobClient job = env.executeAsync("self-training-it");
            try {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong sent = new AtomicLong();
                Thread camera = new Thread(() -> produce(kafka, stop, sent), "camera");
                camera.start();

                // Wait for an update that the job swapped in: a prediction of version 2 or later.
                PredictionDeserializer de = new PredictionDeserializer();
                List<Prediction> predictions = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, "predictions")) {
                    long stopAt = Long.MAX_VALUE;
                    while (System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            predictions.add(de.deserialize(r.topic(), r.value()));
                        }
                        boolean swapped =
                                predictions.stream().anyMatch(p -> p.getModelVersion() >= 2);
                        if (swapped && stopAt == Long.MAX_VALUE) {
                            stopAt = predictions.size() + 10;
                        }
                        if (predictions.size() >= stopAt && !stop.get()) {
                            stop.set(true);
                            camera.join();
                        }
                        if (stop.get() && predictions.size() >= sent.get()) {
                            break;
                        }
                    }
                }
                stop.set(true);
                camera.join();
                assertThat(predictions)
                        .extracting(Prediction::getModelVersion)
                        .as("an update was swapped in")
                        .anyMatch(v -> v >= 2);
                // Every frame once, in order; versions never go back.
                assertThat(predictions)
                        .extracting(Prediction::getSequence)
                        .containsExactlyElementsOf(
                                LongStream.range(0, sent.get()).boxed().toList());
                for (int i = 1; i < predictions.size(); i++) {
                    assertThat(predictions.get(i).getModelVersion())
                            .isGreaterThanOrEqualTo(predictions.get(i - 1).getModelVersion());
                }

                List<ConsumerRecord<byte[], byte[]>> updates = readAll(kafka, "model-updates");
                assertThat(updates).isNotEmpty();
                for (ConsumerRecord<byte[], byte[]> r : updates) {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("student");
                    ModelUpdate u =
                            ModelUpdates.verify(
                                    r.value(), "secret".getBytes(StandardCharsets.UTF_8));
                    assertThat(u.getVersion()).isGreaterThanOrEqualTo(2);
                    assertThat(u.getValidationMap()).containsKey("agreement");
                }
                // Every round is reported on its topic, the accepted ones with the versions
                // published.
                SelfTrainingRoundDeserializer roundReader = new SelfTrainingRoundDeserializer();
                List<SelfTrainingRound> reported =
                        readAll(kafka, "self-training-rounds").stream()
                                .map(r -> roundReader.deserialize(r.topic(), r.value()))
                                .toList();
                assertThat(reported).isNotEmpty();
                assertThat(reported.get(0).getRound()).isEqualTo(1);
                for (SelfTrainingRound r : reported) {
                    assertThat(r.getModelName()).isEqualTo("student");
                    assertThat(r.getBudget()).isEqualTo(settings.selfTraining().budget());
                    assertThat(r.getMachineShare()).isBetween(0.0, 1.0);
                    assertThat(r.getTimeUs()).isPositive();
                }
                for (ConsumerRecord<byte[], byte[]> r : updates) {
                    long v =
                            ModelUpdates.verify(
                                            r.value(), "secret".getBytes(StandardCharsets.UTF_8))
                                    .getVersion();
                    assertThat(reported)
                            .as("the round that published v%d", v)
                            .anyMatch(
                                    x ->
                                            x.getVersion() == v
                                                    && !x.getOutcome()
                                                            .equals(RoundSummary.ROLLED_BACK)
                                                    && !x.getValidationMap().isEmpty());
                }
                List<ConsumerRecord<byte[], byte[]>> labels = readAll(kafka, "pseudo-labels");
                assertThat(labels).isNotEmpty();
                PseudoLabel first = PseudoLabels.parse(labels.get(0).value(), FrameLimits.DEFAULT);
                DenseSample sample = PseudoLabels.decode(first);
                assertThat(first.getTeacherName()).isEqualTo("teacher");
                assertThat(sample.height()).isEqualTo(H);
                assertThat(sample.semseg()).isNotNull();
                assertThat(first.getConfidentShare()).isEqualTo(1f);
            } finally {
                // The rounds reach the client as accumulators (the local console, adapt-eval's
                // history).
                AdaptationProgress progress =
                        new AdaptationProgress(job, settings.selfTraining().roundEvery());
                long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (progress.rounds().stream().noneMatch(RoundSummary::accepted)
                        && System.nanoTime() < until) {
                    progress.poll();
                    Thread.sleep(500);
                }
                assertThat(progress.rounds()).anyMatch(r -> r.accepted() && r.version() >= 2);
                assertThat(progress.rounds().get(0).round()).isEqualTo(1);
                assertThat(progress.rounds().get(0).line()).startsWith("self-training round 1");
                assertThat(progress.whyNoRound(Duration.ofMinutes(1))).isNull();
                assertThat(progress.progress()).containsPattern("key frames labelled [1-9]");
                job.cancel().get();
            }
        }
    }

    /** The job's options for these tests: tiny models, an untrained teacher, short rounds. */
    private static Configuration configuration(
            EmbeddedKafka kafka, Path dir, Path student, Path teacher) {
        Configuration conf = new Configuration();
        conf.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(JobOptions.MODEL_CHECKPOINT, student.toString());
        conf.set(JobOptions.RESOLUTION, H + "x" + W);
        conf.set(JobOptions.BATCH_SIZE, 2);
        conf.set(JobOptions.BATCH_DELAY_MS, 20L);
        conf.set(JobOptions.CHECKPOINT_INTERVAL_MS, 1000L);
        conf.set(JobOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
        conf.set(JobOptions.STARTING_OFFSETS, "earliest");
        conf.set(JobOptions.SELF_TRAINING, true);
        conf.set(JobOptions.TEACHER_CHECKPOINT, teacher.toString());
        // An untrained teacher is never sure: take all its pixels.
        conf.set(JobOptions.PSEUDO_LABEL_THRESHOLD, 0f);
        conf.set(JobOptions.DEPTH_FLIP_TOLERANCE, 10f);
        conf.set(JobOptions.MIN_STRIDE, 2);
        conf.set(JobOptions.MAX_STRIDE, 4);
        conf.set(JobOptions.HELD_OUT_EVERY, 3);
        // Rounds from the first held-out frame: the wiring is under test, not the check's evidence.
        conf.set(JobOptions.MIN_CHECK_FRAMES, 1);
        conf.set(JobOptions.STEPS_PER_ROUND, 4);
        conf.set(JobOptions.TRAIN_BATCH, 2);
        conf.set(JobOptions.LEARNING_RATE, 1e-3f);
        conf.set(JobOptions.ROUND_EVERY, 3);
        conf.set(JobOptions.UPDATE_KEY, "secret");
        return conf;
    }

    /**
     * Each camera adapts on its own (scope camera): the kitchen, which streams on, gets rounds and
     * updates of its own, published under student/kitchen and served to its frames only; the hall,
     * with too few key frames for a round, stays on the shipped v1.
     */
    @Test
    void eachCameraAdaptsOnItsOwnAndServesItsOwnVersion(@TempDir Path dir) throws Exception {
        Path student = dir.resolve("student.ckpt.zip");
        Path teacher = dir.resolve("teacher.ckpt.zip");
        LiteCheckpoints.save(student, "student", 1, H, W);
        LiteCheckpoints.save(teacher, "teacher", 2, H, W);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Configuration conf = configuration(kafka, dir, student, teacher);
            conf.set(JobOptions.ADAPTATION_SCOPE, "camera");
            // Rounds of BatchNorm layers (the default per camera) on untrained models: accept what
            // trains at all, so the kitchen's version moves.
            conf.set(JobOptions.ACCEPT_TOLERANCE, 0.9);
            // Keyed state in RocksDB, as for many cameras.
            conf.set(JobOptions.STATE_BACKEND, "rocksdb");
            JobSettings settings = JobOptions.settings(conf);
            Topics.create(kafka, settings, 1);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SceneStreamJob.configure(env, settings);
            SceneStreamJob.build(env, JobIo.kafka(settings), settings);
            JobClient job = env.executeAsync("self-training-per-camera-it");
            try {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong kitchenSent = new AtomicLong();
                AtomicLong hallSent = new AtomicLong();
                Thread kitchen =
                        new Thread(
                                () -> produce(kafka, "kitchen", 2000, stop, kitchenSent),
                                "kitchen");
                // Three frames: at most two key frames, too few for a round.
                Thread hall = new Thread(() -> produce(kafka, "hall", 3, stop, hallSent), "hall");
                kitchen.start();
                hall.start();
                PredictionDeserializer de = new PredictionDeserializer();
                List<Prediction> predictions = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, "predictions")) {
                    while (System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            predictions.add(de.deserialize(r.topic(), r.value()));
                        }
                        long adapted =
                                predictions.stream()
                                        .filter(
                                                p ->
                                                        p.getCameraId().equals("kitchen")
                                                                && p.getModelVersion() >= 2)
                                        .count();
                        if (adapted >= 5 && !stop.get()) {
                            stop.set(true);
                            kitchen.join();
                            hall.join();
                        }
                        if (stop.get()
                                && predictions.size() >= kitchenSent.get() + hallSent.get()) {
                            break;
                        }
                    }
                }
                stop.set(true);
                kitchen.join();
                hall.join();
                List<Prediction> kitchenOut =
                        predictions.stream()
                                .filter(p -> p.getCameraId().equals("kitchen"))
                                .toList();
                List<Prediction> hallOut =
                        predictions.stream().filter(p -> p.getCameraId().equals("hall")).toList();
                assertThat(kitchenOut)
                        .extracting(Prediction::getSequence)
                        .containsExactlyElementsOf(
                                LongStream.range(0, kitchenSent.get()).boxed().toList());
                assertThat(kitchenOut)
                        .extracting(Prediction::getModelVersion)
                        .as("the kitchen's own update served its frames")
                        .anyMatch(v -> v >= 2);
                assertThat(hallOut).extracting(Prediction::getSequence).containsExactly(0L, 1L, 2L);
                assertThat(hallOut)
                        .extracting(Prediction::getModelVersion)
                        .as("the hall is on the shipped student")
                        .containsOnly(1L);

                List<ConsumerRecord<byte[], byte[]>> updates = readAll(kafka, "model-updates");
                assertThat(updates).isNotEmpty();
                for (ConsumerRecord<byte[], byte[]> r : updates) {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8))
                            .isEqualTo("student/kitchen");
                    ModelUpdate u =
                            ModelUpdates.verify(
                                    r.value(), "secret".getBytes(StandardCharsets.UTF_8));
                    assertThat(u.getScope()).isEqualTo("kitchen");
                }
                SelfTrainingRoundDeserializer roundReader = new SelfTrainingRoundDeserializer();
                List<SelfTrainingRound> reported =
                        readAll(kafka, "self-training-rounds").stream()
                                .map(r -> roundReader.deserialize(r.topic(), r.value()))
                                .toList();
                assertThat(reported).isNotEmpty().allMatch(r -> r.getScope().equals("kitchen"));
                AdaptationProgress progress =
                        new AdaptationProgress(job, settings.selfTraining().roundEvery());
                // The rounds reach the client with the heartbeats.
                long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (progress.rounds().stream().noneMatch(RoundSummary::accepted)
                        && System.nanoTime() < until) {
                    progress.poll();
                    Thread.sleep(500);
                }
                assertThat(progress.progress()).containsPattern("serving kitchen v[2-9]");
                // The keyed state lives in RocksDB: its instances' local databases, named after the
                // job, in the TaskManager's temporary folder (MINICLUSTER/tm_0/tmp/).
                String jobDb = "job_" + job.getJobID() + "_op_";
                List<Path> databases = new ArrayList<>();
                try (DirectoryStream<Path> clusters =
                        Files.newDirectoryStream(
                                Path.of(System.getProperty("java.io.tmpdir")), "minicluster_*")) {
                    for (Path cluster : clusters) {
                        try (Stream<Path> files = Files.walk(cluster, 3)) {
                            files.filter(f -> f.getFileName().toString().startsWith(jobDb))
                                    .forEach(databases::add);
                        } catch (IOException | UncheckedIOException e) {
                            // Another process's folder: not this job's.
                        }
                    }
                }
                assertThat(databases).as("RocksDB databases of the job").isNotEmpty();
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void produce(EmbeddedKafka kafka, AtomicBoolean stop, AtomicLong sent) {
        produce(kafka, "kitchen", 2000, stop, sent);
    }

    /** Frames of {@code camera}, 20 a second, until {@code stop} or {@code frames} were sent. */
    private static void produce(
            EmbeddedKafka kafka, String camera, long frames, AtomicBoolean stop, AtomicLong sent) {
        SyntheticStream stream =
                new SyntheticStream(5 + camera.hashCode() % 7, H, W, Domain.named("day"));
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (long seq = 0; !stop.get() && seq < frames; seq++) {
                DenseSample s = stream.next();
                Frame f =
                        Frame.newBuilder()
                                .setCameraId(camera)
                                .setSequence(seq)
                                .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                                .setWidth(W)
                                .setHeight(H)
                                .setEncoding(Encoding.RAW_RGB8)
                                .setPayload(ByteString.copyFrom(s.rgb()))
                                .build();
                p.send(
                        new ProducerRecord<>(
                                "frames",
                                camera.getBytes(StandardCharsets.UTF_8),
                                f.toByteArray()));
                sent.incrementAndGet();
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "it-" + topic + "-" + System.nanoTime(),
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                64 << 20),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, topic)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int empty = 0;
            while (System.nanoTime() < deadline && empty < 5) {
                var records = c.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !out.isEmpty()) {
                    empty++;
                }
                records.forEach(out::add);
            }
        }
        return out;
    }
}
