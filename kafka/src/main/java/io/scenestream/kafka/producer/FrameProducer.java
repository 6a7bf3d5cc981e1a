package io.scenestream.kafka.producer;

import com.google.protobuf.ByteString;
import io.scenestream.frames.RgbFrame;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.FramePixels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a camera's frames to a topic as {@link Frame} records keyed by camera id, paced at a
 * frame rate, until the source ends, a frame count is reached, or {@link #stop} is called.
 */
public final class FrameProducer implements AutoCloseable {

    /**
     * Producer batch size: a frame is tens to hundreds of kilobytes, above the client's default (16
     * KB), which would send every frame of a backlog in a request of its own.
     */
    public static final int BATCH_BYTES = 1 << 20;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();

    /**
     * @param extra further producer properties (security settings, ...), may be empty
     */
    public FrameProducer(String bootstrapServers, String topic, Map<String, Object> extra) {
        Map<String, Object> props =
                new HashMap<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                64 << 20,
                                ProducerConfig.LINGER_MS_CONFIG,
                                2,
                                ProducerConfig.BATCH_SIZE_CONFIG,
                                BATCH_BYTES,
                                ProducerConfig.ACKS_CONFIG,
                                "all"));
        props.putAll(extra);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /**
     * Sends frames of {@code source} as camera {@code cameraId}.
     *
     * @param fps pacing in frames per second; 0 = the source's own rate, or as fast as possible if
     *     it has none
     * @param maxFrames stop after this many frames; 0 = no limit
     * @param encoding JPEG, PNG or RAW_RGB8
     * @return frames sent
     */
    public long run(
            FrameSupplier source,
            String cameraId,
            double fps,
            long maxFrames,
            Encoding encoding,
            float jpegQuality)
            throws IOException {
        double rate = fps > 0 ? fps : source.frameRate();
        long periodNanos = rate > 0 ? (long) (1e9 / rate) : 0;
        long start = System.nanoTime();
        long sequence = 0;
        byte[] key = cameraId.getBytes(StandardCharsets.UTF_8);
        while (!stopped.get() && (maxFrames <= 0 || sequence < maxFrames)) {
            RgbFrame f = source.next();
            if (f == null) {
                break;
            }
            if (periodNanos > 0) {
                long due = start + sequence * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            byte[] payload =
                    switch (encoding) {
                        case JPEG -> FramePixels.jpeg(f.rgb(), f.width(), f.height(), jpegQuality);
                        case PNG -> FramePixels.png(f.rgb(), f.width(), f.height());
                        case RAW_RGB8 -> f.rgb();
                        default ->
                                throw new IllegalArgumentException(
                                        "cannot send frames as " + encoding);
                    };
            Frame record =
                    Frame.newBuilder()
                            .setCameraId(cameraId)
                            .setSequence(sequence)
                            .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                            .setWidth(f.width())
                            .setHeight(f.height())
                            .setEncoding(encoding)
                            .setPayload(ByteString.copyFrom(payload))
                            .build();
            producer.send(new ProducerRecord<>(topic, key, record.toByteArray()));
            sequence++;
            sent.incrementAndGet();
        }
        producer.flush();
        return sequence;
    }

    /** Frames sent so far, over all runs. */
    public long sent() {
        return sent.get();
    }

    /** Makes {@link #run} return after the frame in flight. */
    public void stop() {
        stopped.set(true);
    }

    @Override
    public void close() {
        producer.close();
    }
}
