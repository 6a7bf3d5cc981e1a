package io.scenestream.job;

import io.scenestream.kafka.broker.EmbeddedKafka;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** The job's topics on the embedded broker (a real deployment creates them with its own tooling). */
final class Topics {

    private Topics() {}

    /**
     * Frames and predictions with {@code partitions} partitions; dead letters and pseudo-labels with
     * one; model updates with one, compacted (each model's latest update stays).
     */
    static void create(EmbeddedKafka kafka, JobSettings s, int partitions) throws ExecutionException, InterruptedException {
        kafka.createTopic(s.framesTopic(), partitions, Map.of());
        kafka.createTopic(s.predictionsTopic(), partitions, Map.of());
        kafka.createTopic(s.deadLetterTopic(), 1, Map.of());
        kafka.createTopic(s.pseudoLabelsTopic(), 1, Map.of());
        kafka.createTopic(s.modelUpdatesTopic(), 1, Map.of("cleanup.policy", "compact"));
    }
}
