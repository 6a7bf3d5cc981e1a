package io.scenestream.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.LiteCheckpoints;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Faults on a real cluster: Kafka, a JobManager and three TaskManagers, each a JVM of its own
 * ({@link StandaloneCluster}), the job submitted through REST, tiny models at 64x96.
 *
 * <ul>
 *   <li>A TaskManager running the job (self-training on) is killed with SIGKILL mid-stream: the job
 *       restores from its last checkpoint on the spare TaskManager; every frame gets its prediction
 *       (at-least-once: none missing; exactly-once: exactly one each, in order, read with
 *       read_committed); the job serves and trains on from its last adapted student, not from the
 *       shipped one. Once more with every camera adapting on its own: each comes back with its own
 *       adapted version.
 *   <li>The job is stopped with a savepoint at parallelism 2 and resumed from it at 3, every camera
 *       adapting on its own: each keeps its version, and every frame gets one prediction, in order.
 *   <li>The broker is stopped (SIGTERM) and started again on its data mid-stream: the job recovers
 *       and every frame gets its prediction.
 * </ul>
 *
 * Each prints what recovery took ({@code RECOVERY ...} lines).
 */
class ClusterFaultITCase {

    private static final int H = 64;
    private static final int W = 96;
    private static final double FPS_PER_CAMERA = 5;

    @TempDir static Path dir;

    private static StandaloneCluster cluster;
    private static Path student;
    private static Path teacher;
    private static List<byte[]> pictures;
    private static Thread killOnExit;
    private static CompletableFuture<String> replacement;

