package io.scenestream.kafka.producer;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.RgbFrame;
import io.scenestream.synthetic.ShiftSchedule;
import io.scenestream.synthetic.SyntheticStream;

/**
 * A camera walking through the synthetic indoor world, its appearance following a domain shift
 * schedule (e.g. {@code day:300,night:300,haze}). Endless unless the producer limits it.
 */
public final class SyntheticCameraSource implements FrameSupplier {

    /** The synthetic camera's nominal frame rate. */
    public static final double FRAME_RATE = 30;

    private final SyntheticStream stream;
    private final long seed;

    public SyntheticCameraSource(long seed, int width, int height, String schedule) {
        this.seed = seed;
        this.stream = new SyntheticStream(seed, height, width, ShiftSchedule.parse(schedule));
    }

    @Override
    public RgbFrame next() {
        DenseSample s = stream.next();
        return new RgbFrame(s.width(), s.height(), s.rgb());
    }

    /** The ground truth and appearance of the frame last returned are those of this stream. */
    public SyntheticStream stream() {
        return stream;
    }

    @Override
    public double frameRate() {
        return FRAME_RATE;
    }

    @Override
    public String describe() {
        return "synthetic camera (seed " + seed + ", schedule " + stream.schedule() + ")";
    }

    @Override
    public void close() {}
}
