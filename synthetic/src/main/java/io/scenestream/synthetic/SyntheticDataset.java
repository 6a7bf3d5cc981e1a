package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A finite, reproducible set of synthetic frames for training and evaluation: {@code count} frames
 * from many rooms, a new room every {@code framesPerRoom} frames, consecutive samples of a room
 * {@code frameStride} video frames apart along the camera's walk (so they are not near-duplicates).
 * Sample {@code i} is a pure function of (seed, i, size, domain, framesPerRoom, frameStride, world)
 * and is rendered when asked for; a set with another seed has other rooms. Ids are {@code
 * synthetic-<seed>-r<room>-f<frame>}. Thread-safe.
 */
public final class SyntheticDataset {

    /** Default frames drawn from one room. */
    public static final int DEFAULT_FRAMES_PER_ROOM = 8;

    /** Default video frames between two samples of a room (0.4 s of walk). */
    public static final int DEFAULT_FRAME_STRIDE = 12;

    private final long seed;
    private final int count;
    private final Domain domain;
    private final int framesPerRoom;
    private final int frameStride;
    private final SyntheticWorld world;
    private final SyntheticRenderer renderer;
    private long cachedRoom = -1;
    private IndoorScene cachedScene;

    public SyntheticDataset(long seed, int count, int height, int width, Domain domain) {
        this(seed, count, height, width, domain, DEFAULT_FRAMES_PER_ROOM, DEFAULT_FRAME_STRIDE);
    }

    public SyntheticDataset(
            long seed,
            int count,
            int height,
            int width,
            Domain domain,
            int framesPerRoom,
            int frameStride) {
        this(
                seed,
                count,
                height,
                width,
                domain,
                framesPerRoom,
                frameStride,
                SyntheticWorld.DEFAULT);
    }

    /**
     * @param world how the camera is held, how full the rooms are, how the pictures are finished
     */
    public SyntheticDataset(
            long seed,
            int count,
            int height,
            int width,
            Domain domain,
            int framesPerRoom,
            int frameStride,
            SyntheticWorld world) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (framesPerRoom <= 0 || frameStride <= 0) {
            throw new IllegalArgumentException(
                    "framesPerRoom and frameStride must be positive, got "
                            + framesPerRoom
                            + ", "
                            + frameStride);
        }
        this.seed = seed;
        this.count = count;
        this.domain = Objects.requireNonNull(domain, "domain");
        this.framesPerRoom = framesPerRoom;
        this.frameStride = frameStride;
        this.world = Objects.requireNonNull(world, "world");
        this.renderer = new SyntheticRenderer(height, width);
    }

    /** All {@code count} frames, rendered now. */
    public static List<DenseSample> frames(
            long seed, int count, int height, int width, Domain domain) {
        SyntheticDataset ds = new SyntheticDataset(seed, count, height, width, domain);
        List<DenseSample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(ds.get(i));
        }
        return out;
    }

    public int size() {
        return count;
    }

    public Domain domain() {
        return domain;
    }

    /** Renders sample {@code i}. */
    public DenseSample get(int i) {
        Objects.checkIndex(i, count);
        long room = i / framesPerRoom;
        int k = i % framesPerRoom;
        IndoorScene scene = scene(room);
        CameraPath path = new CameraPath(scene, Noise.hash(seed, room, 0xd5L), world.camera());
        long target = (long) k * frameStride;
        CameraPose previous = null;
        CameraPose pose = path.next();
        while (path.frame() < target) {
            previous = pose;
            pose = path.next();
        }
        long key = Noise.hash(seed, i, 0xd5e11L);
        DenseSample rendered =
                renderer.render(
                        "synthetic-" + seed + "-r" + room + "-f" + target,
                        scene,
                        pose,
                        previous,
                        domain,
                        key);
        return world.look().finish(rendered, key);
    }

    /** A view whose {@code get} renders on demand. */
    public List<DenseSample> asList() {
        return new AbstractList<>() {
            @Override
            public DenseSample get(int index) {
                return SyntheticDataset.this.get(index);
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    private synchronized IndoorScene scene(long room) {
        if (room != cachedRoom) {
            cachedScene = SceneGenerator.generate(Noise.hash(seed, room, 0xd5700L), world.rooms());
            cachedRoom = room;
        }
        return cachedScene;
    }
}