    @BeforeAll
    static void startCluster() throws Exception {
        student = dir.resolve("student.ckpt.zip");
        teacher = dir.resolve("teacher.ckpt.zip");
        LiteCheckpoints.save(student, "student", 1, H, W);
        LiteCheckpoints.save(teacher, "teacher", 2, H, W);
        SyntheticStream stream = new SyntheticStream(5, H, W, Domain.named("day"));
        pictures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pictures.add(stream.next().rgb());
        }
        Map<String, String> flink = new TreeMap<>();
        // Notice a lost TaskManager within seconds; restart every second.
        flink.put("heartbeat.interval", "1000");
        flink.put("heartbeat.timeout", "5000");
        flink.put("restart-strategy.type", "fixed-delay");
        flink.put("restart-strategy.fixed-delay.delay", "1 s");
        flink.put("restart-strategy.fixed-delay.attempts", "1000");
        flink.put("taskmanager.memory.task.off-heap.size", "128m");
        // Three TaskManagers of one slot: two for the job, one spare for when one is lost.
        ClusterSpec spec =
                new ClusterSpec(
                        dir.resolve("cluster"),
                        ClusterSpec.currentClasspath(),
                        null,
                        ClusterSpec.currentJava(),
                        3,
                        1,
                        "768m",
                        "1600m",
                        "384m",
                        0,
                        0,
                        0,
                        0,
                        flink,
                        Map.of("OMP_NUM_THREADS", "1"));
        cluster = StandaloneCluster.start(spec);
        // Should this JVM be ended abruptly, take the cluster's processes with it.
        killOnExit =
                new Thread(
                        () -> cluster.processes().values().forEach(ProcessHandle::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    @AfterAll
    static void stopCluster() {
        if (replacement != null) {
            try {
                replacement.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("the replacement TaskManager did not start: " + e);
            }
        }
        if (cluster != null) {
            cluster.stop();
            Runtime.getRuntime().removeShutdownHook(killOnExit);
            // Keep the processes' logs for a look after the run (the temporary folder goes).
            Path logs = Path.of("target", "cluster-fault-logs");
            try (Stream<Path> files = Files.list(cluster.spec().dir().resolve("log"))) {
                Files.createDirectories(logs);
                for (Path f : files.toList()) {
                    Files.copy(
                            f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                System.err.println("could not keep the cluster's logs: " + e);
            }
        }
    }

    /**
     * Makes sure the spare is back: three free slots (the replacement of a killed TaskManager
     * registered).
     */
    @BeforeEach
    void threeFreeSlots() throws Exception {
        if (replacement != null) {
            replacement.get(120, TimeUnit.SECONDS);
            replacement = null;
        }
        await(
                "three free slots",
                Duration.ofSeconds(120),
                () -> {
                    try {
                        return cluster.rest().freeSlots() == 3;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /**
     * A TaskManager lost mid-stream: the job restores from its last checkpoint on the spare; every
     * frame gets its prediction (at-least-once: none missing; exactly-once: exactly one each, in
     * order). With self-training on, it also comes back with the student it had adapted by that
     * checkpoint, serving and training on from there, not from the shipped version 1: one student
     * for the fleet, or each camera's own. (Self-training only exactly-once: on two cores,
     * restoring the trainer is most of a recovery's time.)
     */
    @ParameterizedTest(name = "{0}, adaptation: {1}")
    @CsvSource({"at-least-once, none", "exactly-once, fleet", "exactly-once, camera"})
    @Timeout(360)
    void aKilledTaskManagerIsReplacedAndNothingIsLost(String delivery, String scope)
            throws Exception {
        boolean selfTraining = !scope.equals("none");
        String name = "kill-" + delivery + (selfTraining ? "-" + scope : "");
        Map<String, String> options = options(name, delivery, 2);
        if (selfTraining) {
            selfTraining(options, scope);
        }
        List<String> cameras = List.of("kitchen", "hall");
        try (Reader predictions = new Reader(cluster.bootstrapServers(), name + "-predictions");
                Reader updates = new Reader(cluster.bootstrapServers(), name + "-model-updates");
                Feed feed = new Feed(cluster.bootstrapServers(), name + "-frames", cameras)) {
            String job = submit(name, options);
            FlinkRest rest = cluster.rest();
            try {
                await("the job running", Duration.ofSeconds(90), () -> allTasksRunning(job));
                feed.start();
                Map<String, Long> adapted = new TreeMap<>();
                if (selfTraining) {
                    // Every camera served by an adapted student...
                    await(
                            "an adapted student serving every camera",
                            Duration.ofSeconds(120),
                            () -> everyCameraAdapted(predictions, cameras));
                    for (Reader.Seen p : predictions.seen()) {
                        adapted.merge(p.camera(), p.version(), Math::max);
                    }
                } else {
                    await(
                            "predictions",
                            Duration.ofSeconds(90),
                            () -> predictions.seen().size() >= 10);
                }
                // ... and a checkpoint taken after that.
                long seenAt = System.currentTimeMillis();
                await(
                        "a checkpoint after " + predictions.seen().size() + " predictions",
                        Duration.ofSeconds(60),
                        () -> latestCheckpointTime(job) > seenAt,
                        () -> checkpoints(job));

                String victim =
                        rest.taskManagersOf(job, selfTraining ? "self-training" : "infer").get(0);
                long killedAt = System.currentTimeMillis();
                cluster.killTaskManager(victim);
                Recovery r = awaitRecovery(job, killedAt, predictions);
                report(
                        name,
                        "SIGKILL of TaskManager "
                                + victim
                                + (selfTraining
                                        ? " (inference, teacher, self-training)"
                                        : " (inference 1/2)"),
                        r);
                long recoveredAt = killedAt + Math.round(r.runningSeconds() * 1000);
                replacement =
                        CompletableFuture.supplyAsync(
                                () -> {
                                    try {
                                        return cluster
                                                .startTaskManager(); // the spare for the next test
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                });

                // Frames go on after recovery (with self-training: until its next update).
                await(
                        "predictions after recovery" + (selfTraining ? " and a model update" : ""),
                        Duration.ofSeconds(90),
                        () ->
                                predictions.seen().stream()
                                                        .filter(p -> p.arrivedAt() > recoveredAt)
                                                        .count()
                                                >= 10
                                        && (!selfTraining
                                                || published(updates, recoveredAt)
                                                        .keySet()
                                                        .containsAll(scopes(scope, cameras))));
                Set<String> expected = stopAndAwaitEveryFrame(feed, predictions);

                assertThat(r.restoredCheckpoint()).as("restored from a checkpoint").isPositive();
                List<Reader.Seen> seen = predictions.seen();
                assertThat(seen.stream().map(Reader.Seen::key).collect(Collectors.toSet()))
                        .as("every frame predicted, no prediction of a frame never sent")
                        .isEqualTo(expected);
                if (delivery.equals("exactly-once")) {
                    assertEachFrameOnceInOrder(cameras, seen, feed);
                }
                System.out.printf(
                        Locale.ROOT,
                        "RECOVERY %s: %d frames, %d predictions (%d duplicates)%n",
                        name,
                        expected.size(),
                        seen.size(),
                        seen.size() - expected.size());
                if (selfTraining) {
                    assertVersionsGoOn(
                            name, adapted, byScope(scope, adapted), seen, updates, recoveredAt);
                }
            } finally {
                cancel(job);
            }
        }
    }

    /**
     * After a restore, every camera is served at least the version it was served before ({@code
     * served}: 2 or more; the shipped student is 1), and the trainer of every scope restored its
     * student: its updates continue from its version before ({@code trained}, by scope: {@code ""}
     * for the fleet, else the camera).
     */
    private static void assertVersionsGoOn(
            String name,
            Map<String, Long> served,
            Map<String, Long> trained,
            List<Reader.Seen> seen,
            Reader updates,
            long restoredAt) {
        Map<String, SortedSet<Long>> servedAfter = new TreeMap<>();
        for (Reader.Seen p : seen) {
            if (p.arrivedAt() > restoredAt) {
                servedAfter.computeIfAbsent(p.camera(), c -> new TreeSet<>()).add(p.version());
            }
        }
        Map<String, List<Long>> publishedAfter = published(updates, restoredAt);
        System.out.printf(
                Locale.ROOT,
                "RECOVERY %s: served before up to %s, after %s; updates published after %s%n",
                name,
                served,
                servedAfter,
                publishedAfter);
        for (Map.Entry<String, Long> e : served.entrySet()) {
            assertThat(servedAfter.get(e.getKey()))
                    .as(
                            "versions served to %s after the restore (before: v%d; shipped: v1)",
                            e.getKey(), e.getValue())
                    .isNotEmpty()
                    .allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(e.getValue()));
        }
        assertThat(publishedAfter.keySet())
                .as("scopes with updates after the restore")
                .containsAll(trained.keySet());
        for (Map.Entry<String, Long> e : trained.entrySet()) {
            assertThat(publishedAfter.get(e.getKey()))
                    .as(
                            "updates of scope '%s' after the restore continue from v%d",
                            e.getKey(), e.getValue())
                    .allSatisfy(v -> assertThat(v).isGreaterThan(e.getValue()));
        }
    }

    /** Versions of the signed updates that arrived after {@code since}, by scope. */
    private static Map<String, List<Long>> published(Reader updates, long since) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (Reader.Raw u : updates.raw()) {
            if (u.arrivedAt() > since) {
                ModelUpdate m =
                        ModelUpdates.verify(u.value(), "secret".getBytes(StandardCharsets.UTF_8));
                out.computeIfAbsent(m.getScope(), k -> new ArrayList<>()).add(m.getVersion());
            }
        }
        return out;
    }

    /** The scopes whose updates reach {@code cameras}: the fleet's ({@code ""}) or each one's. */
    private static Set<String> scopes(String scope, List<String> cameras) {
        return scope.equals("camera") ? Set.copyOf(cameras) : Set.of("");
    }

    /**
     * The newest version by scope, from the newest served to each camera: the fleet's is the newest
     * of all, a camera's its own.
     */
    private static Map<String, Long> byScope(String scope, Map<String, Long> servedByCamera) {
        return scope.equals("camera")
                ? Map.copyOf(servedByCamera)
                : Map.of(
                        "",
                        servedByCamera.values().stream()
                                .mapToLong(Long::longValue)
                                .max()
                                .orElseThrow());
    }

    /**
     * Self-training as in SelfTrainingITCase (an untrained teacher is never sure: take all its
     * pixels; short rounds, judged from the first held-out frame), with a small replay buffer: the
     * state a restart restores stays small.
     */
    private static void selfTraining(Map<String, String> options, String scope) {
        options.put(JobOptions.SELF_TRAINING.key(), "true");
        options.put(JobOptions.TEACHER_CHECKPOINT.key(), teacher.toString());
        options.put(JobOptions.PSEUDO_LABEL_THRESHOLD.key(), "0");
        options.put(JobOptions.DEPTH_FLIP_TOLERANCE.key(), "10");
        options.put(JobOptions.MIN_STRIDE.key(), "4");
        options.put(JobOptions.MAX_STRIDE.key(), "8");
        options.put(JobOptions.HELD_OUT_EVERY.key(), "3");
        options.put(JobOptions.BUFFER_SIZE.key(), "24");
        options.put(JobOptions.HELD_OUT_SIZE.key(), "6");
        options.put(JobOptions.MIN_CHECK_FRAMES.key(), "1");
        options.put(JobOptions.STEPS_PER_ROUND.key(), "2");
        options.put(JobOptions.TRAIN_BATCH.key(), "2");
        options.put(JobOptions.LEARNING_RATE.key(), "1e-3");
        options.put(JobOptions.ROUND_EVERY.key(), "3");
        options.put(JobOptions.UPDATE_KEY.key(), "secret");
        options.put(JobOptions.ADAPTATION_SCOPE.key(), scope);
        if (scope.equals("camera")) {
            // Rounds of BatchNorm layers (the default per camera) on untrained models: accept what
            // trains at all, so every camera's version moves.
            options.put(JobOptions.ACCEPT_TOLERANCE.key(), "0.9");
        }
    }

    /**
     * Rescaling with every camera adapting on its own: once each of three cameras is served its own
     * adapted student, the job at parallelism 2 is stopped with a savepoint and submitted again
     * from it at parallelism 3, so the cameras' keyed state is split over three instances instead
     * of two. Each camera is served at least its own version after the restore, its next update
     * continues its own version numbers, and across both jobs every frame gets exactly one
     * prediction, in order (the frames sent while no job ran wait in Kafka).
     */
    @Test
    @Timeout(360)
    void aSavepointAtParallelismTwoResumesEveryCameraAtThree() throws Exception {
        String name = "rescale";
        Map<String, String> options = options(name, "exactly-once", 2);
        selfTraining(options, "camera");
        List<String> cameras = List.of("kitchen", "hall", "porch");
        try (Reader predictions = new Reader(cluster.bootstrapServers(), name + "-predictions");
                Reader updates = new Reader(cluster.bootstrapServers(), name + "-model-updates");
                Feed feed = new Feed(cluster.bootstrapServers(), name + "-frames", cameras)) {
            String first = submit(name, options);
            FlinkRest rest = cluster.rest();
            String savepoint;
            Map<String, Long> served = new TreeMap<>();
            try {
                await("the job running", Duration.ofSeconds(90), () -> allTasksRunning(first));
                feed.start();
                await(
                        "every camera served its own adapted student",
                        Duration.ofSeconds(150),
                        () -> everyCameraAdapted(predictions, cameras));
                savepoint =
                        rest.stopWithSavepoint(
                                first, cluster.savepointDir(), Duration.ofSeconds(120));
            } catch (Throwable t) {
                cancel(first);
                throw t;
            }
            await(
                    "the first job finished",
                    Duration.ofSeconds(60),
                    () -> jobState(first).equals("FINISHED"));
            for (Reader.Seen p : predictions.seen()) {
                served.merge(p.camera(), p.version(), Math::max);
            }
            Map<String, Long> trained = new TreeMap<>();
            published(updates, 0)
                    .forEach(
                            (camera, versions) ->
                                    trained.put(
                                            camera, versions.stream().max(Long::compare).get()));
            assertThat(trained.keySet())
                    .as("cameras with their own updates before the savepoint")
                    .containsExactlyInAnyOrderElementsOf(cameras);

            options.put(JobOptions.PARALLELISM.key(), "3");
            options.put("execution.state-recovery.path", savepoint);
            long resumedAt = System.currentTimeMillis();
            String second = submit(name, options);
            try {
                await(
                        "the job running again",
                        Duration.ofSeconds(90),
                        () -> allTasksRunning(second));
                assertThat(rest.taskManagersOf(second, "self-training-camera"))
                        .as("self-training instances after the restore")
                        .hasSize(3);
                await(
                        "an update for every camera after the restore",
                        Duration.ofSeconds(120),
                        () -> published(updates, resumedAt).keySet().containsAll(cameras));
                Set<String> expected = stopAndAwaitEveryFrame(feed, predictions);
                List<Reader.Seen> seen = predictions.seen();
                assertEachFrameOnceInOrder(cameras, seen, feed);
                System.out.printf(
                        Locale.ROOT,
                        "RECOVERY %s: savepoint %s at parallelism 2, resumed at 3; %d frames, %d "
                                + "predictions%n",
                        name,
                        savepoint,
                        expected.size(),
                        seen.size());
                assertVersionsGoOn(name, served, trained, seen, updates, resumedAt);
            } finally {
                cancel(second);
            }
        }
    }

    /** The broker stopped and started again mid-stream: the job recovers, no frame lost. */
    @Test
    @Timeout(240)
    void theBrokerIsRestartedAndNoFrameIsLost() throws Exception {
        String name = "broker";
        Map<String, String> options = options(name, "at-least-once", 2);
        List<String> cameras = List.of("kitchen", "hall");
        try (Reader predictions = new Reader(cluster.bootstrapServers(), name + "-predictions");
                Feed feed = new Feed(cluster.bootstrapServers(), name + "-frames", cameras)) {
            String job = submit(name, options);
            try {
                await("the job running", Duration.ofSeconds(90), () -> allTasksRunning(job));
                feed.start();
                await(
                        "predictions and a checkpoint",
                        Duration.ofSeconds(90),
                        () -> predictions.seen().size() >= 20 && completedCheckpoints(job) >= 1);

                long stoppedAt = System.currentTimeMillis();
                cluster.stopKafka();
                double stopSeconds = (System.currentTimeMillis() - stoppedAt) / 1e3;
                Thread.sleep(2000);
                long restartAt = System.currentTimeMillis();
                cluster.startKafka();
                long upAt = System.currentTimeMillis();
                long sentBeforeUp = feed.sentTotal();
                await(
                        "a prediction of a frame sent after the restart",
                        Duration.ofSeconds(120),
                        () ->
                                predictions.seen().stream()
                                        .anyMatch(
                                                s ->
                                                        s.arrivedAt() > upAt
                                                                && s.sequence()
                                                                        >= sentBeforeUp
                                                                                / cameras.size()));
                long flowingAt =
                        predictions.seen().stream()
                                .filter(
                                        s ->
                                                s.arrivedAt() > upAt
                                                        && s.sequence()
                                                                >= sentBeforeUp / cameras.size())
                                .mapToLong(Reader.Seen::arrivedAt)
                                .min()
                                .orElseThrow();
                System.out.printf(
                        Locale.ROOT,
                        "RECOVERY %s: SIGTERM to Kafka, stopped in %.1f s, down %.1f s, "
                                + "up again %.1f s after its start; first prediction of a new frame %.1f s after the broker was up "
                                + "(%.1f s after the stop)%n",
                        name,
                        stopSeconds,
                        (restartAt - stoppedAt) / 1e3,
                        (upAt - restartAt) / 1e3,
                        (flowingAt - upAt) / 1e3,
                        (flowingAt - stoppedAt) / 1e3);

                Thread.sleep(1000);
                feed.stop();
                Set<String> expected = feed.acked();
                assertThat(feed.failed()).as("frames whose send failed").isZero();
                assertThat(expected).hasSize((int) feed.sentTotal());
                await(
                        "a prediction for every frame",
                        Duration.ofSeconds(90),
                        () -> predictions.keys().containsAll(expected));
                assertThat(cluster.rest().jobState(job)).isEqualTo("RUNNING");
                System.out.printf(
                        Locale.ROOT,
                        "RECOVERY %s: %d frames, %d predictions, restored from a checkpoint: %s%n",
                        name,
                        expected.size(),
                        predictions.seen().size(),
                        cluster.rest()
                                .latestRestore(job)
                                .map(x -> "checkpoint " + x[0])
                                .orElse("no (sources reconnected)"));
            } finally {
                cancel(job);
            }
        }
    }

    // ---- the job ----

    private static Map<String, String> options(String name, String delivery, int parallelism) {
        Map<String, String> o = new HashMap<>();
        o.put(JobOptions.MODEL_CHECKPOINT.key(), student.toString());
        o.put(JobOptions.RESOLUTION.key(), H + "x" + W);
        o.put(JobOptions.BATCH_SIZE.key(), "2");
        o.put(JobOptions.BATCH_DELAY_MS.key(), "20");
        o.put(JobOptions.PARALLELISM.key(), Integer.toString(parallelism));
        o.put(JobOptions.CHECKPOINT_INTERVAL_MS.key(), "1000");
        o.put(JobOptions.DELIVERY.key(), delivery);
        o.put(JobOptions.STARTING_OFFSETS.key(), "earliest");
        o.put(JobOptions.GROUP_ID.key(), name);
        o.put(JobOptions.FRAMES_TOPIC.key(), name + "-frames");
        o.put(JobOptions.PREDICTIONS_TOPIC.key(), name + "-predictions");
        o.put(JobOptions.DEAD_LETTER_TOPIC.key(), name + "-dead-letters");
        o.put(JobOptions.PSEUDO_LABELS_TOPIC.key(), name + "-pseudo-labels");
        o.put(JobOptions.MODEL_UPDATES_TOPIC.key(), name + "-model-updates");
        return o;
    }

    private static String submit(String name, Map<String, String> options) throws Exception {
        Configuration conf = ClusterJob.options(cluster, options);
        JobSettings settings = JobOptions.settings(conf);
        ClusterJob.createTopics(settings, settings.parallelism());
        return ClusterJob.submit("127.0.0.1", cluster.spec().restPort(), conf, name).toHexString();
    }

    private static void cancel(String job) {
        try {
            FlinkRest rest = cluster.rest();
            rest.cancel(job);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !rest.jobState(job).equals("CANCELED")) {
                Thread.sleep(200);
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("could not cancel job " + job + ": " + e);
        }
    }

    /** What recovery from a lost TaskManager took, in seconds from the kill. */
    record Recovery(
            long restoredCheckpoint,
            double restoreSeconds,
            double runningSeconds,
            double predictingSeconds) {}

    /**
     * Waits until the job has restored from a checkpoint after {@code killedAt} and runs all its
     * tasks again, then for the first prediction after that.
     */
    private static Recovery awaitRecovery(String job, long killedAt, Reader predictions)
            throws Exception {
        FlinkRest rest = cluster.rest();
        long[] restored = new long[2];
        await(
                "the job restored from a checkpoint and running again",
                Duration.ofSeconds(120),
                () -> {
                    try {
                        Optional<long[]> r = rest.latestRestore(job);
                        if (r.isPresent() && r.get()[1] >= killedAt && rest.allTasksRunning(job)) {
                            restored[0] = r.get()[0];
                            restored[1] = r.get()[1];
                            return true;
                        }
                        return false;
                    } catch (IOException e) {
                        return false;
                    }
                });
        long runningAt = System.currentTimeMillis();
        await(
                "a prediction after recovery",
                Duration.ofSeconds(60),
                () -> predictions.seen().stream().anyMatch(s -> s.arrivedAt() > runningAt));
        long predictingAt =
                predictions.seen().stream()
                        .mapToLong(Reader.Seen::arrivedAt)
                        .filter(t -> t > runningAt)
                        .min()
                        .orElseThrow();
        return new Recovery(
                restored[0],
                (restored[1] - killedAt) / 1e3,
                (runningAt - killedAt) / 1e3,
                (predictingAt - killedAt) / 1e3);
    }

    private static void report(String name, String fault, Recovery r) {
        System.out.printf(
                Locale.ROOT,
                "RECOVERY %s: %s; restored checkpoint %d %.1f s after the kill, all tasks "
                        + "running %.1f s after, first new prediction %.1f s after%n",
                name,
                fault,
                r.restoredCheckpoint(),
                r.restoreSeconds(),
                r.runningSeconds(),
                r.predictingSeconds());
    }

    /** Whether every camera has had a prediction of an adapted student (v2 or later). */
    private static boolean everyCameraAdapted(Reader predictions, List<String> cameras) {
        return cameras.stream()
                .allMatch(
                        c ->
                                predictions.seen().stream()
                                        .anyMatch(p -> p.camera().equals(c) && p.version() >= 2));
    }

    /**
     * Stops the feed and waits for a prediction of every frame the broker acknowledged, and a
     * moment longer for any duplicate; returns those frames' keys.
     */
    private static Set<String> stopAndAwaitEveryFrame(Feed feed, Reader predictions)
            throws InterruptedException {
        feed.stop();
        Set<String> expected = feed.acked();
        assertThat(feed.failed()).as("frames whose send failed").isZero();
        await(
                "a prediction for every frame",
                Duration.ofSeconds(90),
                () -> predictions.keys().containsAll(expected));
        Thread.sleep(1500); // a duplicate would show up now
        return expected;
    }

    /** Every camera's frames predicted exactly once each, in the order sent. */
    private static void assertEachFrameOnceInOrder(
            List<String> cameras, List<Reader.Seen> seen, Feed feed) {
        for (String camera : cameras) {
            assertThat(
                            seen.stream()
                                    .filter(p -> p.camera().equals(camera))
                                    .map(Reader.Seen::sequence)
                                    .toList())
                    .as("camera %s: each frame exactly once, in order", camera)
                    .containsExactlyElementsOf(
                            LongStream.range(0, feed.sent(camera)).boxed().toList());
        }
    }

    private static String jobState(String job) {
        try {
            return cluster.rest().jobState(job);
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static boolean allTasksRunning(String job) {
        try {
            return cluster.rest().allTasksRunning(job);
        } catch (IOException e) {
            return false;
        }
    }

    private static int completedCheckpoints(String job) {
        try {
            return cluster.rest().completedCheckpoints(job);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long latestCheckpointTime(String job) {
        try {
            return cluster.rest().latestCompletedCheckpointTime(job).orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        await(what, timeout, condition, () -> "");
    }

    /** Waits for {@code condition}; on timeout an AssertionError with {@code state}. */
    private static void await(
            String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after "
                                + timeout.toSeconds()
                                + " s waiting for "
                                + what
                                + " "
                                + state.get()
                                + " (cluster: "
                                + cluster.describeProcesses()
                                + "; logs in target/cluster-fault-logs)");
            }
            Thread.sleep(100);
        }
    }

    private static String checkpoints(String job) {
        try {
            return cluster.rest().get("/jobs/" + job + "/checkpoints").toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    // ---- frames in, predictions out ----

    /** Frames of some cameras at a steady rate; remembers which the broker acknowledged. */
    private static final class Feed implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final List<String> cameras;
        private final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final Map<String, AtomicLong> next = new ConcurrentHashMap<>();
        private final AtomicInteger failed = new AtomicInteger();
        private final Thread thread = new Thread(this::run, "camera-feed");
        private volatile boolean stop;

        Feed(String bootstrap, String topic, List<String> cameras) {
            this.producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrap,
                                    ProducerConfig.ACKS_CONFIG,
                                    "all",
                                    ProducerConfig.LINGER_MS_CONFIG,
                                    5,
                                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                                    180_000,
                                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                    10_000,
                                    ProducerConfig.MAX_BLOCK_MS_CONFIG,
                                    120_000),
                            new ByteArraySerializer(),
                            new ByteArraySerializer());
            this.topic = topic;
            this.cameras = cameras;
            cameras.forEach(c -> next.put(c, new AtomicLong()));
        }

        void start() {
            thread.start();
        }

        private void run() {
            long periodNanos = (long) (1e9 / FPS_PER_CAMERA);
            long due = System.nanoTime();
            while (!stop) {
                for (String camera : cameras) {
                    long seq = next.get(camera).get();
                    Frame f =
                            Frame.newBuilder()
                                    .setCameraId(camera)
                                    .setSequence(seq)
                                    .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                                    .setWidth(W)
                                    .setHeight(H)
                                    .setEncoding(Encoding.RAW_RGB8)
                                    .setPayload(
                                            ByteString.copyFrom(
                                                    pictures.get((int) (seq % pictures.size()))))
                                    .build();
                    String key = camera + "/" + seq;
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    camera.getBytes(StandardCharsets.UTF_8),
                                    f.toByteArray()),
                            (md, e) -> {
                                if (e == null) {
                                    acked.add(key);
                                } else {
                                    failed.incrementAndGet();
                                }
                            });
                    next.get(camera).incrementAndGet();
                }
                due += periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        /** Stops sending and waits for the outstanding acknowledgements. */
        void stop() throws InterruptedException {
            stop = true;
            thread.join();
            producer.flush();
        }

        long sent(String camera) {
            return next.get(camera).get();
        }

        long sentTotal() {
            return next.values().stream().mapToLong(AtomicLong::get).sum();
        }

        Set<String> acked() {
            return Set.copyOf(acked);
        }

        int failed() {
            return failed.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            producer.close(Duration.ofSeconds(30));
        }
    }

    /** Reads a topic from its start in the background (committed records only). */
    private static final class Reader implements AutoCloseable {
        record Seen(String camera, long sequence, long version, long arrivedAt) {
            String key() {
                return camera + "/" + sequence;
            }
        }

        record Raw(byte[] value, long arrivedAt) {}

        private final List<Raw> raw = new CopyOnWriteArrayList<>();
        private final List<Seen> seen = new CopyOnWriteArrayList<>();
        private final Set<String> keys = ConcurrentHashMap.newKeySet();
        private final boolean predictions;
        private final Thread thread;
        private volatile boolean stop;

        Reader(String bootstrap, String topic) {
            this.predictions = topic.endsWith("-predictions");
            KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrap,
                                    ConsumerConfig.GROUP_ID_CONFIG,
                                    "test-" + topic,
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                    "earliest",
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                    "read_committed",
                                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                    64 << 20),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer());
            c.subscribe(List.of(topic));
            PredictionDeserializer de = new PredictionDeserializer();
            thread =
                    new Thread(
                            () -> {
                                try (c) {
                                    while (!stop) {
                                        for (ConsumerRecord<byte[], byte[]> r :
                                                c.poll(Duration.ofMillis(100))) {
                                            long now = System.currentTimeMillis();
                                            if (predictions) {
                                                Prediction p = de.deserialize(topic, r.value());
                                                Seen s =
                                                        new Seen(
                                                                p.getCameraId(),
                                                                p.getSequence(),
                                                                p.getModelVersion(),
                                                                now);
                                                seen.add(s);
                                                keys.add(s.key());
                                            } else {
                                                raw.add(new Raw(r.value(), now));
                                            }
                                        }
                                    }
                                }
                            },
                            "reader-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        List<Seen> seen() {
            return seen;
        }

        Set<String> keys() {
            return keys;
        }

        List<Raw> raw() {
            return raw;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }
}
