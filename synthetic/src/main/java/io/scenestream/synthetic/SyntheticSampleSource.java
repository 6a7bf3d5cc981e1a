package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.SampleSource;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The synthetic world as a training or evaluation {@link SampleSource}: sample i is frame {@code
 * perm(i)} of a {@link SyntheticDataset} of one domain, where the permutation spreads consecutive
 * samples over different rooms so that a batch sees many rooms. Rendered on demand at the size
 * asked for; optionally augmented like NYUD (flip, zoom).
 */
public final class SyntheticSampleSource implements SampleSource {

    /**
     * Distinct frames of the virtual dataset (prime, so that the multiplicative permutation is
     * one).
     */
    private static final int FRAMES = 1_000_003;

    private static final long STEP = 0x9E3779B1L;

    private final Domain domain;
    private final long seed;
    private final Augmentation augmentation;
    private final SyntheticWorld world;
    private final Map<Long, SyntheticDataset> bySize = new ConcurrentHashMap<>();

    /**
     * @param augmentation null for none
     */
    public SyntheticSampleSource(Domain domain, long seed, Augmentation augmentation) {
        this(domain, seed, augmentation, SyntheticWorld.DEFAULT);
    }

    /**
     * @param augmentation null for none
     * @param world how the camera is held, how full the rooms are, how the pictures are finished
     */
    public SyntheticSampleSource(
            Domain domain, long seed, Augmentation augmentation, SyntheticWorld world) {
        this.domain = domain;
        this.seed = seed;
        this.augmentation = augmentation;
        this.world = Objects.requireNonNull(world, "world");
    }

    @Override
    public String describe() {
        return "synthetic:"
                + domain.name()
                + " (seed "
                + seed
                + world.describeChanges()
                + (augmentation == null ? "" : ", augmented")
                + ")";
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public DenseSample get(long index, int h, int w) {
        SyntheticDataset ds =
                bySize.computeIfAbsent(
                        ((long) h << 32) | w,
                        k ->
                                new SyntheticDataset(
                                        seed,
                                        FRAMES,
                                        h,
                                        w,
                                        domain,
                                        SyntheticDataset.DEFAULT_FRAMES_PER_ROOM,
                                        SyntheticDataset.DEFAULT_FRAME_STRIDE,
                                        world));
        int frame = (int) Math.floorMod(index * STEP, (long) FRAMES);
        DenseSample s = ds.get(frame);
        if (augmentation == null) {
            return s;
        }
        return augmentation.apply(s, new SplittableRandom(seed * 31 + index), h, w);
    }
}
