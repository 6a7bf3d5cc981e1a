package io.scenestream.job;

import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.flink.SerializedPrediction;
import io.scenestream.kafka.flink.SerializedRound;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * Where the job reads and writes: Kafka in every mode, bounded sources in tests.
 *
 * @param frames Frame records
 * @param modelUpdates ModelUpdate records to hot-swap; null for none
 * @param predictions Prediction records out
 * @param deadLetters unusable frame records out
 * @param pseudoLabels the teacher's PseudoLabel records out (needed with self-training)
 * @param updatesOut accepted students out as ModelUpdate records (needed with self-training)
 * @param rounds self-training rounds out as SelfTrainingRound records; null to leave them out
 */
public record JobIo(
        Source<RawRecord, ?, ?> frames,
        Source<RawRecord, ?, ?> modelUpdates,
        Sink<SerializedPrediction> predictions,
        Sink<DeadLetter> deadLetters,
        Sink<PseudoLabelRecord> pseudoLabels,
        Sink<SerializedModelUpdate> updatesOut,
        Sink<SerializedRound> rounds) {

    /** Everything on the Kafka topics the settings name. */
    public static JobIo kafka(JobSettings s) {
        return new JobIo(
                SceneStreamJob.kafkaSource(s),
                SceneStreamJob.modelUpdatesSource(s),
                SceneStreamJob.predictionSink(s),
                SceneStreamJob.deadLetterSink(s),
                s.selfTrainingEnabled() ? SceneStreamJob.pseudoLabelSink(s) : null,
                s.selfTrainingEnabled() ? SceneStreamJob.modelUpdateSink(s) : null,
                s.selfTrainingEnabled() ? SceneStreamJob.roundSink(s) : null);
    }
}
