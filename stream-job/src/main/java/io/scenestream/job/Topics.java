package io.scenestream.job;

import io.scenestream.broker.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The job's topics on the embedded broker or the standalone cluster's (a real deployment creates
 * them with its own tooling).
 */
public final class Topics {

    private Topics() {}

    /**
     * Frames and predictions with {@code partitions} partitions; dead letters, pseudo-labels and
     * self-training rounds with one; model updates with one, compacted (each model's latest update
     * stays).
     */
    public static void create(EmbeddedKafka kafka, JobSettings s, int partitions)
            throws ExecutionException, InterruptedException {
        kafka.createTopic(s.framesTopic(), partitions, Map.of());
        kafka.createTopic(s.predictionsTopic(), partitions, Map.of());
        kafka.createTopic(s.deadLetterTopic(), 1, Map.of());
        kafka.createTopic(s.pseudoLabelsTopic(), 1, Map.of());
        kafka.createTopic(s.roundsTopic(), 1, Map.of());
        kafka.createTopic(s.modelUpdatesTopic(), 1, Map.of("cleanup.policy", "compact"));
    }

    /**
     * The same topics through {@code admin}, with replication factor 1, those that do not exist
     * yet; returns the names created.
     */
    public static List<String> createMissing(Admin admin, JobSettings s, int partitions)
            throws ExecutionException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> wanted =
                List.of(
                        new NewTopic(s.framesTopic(), partitions, (short) 1),
                        new NewTopic(s.predictionsTopic(), partitions, (short) 1),
                        new NewTopic(s.deadLetterTopic(), 1, (short) 1),
                        new NewTopic(s.pseudoLabelsTopic(), 1, (short) 1),
                        new NewTopic(s.roundsTopic(), 1, (short) 1),
                        new NewTopic(s.modelUpdatesTopic(), 1, (short) 1)
                                .configs(Map.of("cleanup.policy", "compact")));
        List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get();
        }
        return missing.stream().map(NewTopic::name).toList();
    }
}
