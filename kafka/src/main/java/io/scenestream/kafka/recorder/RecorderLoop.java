package io.scenestream.kafka.recorder;

import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads predictions and the frames they were made from, joins them by camera and sequence, and
 * hands each pair to a {@link PredictionRecorder}. Keeps the last frames of each camera only, so
 * memory stays bounded however long it runs. Run it on its own thread; {@link #stop} ends it.
 */
public final class RecorderLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RecorderLoop.class);
    private static final int FRAMES_KEPT = 512;

    private final Map<String, Object> consumerProps;
    private final String framesTopic;
    private final String predictionsTopic;
    private final PredictionRecorder recorder;
    private final Consumer<Prediction> listener;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong recorded = new AtomicLong();
    private final Map<String, LinkedHashMap<Long, RgbFrame>> frames = new HashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private volatile Throwable failure;

    /**
     * @param listener sees every prediction recorded (progress, latency), may be null
     */
    public RecorderLoop(
            String bootstrapServers,
            String framesTopic,
            String predictionsTopic,
            PredictionRecorder recorder,
            Consumer<Prediction> listener) {
        this.consumerProps =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "scenestream-recorder-" + System.nanoTime(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        64 << 20,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                        128 << 20);
        this.framesTopic = framesTopic;
        this.predictionsTopic = predictionsTopic;
        this.recorder = recorder;
        this.listener = listener;
    }

    @Override
    public void run() {
        FrameDeserializer frameDe = new FrameDeserializer();
        PredictionDeserializer predictionDe = new PredictionDeserializer();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(framesTopic, predictionsTopic));
            List<ConsumerRecord<byte[], Prediction>> waiting = new ArrayList<>();
            while (!stopped.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null || r.value().length == 0) {
                        skip(r, r.value() == null ? "a tombstone (no value)" : "an empty value");
                        continue;
                    }
                    try {
                        if (r.topic().equals(framesTopic)) {
                            Frame f = frameDe.deserialize(r.topic(), r.value());
                            frames.computeIfAbsent(
                                            f.getCameraId(),
                                            k ->
                                                    new LinkedHashMap<>(16, 0.75f, false) {
                                                        @Override
                                                        protected boolean removeEldestEntry(
                                                                Map.Entry<Long, RgbFrame> e) {
                                                            return size() > FRAMES_KEPT;
                                                        }
                                                    })
                                    .put(
                                            f.getSequence(),
                                            new RgbFrame(
                                                    f.getWidth(),
                                                    f.getHeight(),
                                                    FramePixels.decode(f)));
                        } else {
                            Prediction p = predictionDe.deserialize(r.topic(), r.value());
                            waiting.add(
                                    new ConsumerRecord<>(
                                            r.topic(), r.partition(), r.offset(), r.key(), p));
                        }
                    } catch (RuntimeException e) {
                        // BadRecordException and any other failure to decode. Bad frames are the
                        // job's dead letters; the recorder skips them and goes on.
                        skip(r, e.getMessage());
                    }
                }
                for (ConsumerRecord<byte[], Prediction> r : waiting) {
                    Prediction p = r.value();
                    Map<Long, RgbFrame> cam = frames.get(p.getCameraId());
                    try {
                        recorder.record(cam == null ? null : cam.get(p.getSequence()), p);
                        recorded.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        skip(r, "cannot be recorded: " + e.getMessage());
                    }
                    if (listener != null) {
                        listener.accept(p);
                    }
                }
                waiting.clear();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("recorder stopped: {}", e.toString(), e);
        }
    }

    /**
     * Counts a record that cannot be recorded and says so: the first ten, then every thousandth,
     * each with its topic, partition and offset.
     */
    private void skip(ConsumerRecord<?, ?> r, String why) {
        long n = skipped.incrementAndGet();
        if (n <= 10 || n % 1000 == 0) {
            LOG.warn(
                    "recorder skips the record at {}-{}@{}: {} ({} skipped so far{})",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    why,
                    n,
                    n == 10 ? "; from now on every thousandth is logged" : "");
        }
    }

    /** Records skipped so far: undecodable, empty, tombstones, or not recordable. */
    public long skipped() {
        return skipped.get();
    }

    /** Predictions recorded so far. */
    public long recorded() {
        return recorded.get();
    }

    /** Why the loop stopped on its own (an error it cannot go on from), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Ends {@link #run} after the current poll. */
    public void stop() {
        stopped.set(true);
    }
}
