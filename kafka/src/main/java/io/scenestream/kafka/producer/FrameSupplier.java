package io.scenestream.kafka.producer;

import io.scenestream.frames.RgbFrame;
import java.io.IOException;

/** Where a camera's frames come from: a video, a device, an image folder, the synthetic world. */
public interface FrameSupplier extends AutoCloseable {

    /** The next frame, or null when the source has ended. */
    RgbFrame next() throws IOException;

    /** The source's own frame rate in frames per second, or 0 if it has none (images). */
    double frameRate();

    /** What the source is, for logs. */
    String describe();

    @Override
    void close() throws IOException;
}
