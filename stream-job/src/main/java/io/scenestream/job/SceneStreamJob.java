package io.scenestream.job;

import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.KafkaRecords;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.flink.RawRecordSchema;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.flink.SerializedPrediction;
import io.scenestream.kafka.flink.SerializedRound;
import io.scenestream.operators.AdaptationScope;
import io.scenestream.operators.CameraOfRecord;
import io.scenestream.operators.EncodePredictions;
import io.scenestream.operators.InferenceOperator;
import io.scenestream.operators.RawPrediction;
import io.scenestream.operators.SceneSelfTrainingOperator;
import io.scenestream.operators.SelfTrainingOperator;
import io.scenestream.operators.TeacherOperator;
import java.io.IOException;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * SceneStream's Flink job: frames from Kafka, keyed by camera, decoded (bad records to a
 * dead-letter topic), through MTI-Net in micro-batches, predictions back to Kafka.
 *
 * <pre>
 *   KafkaSource(frames) -> keyBy(camera) -> decode + infer -> encode -> KafkaSink(predictions)
 *                                             `-> dead letters -> KafkaSink(dead-letters)
 * </pre>
 *
 * Records are keyed while still compressed (the camera id is read from the record, {@link
 * CameraOfRecord}) and decoded by the inference operator itself: what crosses the network is the
 * camera's JPEG or PNG, not its decoded pixels, and decoding, inference and encoding run one after
 * the other on one thread, so they never compete with the model's threads for cores.
 */
public final class SceneStreamJob {

    private SceneStreamJob() {}

    /**
     * Runs the job against Kafka. Options ({@link JobOptions}) come from {@code --config FILE} (a
     * properties file) and then {@code --key value} arguments, which win.
     */
    public static void main(String[] args) throws Exception {
        Configuration conf = configuration(args);
        JobSettings settings = JobOptions.settings(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, settings);
        build(env, JobIo.kafka(settings), settings);
        env.execute("SceneStream");
    }

    /** Options from {@code --config FILE} then the other {@code --key value} arguments. */
    public static Configuration configuration(String[] args) throws IOException {
        ParameterTool cli = ParameterTool.fromArgs(args);
        ParameterTool all = cli;
        if (cli.has("config")) {
            all = ParameterTool.fromPropertiesFile(cli.get("config")).mergeWith(cli);
        }
        return all.getConfiguration();
    }

    /** Checkpointing and parallelism as the settings say. */
    public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        env.enableCheckpointing(
                settings.checkpointIntervalMs(),
                settings.delivery() == DeliveryGuarantee.EXACTLY_ONCE
                        ? CheckpointingMode.EXACTLY_ONCE
                        : CheckpointingMode.AT_LEAST_ONCE);
        env.setParallelism(settings.parallelism());
        Configuration storage = new Configuration();
        storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir());
        // Compressed snapshots: Flink 2.2 restores uncompressed operator state from a file one byte
        // per read call, which took 60-80 s for self-training's 58 MB student on a 2-core machine
        // (12 s compressed; see docs/operations.md, "Compressed snapshots").
        storage.set(ExecutionOptions.SNAPSHOT_COMPRESSION, true);
        if (settings.stateBackend() != null) {
            storage.set(StateBackendOptions.STATE_BACKEND, settings.stateBackend());
            if (settings.stateBackend().equals("rocksdb")) {
                // Checkpoints write what changed since the last one, not every camera's frames.
                storage.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            }
        }
        env.configure(storage);
    }

    /**
     * The dataflow without a model-update input and without self-training outputs (tests,
     * benchmarks).
     */
    public static void build(
            StreamExecutionEnvironment env,
            Source<RawRecord, ?, ?> frames,
            Sink<SerializedPrediction> predictions,
            Sink<DeadLetter> deadLetters,
            JobSettings settings) {
        build(env, new JobIo(frames, null, predictions, deadLetters, null, null, null), settings);
    }

    /**
     * The dataflow, from any sources to any sinks, so tests and every mode share it.
     *
     * <pre>
     *   frames -> keyBy(camera) -> decode + infer (+ model updates, broadcast) -> encode -> predictions
     *                                   `-> dead letters `-> key frames -> keyBy(camera) -> teacher (+ updates) -> pseudo-labels
     *                                                                                                 `-> self-training -> model updates
     * </pre>
     */
    public static void build(StreamExecutionEnvironment env, JobIo io, JobSettings settings) {
        DataStream<RawRecord> records =
                env.fromSource(io.frames(), WatermarkStrategy.noWatermarks(), "frames")
                        .uid("frames-source");
        DataStream<RawRecord> updates =
                io.modelUpdates() != null
                        ? env.fromSource(
                                        io.modelUpdates(),
                                        WatermarkStrategy.noWatermarks(),
                                        "model-updates")
                                .uid("model-updates-source")
                                .setParallelism(1)
                        // No update input: a bounded stream that ends at once (an empty collection
                        // source cannot be used: Flink's generator fails on zero elements).
                        : env.fromSequence(0, 0)
                                .uid("model-updates-source")
                                .name("no-model-updates")
                                .filter(x -> false)
                                .uid("no-model-updates-filter")
                                .map(x -> new RawRecord())
                                .returns(RawRecord.class)
                                .uid("no-model-updates-map");
        // Keyed by camera while still compressed; decoded in the inference task (see
        // InferenceOperator).
        SingleOutputStreamOperator<RawPrediction> inferred =
                records.keyBy(new CameraOfRecord())
                        .connect(updates.broadcast())
                        .transform(
                                "infer",
                                TypeInformation.of(RawPrediction.class),
                                new InferenceOperator(settings.inference(), settings.frameLimits()))
                        .uid("infer");
        inferred.getSideOutput(InferenceOperator.DEAD_LETTERS)
                .sinkTo(io.deadLetters())
                .name("dead-letters")
                .uid("dead-letters-sink");
        // Chained to inference: the maps are encoded without being copied to another task.
        inferred.map(new EncodePredictions())
                .name("encode")
                .uid("encode")
                .sinkTo(io.predictions())
                .name("predictions")
                .uid("predictions-sink");

        if (settings.selfTrainingEnabled()) {
            if (io.pseudoLabels() == null || io.updatesOut() == null) {
                throw new IllegalArgumentException(
                        "self-training needs sinks for pseudo-labels and model updates");
            }
            SingleOutputStreamOperator<PseudoLabelRecord> labels =
                    inferred.getSideOutput(InferenceOperator.KEY_FRAMES)
                            .keyBy(k -> k.cameraId)
                            // Updates of the teacher's own model, published under its name.
                            .connect(updates.broadcast())
                            .transform(
                                    "teacher",
                                    TypeInformation.of(PseudoLabelRecord.class),
                                    new TeacherOperator(settings.teacher()))
                            .uid("teacher")
                            .slotSharingGroup(settings.teacherSlotGroup());
            labels.sinkTo(io.pseudoLabels())
                    .name("pseudo-labels")
                    .uid("pseudo-labels-sink")
                    .slotSharingGroup(settings.teacherSlotGroup());
            AdaptationScope scope = settings.selfTraining().scope();
            SingleOutputStreamOperator<SerializedModelUpdate> trained =
                    scope.isFleet()
                            ? labels.transform(
                                            "self-training",
                                            TypeInformation.of(SerializedModelUpdate.class),
                                            new SelfTrainingOperator(settings.selfTraining()))
                                    .uid("self-training")
                                    .setParallelism(1)
                                    .setMaxParallelism(1)
                                    .slotSharingGroup(settings.teacherSlotGroup())
                            // Each camera or group its own student, keyed, at the job's
                            // parallelism.
                            : labels.keyBy(p -> scope.keyOf(p.cameraId))
                                    .transform(
                                            "self-training-"
                                                    + scope.kind().name().toLowerCase(Locale.ROOT),
                                            TypeInformation.of(SerializedModelUpdate.class),
                                            new SceneSelfTrainingOperator(settings.selfTraining()))
                                    .uid("self-training-scenes")
                                    .slotSharingGroup(settings.teacherSlotGroup());
            if (io.rounds() != null) {
                trained.getSideOutput(SelfTrainingOperator.ROUNDS)
                        .sinkTo(io.rounds())
                        .name("self-training-rounds")
                        .uid("self-training-rounds-sink")
                        .setParallelism(trained.getParallelism())
                        .slotSharingGroup(settings.teacherSlotGroup());
            }
            trained.sinkTo(io.updatesOut())
                    .name("model-updates-out")
                    .uid("model-updates-sink")
                    .setParallelism(trained.getParallelism())
                    .slotSharingGroup(settings.teacherSlotGroup());
        }
    }

    /** Frames from the configured topic. */
    public static KafkaSource<RawRecord> kafkaSource(JobSettings s) {
        OffsetsInitializer start =
                switch (s.startingOffsets()) {
                    case "earliest" -> OffsetsInitializer.earliest();
                    case "latest" -> OffsetsInitializer.latest();
                    default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setTopics(s.framesTopic())
                .setGroupId(s.groupId())
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordSchema())
                .setProperties(s.kafkaClientProperties())
                .setProperty(
                        "max.partition.fetch.bytes",
                        Integer.toString(s.frameLimits().maxRecordBytes() + 1024))
                .build();
    }

    /**
     * Model updates from the configured topic. A job without state starts at its own start time
     * (older updates belong to an earlier run, whose student this job's self-training does not
     * continue); a restored job goes on from its checkpointed offsets. Reads committed records
     * only, so an update whose transaction was aborted never serves.
     */
    public static KafkaSource<RawRecord> modelUpdatesSource(JobSettings s) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setTopics(s.modelUpdatesTopic())
                .setGroupId(s.groupId() + "-model-updates")
                .setStartingOffsets(OffsetsInitializer.timestamp(System.currentTimeMillis()))
                .setDeserializer(new RawRecordSchema())
                .setProperties(s.kafkaClientProperties())
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(256 << 20))
                .setProperty("fetch.max.bytes", Integer.toString(256 << 20))
                .build();
    }

    /** The teacher's pseudo-labels to the configured topic. */
    public static KafkaSink<PseudoLabelRecord> pseudoLabelSink(JobSettings s) {
        return KafkaSink.<PseudoLabelRecord>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.pseudoLabels(s.pseudoLabelsTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-pseudo-labels")
                .setKafkaProducerConfig(producerProperties(s))
                .build();
    }

    /** Accepted students to the configured (compacted) topic. */
    public static KafkaSink<SerializedModelUpdate> modelUpdateSink(JobSettings s) {
        return KafkaSink.<SerializedModelUpdate>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.modelUpdates(s.modelUpdatesTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-model-updates")
                .setKafkaProducerConfig(producerProperties(s))
                .build();
    }

    /** Self-training rounds to the configured topic. */
    public static KafkaSink<SerializedRound> roundSink(JobSettings s) {
        return KafkaSink.<SerializedRound>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.rounds(s.roundsTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-self-training-rounds")
                .setKafkaProducerConfig(producerProperties(s))
                .build();
    }

    /** Predictions to the configured topic, with the configured delivery guarantee. */
    public static KafkaSink<SerializedPrediction> predictionSink(JobSettings s) {
        return KafkaSink.<SerializedPrediction>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.predictions(s.predictionsTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-predictions")
                .setKafkaProducerConfig(producerProperties(s))
                .build();
    }

    /** Dead letters to the configured topic. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobSettings s) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.deadLetters(s.deadLetterTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-dead-letters")
                .setKafkaProducerConfig(producerProperties(s))
                .build();
    }

    private static Properties producerProperties(JobSettings s) {
        Properties p = s.kafkaClientProperties();
        p.setProperty("max.request.size", Integer.toString(64 << 20));
        // A micro-batch's predictions (tens of kilobytes each, above the client's 16 KB default) in
        // one request rather than one each: the broker's work is per request
        // (docs/benchmarks/2026-11-pipeline.md).
        p.putIfAbsent("batch.size", Integer.toString(1 << 20));
        // Below the broker's transaction.max.timeout.ms (15 min) for exactly-once.
        p.setProperty("transaction.timeout.ms", Integer.toString(10 * 60 * 1000));
        return p;
    }
}
