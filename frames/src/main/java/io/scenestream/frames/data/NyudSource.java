package io.scenestream.frames.data;

import io.scenestream.frames.DenseSample;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NYUD frames as a {@link SampleSource}: index i is frame {@code i mod n}; with augmentation, the
 * flip and zoom of index i are drawn from a generator seeded by (seed, i), so epochs differ but
 * every run is reproducible. Frames are read once and kept in memory.
 */
public final class NyudSource implements SampleSource {

    private final NyudDataset dataset;
    private final Augmentation augmentation;
    private final long seed;
    private final Map<String, DenseSample> cache = new ConcurrentHashMap<>();

    /**
     * @param augmentation null for none (evaluation)
     */
    public NyudSource(NyudDataset dataset, Augmentation augmentation, long seed) {
        this.dataset = dataset;
        this.augmentation = augmentation;
        this.seed = seed;
    }

    @Override
    public String describe() {
        return "nyud ("
                + dataset.ids().size()
                + " frames, "
                + dataset.classes()
                + " classes"
                + (augmentation == null ? "" : ", augmented")
                + ")";
    }

    @Override
    public long size() {
        return dataset.ids().size();
    }

    @Override
    public DenseSample get(long index, int h, int w) throws IOException {
        List<String> ids = dataset.ids();
        String id = ids.get((int) Math.floorMod(index, (long) ids.size()));
        DenseSample s = cache.get(id);
        if (s == null) {
            s = dataset.read(id);
            cache.put(id, s);
        }
        if (augmentation == null) {
            return Augmentation.fitCrop(s, h, w);
        }
        return augmentation.apply(
                s, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index), h, w);
    }

    /** The underlying dataset. */
    public NyudDataset dataset() {
        return dataset;
    }
}
