package io.scenestream.job;

import io.scenestream.kafka.producer.FrameSupplier;
import io.scenestream.kafka.producer.SyntheticCameraSource;

/** The default cameras of the local mode. */
public final class CameraSources {

    private CameraSources() {}

    /**
     * Synthetic camera {@code index}: its own room (seed), appearance following {@code schedule}.
     */
    public static FrameSupplier synthetic(int index, int width, int height, String schedule) {
        return new SyntheticCameraSource(1000 + index, width, height, schedule);
    }
}
