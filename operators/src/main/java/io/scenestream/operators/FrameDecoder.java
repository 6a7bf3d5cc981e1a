package io.scenestream.operators;

import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.FramePixels;
import java.io.Serializable;

/**
 * Parses and decodes frame records. A record that is not a valid frame (unparsable, oversized,
 * wrong dimensions, unknown encoding, undecodable pixels) becomes a {@link DeadLetter} with its
 * origin and reason. Used by the inference operator, which decodes each record on its own thread
 * just before the model needs it (see {@link InferenceOperator}).
 */
public final class FrameDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final FrameLimits limits;
    private transient FrameDeserializer deserializer;

    public FrameDecoder(FrameLimits limits) {
        this.limits = limits;
    }

    /** What decoding one record gave: a frame, or a dead letter (exactly one of them is null). */
    public record Result(DecodedFrame frame, DeadLetter deadLetter) {}

    public Result decode(RawRecord r) {
        if (deserializer == null) {
            deserializer = new FrameDeserializer(limits);
        }
        long start = System.nanoTime();
        long startUs = System.currentTimeMillis() * 1000;
        try {
            Frame f = deserializer.deserialize(r.topic, r.value);
            if (f == null) {
                throw new BadRecordException(
                        BadRecordException.Reason.MISSING_FIELD, "record has no value");
            }
            DecodedFrame d = new DecodedFrame();
            d.rgb = FramePixels.decode(f, limits.sniffEncoding());
            d.cameraId = f.getCameraId();
            d.sequence = f.getSequence();
            d.captureTimeUs = f.getCaptureTimeUs();
            d.width = f.getWidth();
            d.height = f.getHeight();
            d.decodeStartUs = startUs;
            d.decodeMs = (System.nanoTime() - start) / 1e6f;
            return new Result(d, null);
        } catch (BadRecordException e) {
            return new Result(null, new DeadLetter(r, e.reason().name(), e.getMessage()));
        } catch (RuntimeException e) {
            // Anything else a hostile record provokes in a decoder is still the record's fault.
            return new Result(
                    null,
                    new DeadLetter(
                            r,
                            BadRecordException.Reason.UNDECODABLE.name(),
                            e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }
}
