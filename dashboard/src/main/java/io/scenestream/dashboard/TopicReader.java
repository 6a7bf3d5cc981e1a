package io.scenestream.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's Kafka consumer, on a thread of its own: no consumer group (it commits nothing and
 * takes nothing from the job's consumers), {@code read_committed}, every partition of the topics
 * assigned and, for each, the last few records read back first ({@link #history}), then whatever
 * arrives. Topics that do not exist yet are looked for again every few seconds (the consumer never
 * creates them). Every record goes to {@link FleetState#accept}. {@link #close} stops the thread
 * and closes the consumer.
 */
final class TopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration DISCOVERY_EVERY = Duration.ofSeconds(5);

    private final Map<String, Object> props;
    private final DashboardTopics topics;
    private final FleetState state;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile int assigned;
    private volatile String lastError;

    TopicReader(DashboardSettings settings, FleetState state) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "scenestream-dashboard");
        // Model updates carry checkpoints; frames may be large.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 128 << 20);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        p.putAll(settings.kafkaProperties());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.props = p;
        this.topics = settings.topics();
        this.state = state;
        this.thread = new Thread(this::run, "dashboard-kafka");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Records read back when a partition is first assigned, by topic. */
    int history(String topic) {
        if (topic.equals(topics.predictions())) {
            return 300;
        }
        if (topic.equals(topics.deadLetters())) {
            return FleetState.DEAD_LETTERS_KEPT;
        }
        if (topic.equals(topics.modelUpdates())) {
            return 50;
        }
        if (topic.equals(topics.rounds())) {
            return FleetState.ROUNDS_KEPT;
        }
        return 100;
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            Set<TopicPartition> partitions = new HashSet<>();
            long nextDiscovery = System.nanoTime();
            while (!stopped.get()) {
                try {
                    if (System.nanoTime() - nextDiscovery >= 0) {
                        nextDiscovery = System.nanoTime() + DISCOVERY_EVERY.toNanos();
                        discover(c, partitions);
                    }
                    if (partitions.isEmpty()) {
                        stopping.await(200, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        state.accept(r);
                    }
                    lastError = null;
                } catch (WakeupException e) {
                    // close(): the loop's condition ends it.
                } catch (InterruptException | InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // The broker gone, a timeout, an authorisation error: say so and try again.
                    if (!e.toString().equals(lastError)) {
                        LOG.warn("dashboard: reading Kafka failed, retrying: {}", e.toString());
                    }
                    lastError = e.toString();
                    try {
                        stopping.await(1, TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        } finally {
            consumer = null;
        }
    }

    /** Assigns partitions not assigned yet and seeks each back by its topic's history. */
    private void discover(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> partitions) {
        Map<String, List<PartitionInfo>> existing = c.listTopics(Duration.ofSeconds(5));
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : topics.all()) {
            List<PartitionInfo> infos = existing.get(topic);
            if (infos == null) {
                continue;
            }
            for (PartitionInfo i : infos) {
                TopicPartition tp = new TopicPartition(i.topic(), i.partition());
                if (!partitions.contains(tp)) {
                    added.add(tp);
                }
            }
        }
        if (added.isEmpty()) {
            return;
        }
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        c.assign(all);
        Map<TopicPartition, Long> begin = c.beginningOffsets(added, Duration.ofSeconds(5));
        Map<TopicPartition, Long> end = c.endOffsets(added, Duration.ofSeconds(5));
        for (TopicPartition tp : added) {
            long from = Math.max(begin.get(tp), end.get(tp) - history(tp.topic()));
            c.seek(tp, from);
        }
        partitions.addAll(added);
        assigned = partitions.size();
        LOG.info("dashboard: reading {} partitions of {}", partitions.size(), topics.all());
    }

    /** Partitions assigned so far. */
    int assignedPartitions() {
        return assigned;
    }

    /** The last error reading Kafka, or null while reading works. */
    String lastError() {
        return lastError;
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        stopping.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        // Not interrupted: an interrupted consumer cannot close its connections cleanly.
        thread.join(30_000);
    }
}
