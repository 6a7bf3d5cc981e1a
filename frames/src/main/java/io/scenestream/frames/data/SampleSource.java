package io.scenestream.frames.data;

import io.scenestream.frames.DenseSample;
import java.io.IOException;
import java.util.List;

/**
 * A deterministic, indexable supply of annotated frames for training and evaluation: sample {@code
 * i} is always the same frame (with the same augmentation, where the source augments).
 */
public interface SampleSource {

    /** What the source is, e.g. {@code nyud:/data/nyud (val, 27 frames)}. */
    String describe();

    /** Number of distinct frames, or -1 for an endless source. */
    long size();

    /** Sample number {@code index} at {@code h x w}. */
    DenseSample get(long index, int h, int w) throws IOException;

    /** The frames of {@code frames}, in order, each resized as asked; described as given. */
    static SampleSource of(String description, List<DenseSample> frames) {
        return new SampleSource() {
            @Override
            public String describe() {
                return description;
            }

            @Override
            public long size() {
                return frames.size();
            }

            @Override
            public DenseSample get(long index, int h, int w) {
                return frames.get((int) index).resize(h, w);
            }
        };
    }
}
