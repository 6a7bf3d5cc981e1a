package io.scenestream.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** The job's options, typed, with defaults and descriptions. Read from a properties file and the command line. */
public final class JobOptions {

    private JobOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType().defaultValue("127.0.0.1:9092").withDescription("Kafka brokers, host:port,...");

    public static final ConfigOption<String> FRAMES_TOPIC = ConfigOptions.key("topics.frames")
            .stringType().defaultValue("frames").withDescription("Topic of incoming Frame records.");

    public static final ConfigOption<String> PREDICTIONS_TOPIC = ConfigOptions.key("topics.predictions")
            .stringType().defaultValue("predictions").withDescription("Topic of outgoing Prediction records.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("topics.dead-letters")
            .stringType().defaultValue("frames-dead-letters")
            .withDescription("Topic of records that are not usable frames, with their reason in headers.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("kafka.group-id")
            .stringType().defaultValue("scenestream").withDescription("Consumer group of the frame source.");

    public static final ConfigOption<String> STARTING_OFFSETS = ConfigOptions.key("kafka.starting-offsets")
            .stringType().defaultValue("committed-or-earliest")
            .withDescription("Where a new job starts reading: earliest, latest or committed-or-earliest.");

    public static final ConfigOption<String> MODEL_CHECKPOINT = ConfigOptions.key("model.checkpoint")
            .stringType().noDefaultValue().withDescription("The student model's .ckpt.zip (required).");

    public static final ConfigOption<String> RESOLUTION = ConfigOptions.key("model.resolution")
            .stringType().defaultValue("256x320").withDescription("Model input HEIGHTxWIDTH, multiples of 32.");

    public static final ConfigOption<String> DEVICE = ConfigOptions.key("model.device")
            .stringType().defaultValue("cpu")
            .withDescription("cpu, gpu (the slot's GPU resource or subtask index modulo GPUs) or gpu:N.");

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("inference.batch-size")
            .intType().defaultValue(4).withDescription("Largest micro-batch of frames per model call.");

    public static final ConfigOption<Long> BATCH_DELAY_MS = ConfigOptions.key("inference.batch-delay-ms")
            .longType().defaultValue(50L).withDescription("Longest a frame waits for its micro-batch to fill.");

    public static final ConfigOption<Float> CONFIDENCE_THRESHOLD = ConfigOptions.key("inference.confidence-threshold")
            .floatType().defaultValue(0.9f).withDescription("Probability at which a pixel counts as confident.");

    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("job.parallelism")
            .intType().defaultValue(1).withDescription("Parallel inference instances.");

    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS = ConfigOptions.key("job.checkpoint-interval-ms")
            .longType().defaultValue(10_000L).withDescription("Interval of Flink checkpoints.");

    public static final ConfigOption<String> DELIVERY = ConfigOptions.key("job.delivery")
            .stringType().defaultValue("at-least-once")
            .withDescription("at-least-once, or exactly-once (Kafka transactions; read predictions with read_committed).");

    public static final ConfigOption<Integer> MAX_FRAME_BYTES = ConfigOptions.key("frames.max-bytes")
            .intType().defaultValue(32 << 20).withDescription("Largest frame record accepted.");

    /** The options as a validated settings object; throws IllegalArgumentException naming a bad option. */
    public static JobSettings settings(Configuration c) {
        return JobSettings.from(c);
    }
}
