package io.scenestream.job;

import io.scenestream.model.selftrain.CurrentScene;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.operators.InferenceSettings;
import io.scenestream.operators.SelfTrainingSettings;
import io.scenestream.operators.TeacherSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * The job's options, typed, with defaults and descriptions. Read from a properties file and the
 * command line. Besides these, every {@code kafka.properties.KEY=VALUE} goes to every Kafka client
 * of the job as {@code KEY=VALUE}: security ({@code security.protocol}, {@code sasl.mechanism},
 * {@code sasl.jaas.config}, {@code ssl.truststore.location}, ...) and any other client setting.
 */
public final class JobOptions {

    private JobOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("127.0.0.1:9092")
                    .withDescription("Kafka brokers, host:port,...");

    public static final ConfigOption<String> FRAMES_TOPIC =
            ConfigOptions.key("topics.frames")
                    .stringType()
                    .defaultValue("frames")
                    .withDescription("Topic of incoming Frame records.");

    public static final ConfigOption<String> PREDICTIONS_TOPIC =
            ConfigOptions.key("topics.predictions")
                    .stringType()
                    .defaultValue("predictions")
                    .withDescription("Topic of outgoing Prediction records.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("topics.dead-letters")
                    .stringType()
                    .defaultValue("frames-dead-letters")
                    .withDescription(
                            "Topic of records that are not usable frames, with their reason in headers.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("scenestream")
                    .withDescription("Consumer group of the frame source.");

    public static final ConfigOption<String> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .stringType()
                    .defaultValue("committed-or-earliest")
                    .withDescription(
                            "Where a new job starts reading: earliest, latest or committed-or-earliest.");

    public static final ConfigOption<String> MODEL_CHECKPOINT =
            ConfigOptions.key("model.checkpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The student model's .ckpt.zip (required).");

    public static final ConfigOption<String> RESOLUTION =
            ConfigOptions.key("model.resolution")
                    .stringType()
                    .defaultValue("256x320")
                    .withDescription("Model input HEIGHTxWIDTH, multiples of 32.");

    public static final ConfigOption<String> DEVICE =
            ConfigOptions.key("model.device")
                    .stringType()
                    .defaultValue(InferenceSettings.DEFAULT_DEVICE)
                    .withDescription(
                            "cpu, gpu (the slot's GPU resource or subtask index modulo GPUs) or gpu:N.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("inference.batch-size")
                    .intType()
                    .defaultValue(InferenceSettings.DEFAULT_MAX_BATCH)
                    .withDescription(
                            "Largest micro-batch of frames per model call; 8 or more on a GPU.");

    public static final ConfigOption<Long> BATCH_DELAY_MS =
            ConfigOptions.key("inference.batch-delay-ms")
                    .longType()
                    .defaultValue(InferenceSettings.DEFAULT_MAX_DELAY_MS)
                    .withDescription("Longest a frame waits for its micro-batch to fill.");

    public static final ConfigOption<Float> CONFIDENCE_THRESHOLD =
            ConfigOptions.key("inference.confidence-threshold")
                    .floatType()
                    .defaultValue(InferenceSettings.DEFAULT_CONFIDENCE_THRESHOLD)
                    .withDescription("Probability at which a pixel counts as confident.");

    public static final ConfigOption<Long> MAX_LAG_MS =
            ConfigOptions.key("inference.max-lag-ms")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Shed a frame that reaches inference more than this many ms after its record's timestamp "
                                    + "(the camera's clock, or the broker's with LogAppendTime): it is never decoded or "
                                    + "inferred and makes no prediction; counted (metric framesShed, the local console). "
                                    + "0: keep every frame, however late; a camera that outpaces inference then waits in "
                                    + "Kafka and latency grows. Clocks must agree to well within it.");

    public static final ConfigOption<Integer> INFERENCE_THREADS =
            ConfigOptions.key("inference.threads")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "libtorch threads of each inference operator (0: libtorch's "
                                    + "default: all cores, or OMP_NUM_THREADS). With parallelism above 1 on one machine, set it to "
                                    + "cores / parallelism.");

    public static final ConfigOption<Integer> CODEC_THREADS =
            ConfigOptions.key("inference.codec-threads")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Threads of each inference operator that decode a batch's frames "
                                    + "and encode its depth and segmentation PNGs, its own included, or with inference.overlap-codecs "
                                    + "threads of their own (0: one per frame of a batch, at most the cores).");

