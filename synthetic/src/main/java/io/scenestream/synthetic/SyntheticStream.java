package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.util.Objects;

/**
 * An endless synthetic video: a camera walking through a procedurally generated room ({@link
 * CameraPath}, 30 frames per second), rendered frame by frame by the {@link SyntheticRenderer} with
 * NYU's intrinsics scaled to the output size, the appearance following a {@link ShiftSchedule}.
 * Each {@link DenseSample} carries RGB, 13-class labels (every pixel labelled) and metric Z-depth;
 * its id is {@code synthetic-<seed>-<frame>}.
 *
 * <p>By default the room stays and the camera keeps moving; with {@code framesPerRoom > 0} a new
 * room (and a new walk) starts every that many frames. Frame {@code n} of a stream depends only on
 * the seed, the size, {@code framesPerRoom} and the domain at frame {@code n}: it is bit-identical
 * across runs and thread counts, and the walk does not depend on the domain. Not thread-safe: one
 * consumer calls {@link #next()}.
 */
public final class SyntheticStream {

    private final long seed;
    private final ShiftSchedule schedule;
    private final int framesPerRoom;
    private final SyntheticRenderer renderer;
    private long frame = -1;
    private long room = -1;
    private IndoorScene scene;
    private CameraPath path;
    private CameraPose previous;

    /** A stream in one domain, in one room. */
    public SyntheticStream(long seed, int height, int width, Domain domain) {
        this(seed, height, width, ShiftSchedule.constant(domain), 0);
    }

    /** A stream following {@code schedule}, in one room. */
    public SyntheticStream(long seed, int height, int width, ShiftSchedule schedule) {
        this(seed, height, width, schedule, 0);
    }

    /**
     * @param framesPerRoom a new room every that many frames; 0 keeps the first room forever
     */
    public SyntheticStream(
            long seed, int height, int width, ShiftSchedule schedule, int framesPerRoom) {
        if (framesPerRoom < 0) {
            throw new IllegalArgumentException("framesPerRoom must be >= 0, got " + framesPerRoom);
        }
        this.seed = seed;
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.framesPerRoom = framesPerRoom;
        this.renderer = new SyntheticRenderer(height, width);
    }

    /** Renders the next frame (the first call renders frame 0). */
    public DenseSample next() {
        frame++;
        long r = framesPerRoom == 0 ? 0 : frame / framesPerRoom;
        if (r != room) {
            room = r;
            scene = SceneGenerator.generate(roomSeed(seed, r));
            path = new CameraPath(scene, Noise.hash(seed, r, 0xca3L));
            previous = null;
        }
        CameraPose pose = path.next();
        Domain domain = schedule.domainAt(frame);
        DenseSample s =
                renderer.render(
                        "synthetic-" + seed + "-" + frame,
                        scene,
                        pose,
                        previous,
                        domain,
                        Noise.hash(seed, frame, 0x5e11L));
        previous = pose;
        return s;
    }

    /** The seed of room {@code index} of the stream with {@code seed}. */
    static long roomSeed(long seed, long index) {
        return Noise.hash(seed, index, 0x7001L);
    }

    /**
     * The name of the schedule segment of the frame last returned by {@link #next()} (of frame 0
     * before the first call); during a blend, the segment being entered.
     */
    public String currentDomain() {
        return schedule.nameAt(Math.max(0, frame));
    }

    /** The appearance of the frame last returned (of frame 0 before the first call). */
    public Domain currentAppearance() {
        return schedule.domainAt(Math.max(0, frame));
    }

    /** The index of the frame last returned, -1 before the first. */
    public long frameIndex() {
        return frame;
    }

    /** The room of the frame last returned, or null before the first. */
    public IndoorScene scene() {
        return scene;
    }

    /** The camera of the frame last returned, or null before the first. */
    public CameraPose pose() {
        return path == null ? null : path.current();
    }

    public ShiftSchedule schedule() {
        return schedule;
    }

    public Intrinsics intrinsics() {
        return renderer.intrinsics();
    }
}
