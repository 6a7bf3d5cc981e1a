package io.scenestream.job;

import io.scenestream.frames.Size;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.model.selftrain.TrainedParts;
import io.scenestream.operators.AdaptationScope;
import io.scenestream.operators.InferenceSettings;
import io.scenestream.operators.SelfTrainingSettings;
import io.scenestream.operators.TeacherSettings;
import java.io.Serializable;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** The job's settings, checked once, from {@link JobOptions}. */
public record JobSettings(
        String bootstrapServers,
        String framesTopic,
        String predictionsTopic,
        String deadLetterTopic,
        String groupId,
        String startingOffsets,
        InferenceSettings inference,
        int parallelism,
        long checkpointIntervalMs,
        DeliveryGuarantee delivery,
        FrameLimits frameLimits,
        String modelUpdatesTopic,
        String pseudoLabelsTopic,
        String roundsTopic,
        TeacherSettings teacher,
        SelfTrainingSettings selfTraining,
        String teacherSlotGroup,
        String checkpointDir,
        String stateBackend,
        TreeMap<String, String> kafkaProperties)
        implements Serializable {

    /** Prefix of options passed to every Kafka client as they are (security, timeouts...). */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    /**
     * The Kafka client properties given as {@code kafka.properties.*} options (e.g. {@code
     * kafka.properties.security.protocol=SASL_SSL}), for every source, sink and admin client.
     */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /** Whether the job runs online self-training. */
    public boolean selfTrainingEnabled() {
        return selfTraining != null;
    }

    static JobSettings from(Configuration c) {
        String checkpoint = c.get(JobOptions.MODEL_CHECKPOINT);
        if (checkpoint == null) {
            throw new IllegalArgumentException(
                    "option " + JobOptions.MODEL_CHECKPOINT.key() + " is required");
        }
        Size resolution =
                Size.parse(
                        c.get(JobOptions.RESOLUTION),
                        Size.Order.HEIGHT_BY_WIDTH,
                        "option " + JobOptions.RESOLUTION.key());
        int h = resolution.height();
        int w = resolution.width();
        boolean adapt = c.get(JobOptions.SELF_TRAINING);
        String key = c.get(JobOptions.UPDATE_KEY);
        AdaptationScope scope;
        try {
            scope =
                    AdaptationScope.parse(
                            c.get(JobOptions.ADAPTATION_SCOPE),
                            c.get(JobOptions.ADAPTATION_GROUPS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "option " + JobOptions.ADAPTATION_SCOPE.key() + ": " + e.getMessage(), e);
        }
        InferenceSettings inference =
                InferenceSettings.builder()
                        .setCheckpoint(checkpoint)
                        .setResolution(h, w)
                        .optBatch(c.get(JobOptions.BATCH_SIZE), c.get(JobOptions.BATCH_DELAY_MS))
                        .optDevice(c.get(JobOptions.DEVICE))
                        .optConfidenceThreshold(c.get(JobOptions.CONFIDENCE_THRESHOLD))
                        .optKeyFrameEvery(adapt ? c.get(JobOptions.MIN_STRIDE) : 0)
                        .optUpdateKey(key)
                        .optThreads(c.get(JobOptions.INFERENCE_THREADS))
                        .optCodecThreads(c.get(JobOptions.CODEC_THREADS))
                        .optOverlapCodecs(c.getOptional(JobOptions.OVERLAP_CODECS).orElse(null))
                        .optMaxLagMs(c.get(JobOptions.MAX_LAG_MS))
                        .optScope(scope)
                        .build();
        TeacherSettings teacher = null;
        SelfTrainingSettings selfTraining = null;
        if (adapt) {
            String teacherModel = c.get(JobOptions.TEACHER_CHECKPOINT);
            if (teacherModel == null || teacherModel.isBlank()) {
                throw new IllegalArgumentException(
                        "option "
                                + JobOptions.TEACHER_CHECKPOINT.key()
                                + " must name the teacher's .ckpt.zip when self-training is on");
            }
            teacher =
                    TeacherSettings.builder()
                            .setCheckpoint(teacherModel)
                            .optDevice(c.get(JobOptions.TEACHER_DEVICE))
                            .optLabels(
                                    c.get(JobOptions.PSEUDO_LABEL_THRESHOLD),
                                    c.get(JobOptions.CLASS_THRESHOLDS),
                                    c.get(JobOptions.DEPTH_FLIP_TOLERANCE),
                                    c.get(JobOptions.CLASS_SHARE))
                            .optStride(
                                    c.get(JobOptions.MIN_STRIDE),
                                    c.get(JobOptions.MAX_STRIDE),
                                    c.get(JobOptions.LOW_AGREEMENT),
                                    c.get(JobOptions.HIGH_AGREEMENT))
                            .optWorker(
                                    c.get(JobOptions.TRAINING_NICENESS),
                                    c.get(JobOptions.TRAINING_THREADS))
                            .optUpdateKey(key)
                            .optBudget(c.get(JobOptions.ADAPTATION_BUDGET))
                            .build();
            int[] crop = crop(c.get(JobOptions.TRAIN_CROP));
            SelfTrainer.Settings trainer =
                    SelfTrainer.Settings.builder()
                            .optBuffers(
                                    c.getOptional(JobOptions.BUFFER_SIZE)
                                            .orElse(
                                                    scope.isFleet()
                                                            ? SelfTrainer.Settings
                                                                    .DEFAULT_BUFFER_SIZE
                                                            : JobOptions.PER_CAMERA_BUFFER_SIZE),
                                    c.getOptional(JobOptions.HELD_OUT_SIZE)
                                            .orElse(
                                                    scope.isFleet()
                                                            ? SelfTrainer.Settings
                                                                    .DEFAULT_HELD_OUT_SIZE
                                                            : JobOptions.PER_CAMERA_HELD_OUT_SIZE),
                                    c.get(JobOptions.HELD_OUT_EVERY))
                            .optCheck(
                                    c.get(JobOptions.CHECK_FRAMES),
                                    c.get(JobOptions.FALLBACK_MARGIN))
                            .optSteps(
                                    c.get(JobOptions.STEPS_PER_ROUND),
                                    c.get(JobOptions.TRAIN_BATCH))
                            .optLearningRate(c.get(JobOptions.LEARNING_RATE))
                            .optParts(
                                    c.getOptional(JobOptions.TRAINED_PARTS)
                                            .map(TrainedParts::parse)
                                            .orElse(
                                                    scope.isFleet()
                                                            ? TrainedParts.ALL
                                                            : TrainedParts.BATCHNORM))
                            .optNormalisation(normalisation(c.get(JobOptions.BATCH_NORM)))
                            .optSceneTolerance(c.get(JobOptions.SCENE_TOLERANCE))
                            .optMinCheckFrames(c.get(JobOptions.MIN_CHECK_FRAMES))
                            .optCrop(crop[0], crop[1])
                            .build();
            selfTraining =
                    SelfTrainingSettings.builder()
                            .setStudentCheckpoint(checkpoint)
                            .optTrainer(trainer)
                            .optRounds(
                                    c.get(JobOptions.ROUND_EVERY),
                                    c.get(JobOptions.ROUND_INTERVAL_MS))
                            .optUpdateKey(key)
                            .optSource(
                                    c.get(JobOptions.SOURCE_DATA),
                                    c.get(JobOptions.SOURCE_FRAMES),
                                    c.get(JobOptions.SOURCE_SHARE))
                            .optWorker(
                                    c.get(JobOptions.TRAINING_NICENESS),
                                    c.get(JobOptions.TRAINING_THREADS))
                            .optAcceptTolerance(c.get(JobOptions.ACCEPT_TOLERANCE))
                            .optBudget(c.get(JobOptions.ADAPTATION_BUDGET))
                            .optScope(scope)
                            .build();
        }
        DeliveryGuarantee delivery =
                switch (c.get(JobOptions.DELIVERY)) {
                    case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
                    case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
                    default ->
                            throw new IllegalArgumentException(
                                    "option "
                                            + JobOptions.DELIVERY.key()
                                            + " must be at-least-once or exactly-once, got "
                                            + c.get(JobOptions.DELIVERY));
                };
        String offsets = c.get(JobOptions.STARTING_OFFSETS);
        if (!offsets.matches("earliest|latest|committed-or-earliest")) {
            throw new IllegalArgumentException(
                    "option "
                            + JobOptions.STARTING_OFFSETS.key()
                            + " must be earliest, latest or committed-or-earliest, got "
                            + offsets);
        }
        if (c.get(JobOptions.PARALLELISM) < 1) {
            throw new IllegalArgumentException(
                    "option " + JobOptions.PARALLELISM.key() + " must be at least 1");
        }
        if (c.get(JobOptions.CHECKPOINT_INTERVAL_MS) < 10) {
            throw new IllegalArgumentException(
                    "option "
                            + JobOptions.CHECKPOINT_INTERVAL_MS.key()
                            + " must be at least 10 ms");
        }
        FrameLimits limits =
                new FrameLimits(
                        c.get(JobOptions.MAX_FRAME_BYTES),
                        FrameLimits.DEFAULT.maxWidth(),
                        FrameLimits.DEFAULT.maxHeight(),
                        c.get(JobOptions.SNIFF_ENCODING));
        return new JobSettings(
                c.get(JobOptions.BOOTSTRAP_SERVERS),
                c.get(JobOptions.FRAMES_TOPIC),
                c.get(JobOptions.PREDICTIONS_TOPIC),
                c.get(JobOptions.DEAD_LETTER_TOPIC),
                c.get(JobOptions.GROUP_ID),
                offsets,
                inference,
                c.get(JobOptions.PARALLELISM),
                c.get(JobOptions.CHECKPOINT_INTERVAL_MS),
                delivery,
                limits,
                c.get(JobOptions.MODEL_UPDATES_TOPIC),
                c.get(JobOptions.PSEUDO_LABELS_TOPIC),
                c.get(JobOptions.ROUNDS_TOPIC),
                teacher,
                selfTraining,
                c.get(JobOptions.TEACHER_SLOT_GROUP),
                c.getOptional(JobOptions.CHECKPOINT_DIR)
                        .orElseGet(JobOptions::defaultCheckpointDir),
                stateBackend(c),
                kafkaProperties(c));
    }

    /** The chosen state backend, or null to leave Flink's own setting. */
    private static String stateBackend(Configuration c) {
        String b = c.get(JobOptions.STATE_BACKEND);
        if (b == null || b.equals("hashmap") || b.equals("rocksdb")) {
            return b;
        }
        throw new IllegalArgumentException(
                "option "
                        + JobOptions.STATE_BACKEND.key()
                        + " must be hashmap or rocksdb, got '"
                        + b
                        + "'");
    }

    private static TreeMap<String, String> kafkaProperties(Configuration c) {
        TreeMap<String, String> out = new TreeMap<>();
        c.toMap()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith(KAFKA_PROPERTIES_PREFIX)
                                    && k.length() > KAFKA_PROPERTIES_PREFIX.length()) {
                                out.put(k.substring(KAFKA_PROPERTIES_PREFIX.length()), v);
                            }
                        });
        return out;
    }

    /** {@code self-training.crop}: rows and columns, or 0 and 0 for the whole frame. */
    static int[] crop(String value) {
        if (value.isBlank()) {
            return new int[] {0, 0};
        }
        String what = "option " + JobOptions.TRAIN_CROP.key();
        Size crop =
                Size.parse(value.trim(), Size.Order.HEIGHT_BY_WIDTH, what)
                        .requireMultipleOf(32, what);
        return new int[] {crop.height(), crop.width()};
    }

    private static SelfTrainer.Normalisation normalisation(String value) {
        return switch (value.trim()) {
            case "running" -> SelfTrainer.Normalisation.RUNNING;
            case "batch" -> SelfTrainer.Normalisation.BATCH;
            case "frames" -> SelfTrainer.Normalisation.FRAMES;
            default ->
                    throw new IllegalArgumentException(
                            "self-training.batch-norm must be frames, batch or running, got '"
                                    + value
                                    + "'");
        };
    }
}