    public static final ConfigOption<Boolean> OVERLAP_CODECS =
            ConfigOptions.key("inference.overlap-codecs")
                    .booleanType()
                    .noDefaultValue()
                    .withDescription(
                            "Decode frames as they arrive and encode a batch's PNGs "
                                    + "while the model runs the next batch, on the codec threads (default: on when model.device is a "
                                    + "GPU; off on a CPU, where the model's threads take the cores).");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Parallel inference instances; the teacher runs at the same parallelism, self-training at 1. On a CPU serving more cameras "
                                    + "than cores, instances on one libtorch thread each (inference.threads=1), one more than the cores, ran "
                                    + "fastest on a 2-core machine (docs/benchmarks/2026-11-pipeline.md).");

    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS =
            ConfigOptions.key("job.checkpoint-interval-ms")
                    .longType()
                    .defaultValue(10_000L)
                    .withDescription(
                            "Interval of Flink checkpoints; bounds what is replayed after a failure.");

    /** {@link #CHECKPOINT_DIR} unless set: a folder under the JVM's temp directory. */
    public static String defaultCheckpointDir() {
        return "file://" + System.getProperty("java.io.tmpdir") + "/scenestream-checkpoints";
    }

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOptions.key("job.checkpoint-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where checkpoints go (a URI every Flink process can reach: file:// on one machine, "
                                    + "s3:// or hdfs:// on a cluster); default file://TMPDIR/scenestream-checkpoints, "
                                    + "TMPDIR being the JVM's java.io.tmpdir. The models in the state are larger than "
                                    + "in-memory checkpoints allow.");

    public static final ConfigOption<String> STATE_BACKEND =
            ConfigOptions.key("job.state-backend")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where the job's keyed state lives: hashmap (on the heap) or rocksdb (on local disk, "
                                    + "checkpointed incrementally: for many cameras adapting on their own, each with "
                                    + "its replay buffer, held-out frames and delta, about 18 MB a camera at 320x256 "
                                    + "with the defaults). Unset: the cluster's state.backend.type, the heap unless "
                                    + "configured.");

    public static final ConfigOption<String> DELIVERY =
            ConfigOptions.key("job.delivery")
                    .stringType()
                    .defaultValue("at-least-once")
                    .withDescription(
                            "at-least-once, or exactly-once (Kafka transactions; read predictions with read_committed).");

    public static final ConfigOption<Integer> MAX_FRAME_BYTES =
            ConfigOptions.key("frames.max-bytes")
                    .intType()
                    .defaultValue(32 << 20)
                    .withDescription("Largest frame record accepted.");

    public static final ConfigOption<Boolean> SNIFF_ENCODING =
            ConfigOptions.key("frames.sniff-encoding")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Decode a JPEG or PNG payload as what its magic bytes "
                                    + "say, whatever encoding the frame declares. Off: a frame whose payload is not of its declared "
                                    + "encoding goes to the dead-letter topic as ENCODING_MISMATCH.");

    public static final ConfigOption<String> MODEL_UPDATES_TOPIC =
            ConfigOptions.key("topics.model-updates")
                    .stringType()
                    .defaultValue("model-updates")
                    .withDescription(
                            "Compacted topic of ModelUpdate records: self-training publishes, inference hot-swaps.");

    public static final ConfigOption<String> PSEUDO_LABELS_TOPIC =
            ConfigOptions.key("topics.pseudo-labels")
                    .stringType()
                    .defaultValue("pseudo-labels")
                    .withDescription(
                            "Topic of the teacher's PseudoLabel records (for inspection and replay).");

    public static final ConfigOption<String> ROUNDS_TOPIC =
            ConfigOptions.key("topics.rounds")
                    .stringType()
                    .defaultValue("self-training-rounds")
                    .withDescription(
                            "Topic of SelfTrainingRound records: every self-training round's outcome, agreement and the "
                                    + "share of the machine adaptation took (for the dashboard and audits).");

    public static final ConfigOption<String> UPDATE_KEY =
            ConfigOptions.key("model-updates.key")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Shared key of model updates (HMAC-SHA256): updates are signed with it and unsigned or "
                                    + "wrongly signed ones are rejected. Empty: unsigned updates are accepted.");

    public static final ConfigOption<Boolean> SELF_TRAINING =
            ConfigOptions.key("self-training.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Online self-training: teacher pseudo-labels, student rounds, hot swap.");

    public static final ConfigOption<String> TEACHER_CHECKPOINT =
            ConfigOptions.key("self-training.teacher")
                    .stringType()
                    .defaultValue("model/checkpoints/teacher-w18.ckpt.zip")
                    .withDescription("The teacher's .ckpt.zip, readable on every task manager.");

    /**
     * Sets {@code option} to a command's own default unless the configuration already holds it
     * (given with {@code -D}, applied first), so that what the user says wins.
     */
    public static <T> void setUnlessGiven(Configuration conf, ConfigOption<T> option, T value) {
        if (!conf.contains(option)) {
            conf.set(option, value);
        }
    }

    public static final ConfigOption<Double> ACCEPT_TOLERANCE =
            ConfigOptions.key("self-training.accept-tolerance")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Agreement with the teacher on a task (mIoU, or 1 - abs rel of"
                                    + " depth, 0..1; the depth RMSE against the teacher by this"
                                    + " share) that a candidate may lose against the serving"
                                    + " student on the check frames and still be accepted; 0: a"
                                    + " candidate must agree at least as well.");

    public static final ConfigOption<String> TEACHER_DEVICE =
            ConfigOptions.key("self-training.teacher-device")
                    .stringType()
                    .defaultValue(TeacherSettings.DEFAULT_DEVICE)
                    .withDescription("Device of the teacher: cpu, gpu or gpu:N.");

    public static final ConfigOption<String> TEACHER_SLOT_GROUP =
            ConfigOptions.key("self-training.slot-sharing-group")
                    .stringType()
                    .defaultValue("default")
                    .withDescription(
                            "Slot sharing group of teacher and self-training (e.g. 'teacher' to give them slots of their own).");

    public static final ConfigOption<Float> PSEUDO_LABEL_THRESHOLD =
            ConfigOptions.key("self-training.threshold")
                    .floatType()
                    .defaultValue(TeacherSettings.DEFAULT_THRESHOLD)
                    .withDescription("Minimum teacher probability of a class pseudo-label.");

    public static final ConfigOption<String> CLASS_THRESHOLDS =
            ConfigOptions.key("self-training.class-thresholds")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Per-class thresholds, comma-separated by class id; empty for none.");

    public static final ConfigOption<Float> CLASS_SHARE =
            ConfigOptions.key("self-training.class-share")
                    .floatType()
                    .defaultValue(0f)
                    .withDescription(
                            "Class balance: at least this share of each class's pixels (the teacher's most confident) "
                                    + "is labelled even below the threshold; 0 for none.");

    public static final ConfigOption<Float> DEPTH_FLIP_TOLERANCE =
            ConfigOptions.key("self-training.depth-flip-tolerance")
                    .floatType()
                    .defaultValue(TeacherSettings.DEFAULT_DEPTH_FLIP_TOLERANCE)
                    .withDescription(
                            "Largest relative change of the teacher's depth under a horizontal flip for a depth pseudo-label.");

    public static final ConfigOption<Integer> MIN_STRIDE =
            ConfigOptions.key("self-training.min-stride")
                    .intType()
                    .defaultValue(TeacherSettings.DEFAULT_MIN_STRIDE)
                    .withDescription("Fewest frames between two labelled frames of a camera.");

    public static final ConfigOption<Integer> MAX_STRIDE =
            ConfigOptions.key("self-training.max-stride")
                    .intType()
                    .defaultValue(TeacherSettings.DEFAULT_MAX_STRIDE)
                    .withDescription("Most frames between two labelled frames of a camera.");

    public static final ConfigOption<Double> LOW_AGREEMENT =
            ConfigOptions.key("self-training.low-agreement")
                    .doubleType()
                    .defaultValue(TeacherSettings.DEFAULT_LOW_AGREEMENT)
                    .withDescription("Student-teacher agreement below which the stride halves.");

    public static final ConfigOption<Double> HIGH_AGREEMENT =
            ConfigOptions.key("self-training.high-agreement")
                    .doubleType()
                    .defaultValue(TeacherSettings.DEFAULT_HIGH_AGREEMENT)
                    .withDescription("Agreement above which the stride doubles.");

    /** Replay buffer of each camera or group that adapts on its own, unless configured. */
    public static final int PER_CAMERA_BUFFER_SIZE = 64;

    /** Held-out frames of each camera or group that adapts on its own, unless configured. */
    public static final int PER_CAMERA_HELD_OUT_SIZE = 16;

    public static final ConfigOption<Integer> BUFFER_SIZE =
            ConfigOptions.key("self-training.buffer-size")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Pseudo-labelled frames in the replay buffer. Default: "
                                    + SelfTrainer.Settings.DEFAULT_BUFFER_SIZE
                                    + " with self-training.scope=fleet, "
                                    + PER_CAMERA_BUFFER_SIZE
                                    + " per camera or group (a pseudo-label of 320x256, the frame with the teacher's confident labels and its whole prediction, is about 250 KB of state).");

    public static final ConfigOption<Integer> HELD_OUT_SIZE =
            ConfigOptions.key("self-training.held-out-size")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Pseudo-labelled frames held out to check candidates. Default: "
                                    + SelfTrainer.Settings.DEFAULT_HELD_OUT_SIZE
                                    + " with self-training.scope=fleet, "
                                    + PER_CAMERA_HELD_OUT_SIZE
                                    + " per camera or group.");

    public static final ConfigOption<Integer> HELD_OUT_EVERY =
            ConfigOptions.key("self-training.held-out-every")
                    .intType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_HELD_OUT_EVERY)
                    .withDescription(
                            "Every n-th pseudo-labelled frame is held out; with"
                                    + " self-training.batch-norm=frames also, after a change of"
                                    + " light, every frame of the new one until there are"
                                    + " self-training.min-check-frames of it, so that its"
                                    + " statistics can be judged.");

    public static final ConfigOption<Integer> CHECK_FRAMES =
            ConfigOptions.key("self-training.check-frames")
                    .intType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_CHECK_FRAMES)
                    .withDescription(
                            "The newest held-out frames a candidate is checked on: the camera's"
                                    + " current scene. It serves only if it agrees with the"
                                    + " teacher there, on segmentation and on depth, at least as"
                                    + " well as the serving and the frozen student.");

    public static final ConfigOption<Integer> MIN_CHECK_FRAMES =
            ConfigOptions.key("self-training.min-check-frames")
                    .intType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_MIN_CHECK_FRAMES)
                    .withDescription(
                            "The fewest check frames of the current scene a candidate is judged on,"
                                    + " at most self-training.check-frames. Right after a change of"
                                    + " light a round may end with fewer: it is rolled back, not"
                                    + " served on a gain measured on one or two frames.");

    public static final ConfigOption<Double> SCENE_TOLERANCE =
            ConfigOptions.key("self-training.scene-tolerance")
                    .doubleType()
                    .defaultValue(CurrentScene.DEFAULT_TOLERANCE)
                    .withDescription(
                            "How far the light (log luminance, colour cast, contrast, black level) of the"
                                    + " held-out frames before and after a point must differ, in units of its variation"
                                    + " between rooms of one light, for the frames after it to be the camera's current"
                                    + " scene; a smaller change (0.3 of it or more) also counts when it is more than"
                                    + " five standard deviations of the camera's own frames (haze in a room). After a"
                                    + " change of light only frames of the new one are check frames, and rounds train"
                                    + " on frames of it once there are a batch. 0: every frame counts.");

    public static final ConfigOption<Double> FALLBACK_MARGIN =
            ConfigOptions.key("self-training.fallback-margin")
                    .doubleType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_FALLBACK_MARGIN)
                    .withDescription(
                            "Agreement with the teacher on a task (mIoU, or 1 - abs rel of"
                                    + " depth; the depth RMSE against the teacher by this share)"
                                    + " by which the frozen student must lead the serving one on"
                                    + " the check frames before it serves again.");

    public static final ConfigOption<Integer> STEPS_PER_ROUND =
            ConfigOptions.key("self-training.steps-per-round")
                    .intType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_STEPS_PER_ROUND)
                    .withDescription("Optimiser steps per self-training round.");

    public static final ConfigOption<Integer> TRAIN_BATCH =
            ConfigOptions.key("self-training.batch-size")
                    .intType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_BATCH)
                    .withDescription("Frames per self-training step.");

    public static final ConfigOption<String> TRAIN_CROP =
            ConfigOptions.key("self-training.crop")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "HEIGHTxWIDTH (multiples of 32, at most the student's input) of the window of each"
                                    + " frame a self-training step trains on, at a random place: a step then"
                                    + " costs about that share of the whole frame's, so rounds within a budget"
                                    + " end sooner; empty for the whole frame. Measured with 128x160 under a"
                                    + " warm lamp (docs/benchmarks/2026-12-07-rounds-after-a-shift.md): rounds"
                                    + " of 59-87 s instead of 104-107 s, and an accepted student whose depth"
                                    + " was worse than the frozen one's (up to 8.5% RMSE in a window): a window"
                                    + " sees too little of the room for depth.");

    public static final ConfigOption<Float> LEARNING_RATE =
            ConfigOptions.key("self-training.learning-rate")
                    .floatType()
                    .defaultValue(SelfTrainer.Settings.DEFAULT_LEARNING_RATE)
                    .withDescription("Adam learning rate of self-training.");

    public static final ConfigOption<String> TRAINED_PARTS =
            ConfigOptions.key("self-training.train")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Which of the student's parameters self-training updates: all; heads (everything but the "
                                    + "backbone: cheaper steps, no gradient into the backbone); batchnorm (the BatchNorm "
                                    + "scale and shift only). The rest stays as shipped. Default: all with "
                                    + "self-training.scope=fleet, batchnorm with camera or group (a camera's state "
                                    + "and updates then hold under 1% of the student lite instead of all of it).");

    public static final ConfigOption<String> BATCH_NORM =
            ConfigOptions.key("self-training.batch-norm")
                    .stringType()
                    .defaultValue("batch")
                    .withDescription(
                            "How self-training treats BatchNorm's statistics: batch (steps normalise with each "
                                    + "batch's and move the running ones slowly, as offline training does; with "
                                    + "batches of a few frames and rounds of a few steps the candidate then serves "
                                    + "with statistics mostly of the light before a change); frames (as batch, then "
                                    + "the candidate's running statistics are set to those of the round's newest 16 "
                                    + "training frames pooled with the frozen student's, which count as 16 frames, so "
                                    + "that it serves normalised as the light it trained on, and "
                                    + "after a change of light (the shipped statistics are taken to serve the light the "
                                    + "camera started in) the serving weights with the statistics of its first "
                                    + "held-out frames are judged first, without a step); or "
                                    + "running (steps normalise with the running statistics inference uses and leave "
                                    + "them as they are).");

    public static final ConfigOption<String> SOURCE_DATA =
            ConfigOptions.key("self-training.source-data")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Labelled source-domain frames mixed into self-training against forgetting, e.g. "
                                    + "synthetic:day or nyud:PATH; empty for none.");

    public static final ConfigOption<Integer> SOURCE_FRAMES =
            ConfigOptions.key("self-training.source-frames")
                    .intType()
                    .defaultValue(SelfTrainingSettings.DEFAULT_SOURCE_FRAMES)
                    .withDescription("How many labelled source frames to keep.");

    public static final ConfigOption<Double> SOURCE_SHARE =
            ConfigOptions.key("self-training.source-share")
                    .doubleType()
                    .defaultValue(SelfTrainingSettings.DEFAULT_SOURCE_SHARE)
                    .withDescription("Chance that a training frame is a source frame.");

    public static final ConfigOption<String> ADAPTATION_SCOPE =
            ConfigOptions.key("self-training.scope")
                    .stringType()
                    .defaultValue("fleet")
                    .withDescription(
                            "Which cameras adapt together: fleet (one student for every camera), camera "
                                    + "(each camera its own) or group (cameras in the groups of "
                                    + "self-training.groups). With camera or group, self-training is keyed by camera or "
                                    + "group at the job's parallelism, each keeps its adapted parameters as a "
                                    + "difference from the shipped student in keyed state, its updates go to the "
                                    + "model-updates topic under model/camera, and inference lays each camera's "
                                    + "parameters over the one shared model. Also read by inference without "
                                    + "self-training, to serve per-camera updates published elsewhere. A fleet "
                                    + "whose cameras see different light adapts nothing with fleet: its check "
                                    + "frames' light changes with each camera's key frame and stops every round.");

    public static final ConfigOption<String> ADAPTATION_GROUPS =
            ConfigOptions.key("self-training.groups")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "For self-training.scope=group: name=regex pairs separated by ';' (e.g. "
                                    + "lobby=lobby-.*;yard=cam-(7|8)); a camera adapts with the first group whose "
                                    + "expression matches its whole id, or on its own when none does.");

    public static final ConfigOption<Double> ADAPTATION_BUDGET =
            ConfigOptions.key("self-training.budget")
                    .doubleType()
                    .defaultValue(TeacherSettings.DEFAULT_BUDGET)
                    .withDescription(
                            "Share of the machine's cores that adaptation (the teacher and the training "
                                    + "rounds together, per TaskManager) takes, in both directions: each piece of "
                                    + "adaptation work (a labelled key frame, a training step, a validation) takes a core "
                                    + "of its own while inference batches run on the cores left, and between pieces "
                                    + "adaptation waits until its core time is back within this share. It gets its "
                                    + "share however busy inference is, and no more; key frames that come meanwhile are "
                                    + "skipped and counted. On this project's 2-core machine inference kept 81.7% of its "
                                    + "throughput at 0.25 and 91.3% at 0.1 "
                                    + "(docs/benchmarks/2026-12-05-adaptation-budget.md). 0: no limit, adaptation runs "
                                    + "beside inference at self-training.nice.");

    public static final ConfigOption<Integer> TRAINING_NICENESS =
            ConfigOptions.key("self-training.nice")
                    .intType()
                    .defaultValue(TeacherSettings.DEFAULT_NICENESS)
                    .withDescription(
                            "Nice value (0..19) of the threads that run the teacher and the training rounds "
                                    + "(Linux). Matters with self-training.budget=0 only, where adaptation runs beside "
                                    + "inference: a higher value makes it yield to inference, so on a busy machine it "
                                    + "may get nothing.");

    public static final ConfigOption<Integer> TRAINING_THREADS =
            ConfigOptions.key("self-training.threads")
                    .intType()
                    .defaultValue(TeacherSettings.DEFAULT_THREADS)
                    .withDescription(
                            "libtorch threads of the teacher's and the trainer's threads (0: libtorch's "
                                    + "default, all cores). One each (the default): within a budget each piece of their "
                                    + "work takes one core, and no OpenMP team of theirs contends with inference's; raise "
                                    + "it where they have cores or a GPU of their own.");

    public static final ConfigOption<Integer> ROUND_EVERY =
            ConfigOptions.key("self-training.round-every")
                    .intType()
                    .defaultValue(SelfTrainingSettings.DEFAULT_ROUND_EVERY)
                    .withDescription(
                            "A round starts after this many new pseudo-labelled training frames...");

    public static final ConfigOption<Long> ROUND_INTERVAL_MS =
            ConfigOptions.key("self-training.round-interval-ms")
                    .longType()
                    .defaultValue(SelfTrainingSettings.DEFAULT_ROUND_INTERVAL_MS)
                    .withDescription("...or after this long if any new frame came.");

    /**
     * The options as a validated settings object; throws IllegalArgumentException naming a bad
     * option.
     */
    public static JobSettings settings(Configuration c) {
        return JobSettings.from(c);
    }
}
