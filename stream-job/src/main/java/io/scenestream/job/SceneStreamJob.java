package io.scenestream.job;

import io.scenestream.operators.DecodeFrames;
import io.scenestream.operators.DeadLetter;
import io.scenestream.operators.DecodedFrame;
import io.scenestream.operators.EncodePredictions;
import io.scenestream.operators.InferenceOperator;
import io.scenestream.operators.RawPrediction;
import io.scenestream.operators.RawRecord;
import io.scenestream.operators.RawRecordSchema;
import io.scenestream.operators.SerializedPrediction;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
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
 * SceneStream's Flink job: frames from Kafka, decoded (bad records to a dead-letter topic), keyed
 * by camera, through MTI-Net in micro-batches, predictions back to Kafka.
 *
 * <pre>
 *   KafkaSource(frames) -> decode -> keyBy(camera) -> infer -> encode -> KafkaSink(predictions)
 *                            `-> dead letters -> KafkaSink(dead-letters)
 * </pre>
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
        build(env, kafkaSource(settings), predictionSink(settings), deadLetterSink(settings), settings);
        env.execute("SceneStream");
    }

    /** Options from {@code --config FILE} then the other {@code --key value} arguments. */
    public static Configuration configuration(String[] args) throws java.io.IOException {
        ParameterTool cli = ParameterTool.fromArgs(args);
        ParameterTool all = cli;
        if (cli.has("config")) {
            all = ParameterTool.fromPropertiesFile(cli.get("config")).mergeWith(cli);
        }
        return all.getConfiguration();
    }

    /** Checkpointing and parallelism as the settings say. */
    public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        env.enableCheckpointing(settings.checkpointIntervalMs(),
                settings.delivery() == DeliveryGuarantee.EXACTLY_ONCE ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
        env.setParallelism(settings.parallelism());
    }

    /** The dataflow, from any frame source to any sinks, so tests and every mode share it. */
    public static void build(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> frames,
            Sink<SerializedPrediction> predictions, Sink<DeadLetter> deadLetters, JobSettings settings) {
        DataStream<RawRecord> records = env.fromSource(frames, WatermarkStrategy.noWatermarks(), "frames")
                .uid("frames-source");
        SingleOutputStreamOperator<DecodedFrame> decoded = records
                .process(new DecodeFrames(settings.frameLimits()))
                .name("decode").uid("decode");
        decoded.getSideOutput(DecodeFrames.DEAD_LETTERS)
                .sinkTo(deadLetters).name("dead-letters").uid("dead-letters-sink");
        decoded.keyBy(f -> f.cameraId)
                .transform("infer", TypeInformation.of(RawPrediction.class), new InferenceOperator(settings.inference()))
                .uid("infer")
                // Its own task: encoding overlaps the next batch's inference.
                .map(new EncodePredictions()).name("encode").uid("encode").startNewChain()
                .sinkTo(predictions).name("predictions").uid("predictions-sink");
    }

    /** Frames from the configured topic. */
    public static KafkaSource<RawRecord> kafkaSource(JobSettings s) {
        OffsetsInitializer start = switch (s.startingOffsets()) {
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
                .setProperty("max.partition.fetch.bytes", Integer.toString(s.frameLimits().maxRecordBytes() + 1024))
                .build();
    }

    /** Predictions to the configured topic, with the configured delivery guarantee. */
    public static KafkaSink<SerializedPrediction> predictionSink(JobSettings s) {
        return KafkaSink.<SerializedPrediction>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.predictions(s.predictionsTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-predictions")
                .setKafkaProducerConfig(producerProperties())
                .build();
    }

    /** Dead letters to the configured topic. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobSettings s) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(KafkaRecords.deadLetters(s.deadLetterTopic()))
                .setDeliveryGuarantee(s.delivery())
                .setTransactionalIdPrefix("scenestream-dead-letters")
                .setKafkaProducerConfig(producerProperties())
                .build();
    }

    private static Properties producerProperties() {
        Properties p = new Properties();
        p.setProperty("max.request.size", Integer.toString(64 << 20));
        // Below the broker's transaction.max.timeout.ms (15 min) for exactly-once.
        p.setProperty("transaction.timeout.ms", Integer.toString(10 * 60 * 1000));
        return p;
    }
}
