package io.scenestream.kafka.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** How the job's outputs become Kafka records. */
public final class KafkaRecords {

    private KafkaRecords() {}

    /** Predictions keyed by camera, so that a camera's predictions stay in order. */
    public static KafkaRecordSerializationSchema<SerializedPrediction> predictions(String topic) {
        return (p, ctx, ts) ->
                new ProducerRecord<>(
                        topic, null, null, p.cameraId.getBytes(StandardCharsets.UTF_8), p.payload);
    }

    /**
     * Dead letters: the original key and value, with headers naming the reason, the message and
     * where the record came from.
     */
    public static KafkaRecordSerializationSchema<DeadLetter> deadLetters(String topic) {
        return (d, ctx, ts) -> {
            RecordHeaders h = new RecordHeaders();
            h.add("reason", utf8(d.reason));
            h.add("message", utf8(d.message));
            h.add("source-topic", utf8(d.topic));
            h.add("source-partition", utf8(Integer.toString(d.partition)));
            h.add("source-offset", utf8(Long.toString(d.offset)));
            return new ProducerRecord<>(topic, null, null, d.key, d.value, h);
        };
    }

    /** Pseudo-labels keyed by camera. */
    public static KafkaRecordSerializationSchema<PseudoLabelRecord> pseudoLabels(String topic) {
        return (p, ctx, ts) -> new ProducerRecord<>(topic, null, null, utf8(p.cameraId), p.payload);
    }

    /**
     * Model updates keyed by model name (and camera or group, {@link SerializedModelUpdate#key}): a
     * compacted topic keeps each model's and each camera's latest.
     */
    public static KafkaRecordSerializationSchema<SerializedModelUpdate> modelUpdates(String topic) {
        return (u, ctx, ts) -> new ProducerRecord<>(topic, null, null, utf8(u.key()), u.payload);
    }

    /** Self-training rounds keyed by model name. */
    public static KafkaRecordSerializationSchema<SerializedRound> rounds(String topic) {
        return (r, ctx, ts) ->
                new ProducerRecord<>(topic, null, null, utf8(r.modelName), r.payload);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
