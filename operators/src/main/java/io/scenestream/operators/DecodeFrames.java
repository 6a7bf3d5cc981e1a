package io.scenestream.operators;

import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.FramePixels;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses and decodes frame records. A record that is not a valid frame (unparsable, oversized,
 * wrong dimensions, unknown encoding, undecodable pixels) goes to the {@link #DEAD_LETTERS} side
 * output with its origin and reason; the stream goes on.
 */
public class DecodeFrames extends ProcessFunction<RawRecord, DecodedFrame> {

    private static final long serialVersionUID = 1L;

    /** Records that are not usable frames. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final FrameLimits limits;
    private transient FrameDeserializer deserializer;
    private transient Counter deadLetters;
    private transient Meter framesIn;

    public DecodeFrames(FrameLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext ctx) {
        deserializer = new FrameDeserializer(limits);
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        framesIn = getRuntimeContext().getMetricGroup().meter("framesInPerSecond", new MeterView(10));
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<DecodedFrame> out) {
        long start = System.nanoTime();
        long startUs = System.currentTimeMillis() * 1000;
        try {
            Frame f = deserializer.deserialize(r.topic, r.value);
            if (f == null) {
                throw new BadRecordException(BadRecordException.Reason.MISSING_FIELD, "record has no value");
            }
            DecodedFrame d = new DecodedFrame();
            d.rgb = FramePixels.decode(f);
            d.cameraId = f.getCameraId();
            d.sequence = f.getSequence();
            d.captureTimeUs = f.getCaptureTimeUs();
            d.width = f.getWidth();
            d.height = f.getHeight();
            d.decodeStartUs = startUs;
            d.decodeMs = (System.nanoTime() - start) / 1e6f;
            framesIn.markEvent();
            out.collect(d);
        } catch (BadRecordException e) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(r, e.reason().name(), e.getMessage()));
        } catch (RuntimeException e) {
            // Anything else a hostile record provokes in a decoder is still the record's fault.
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, new DeadLetter(r, BadRecordException.Reason.UNDECODABLE.name(),
                    e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }
}
