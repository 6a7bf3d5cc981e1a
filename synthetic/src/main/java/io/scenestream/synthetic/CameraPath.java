package io.scenestream.synthetic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A hand-held camera walking through a room at 30 frames per second: it wanders at 0.2-0.5 m/s with
 * a smoothly varying heading and steers away well before walls and furniture; independently of
 * where it walks it looks at a point of interest (a piece of furniture, a picture or window, the
 * room's middle), a new one every 4.5 s, turning towards it smoothly, with a little wobble of yaw
 * and pitch, a slight roll, and a slight bob with each step. It never stands closer than {@link
 * SceneGenerator#CAMERA_WALL_MARGIN} to a wall or {@link SceneGenerator#CAMERA_FURNITURE_MARGIN} to
 * a furniture footprint: a step that would go there is not taken. How high the eye is and how far
 * the camera tilts towards what it looks at is its {@link CameraRig} (by default {@link
 * CameraRig#WALKTHROUGH}: 1.25-1.65 m, straight at it), plus at most 5.2 cm of bob and drift.
 *
 * <p>The path is a pure function of the scene and the seed: pose {@code n} is always the same,
 * however it was reached.
 */
public final class CameraPath {

    /** Seconds per frame. */
    public static final double DT = 1.0 / 30;

    private final IndoorScene scene;
    private final long seed;
    private final double eye;
    private final CameraRig rig;
    private double x;
    private double z;
    private double heading;
    private double turnRate;
    private double viewYaw;
    private double viewPitch;
    private long interestSegment = Long.MIN_VALUE;
    private double[] interest;
    private long frame = -1;
    private CameraPose pose;

    public CameraPath(IndoorScene scene, long seed) {
        this(scene, seed, CameraRig.WALKTHROUGH);
    }

    public CameraPath(IndoorScene scene, long seed, CameraRig rig) {
        this.scene = scene;
        this.seed = seed;
        this.rig = rig;
        SplittableRandom rnd = new SplittableRandom(Noise.mix(seed ^ 0xca3e7a11L));
        eye = rig.minEye() + (rig.maxEye() - rig.minEye()) * rnd.nextDouble();
        List<double[]> free =
                largestFreeRegion(scene.width(), scene.depth(), scene.footprints(), 0.1);
        if (free.isEmpty()) {
            throw new IllegalArgumentException(
                    "room " + scene.seed() + " has no free floor for the camera");
        }
        // Prefer a start with free space all around.
        List<double[]> open = new ArrayList<>();
        for (double[] c : free) {
            if (isFree(c[0], c[1], 0.25)) {
                open.add(c);
            }
        }
        double[] start =
                (open.isEmpty() ? free : open)
                        .get(rnd.nextInt((open.isEmpty() ? free : open).size()));
        x = start[0];
        z = start[1];
        heading = bestHeading(rnd.nextDouble() * 2 * Math.PI);
        viewYaw = heading;
    }

    /** The frame index of {@link #current()} (-1 before the first {@link #next()}). */
    public long frame() {
        return frame;
    }

    /** The pose of the current frame, or null before the first {@link #next()}. */
    public CameraPose current() {
        return pose;
    }

    /** Advances one frame and returns its pose (frame 0 is the start). */
    public CameraPose next() {
        frame++;
        double t = frame * DT;
        if (frame > 0) {
            walk(t);
        }
        // Look at a point of interest, a new one every few seconds, with a little wobble.
        long segment = (long) Math.floor(t / 4.5);
        if (segment != interestSegment) {
            interestSegment = segment;
            pickInterest(segment);
        }
        double ix = interest[0] - x;
        double iz = interest[2] - z;
        double dist = Math.max(0.3, Math.hypot(ix, iz));
        double targetYaw = Math.atan2(ix, iz) + 0.12 * Noise.smooth1(seed + 11, t / 2.0);
        double targetPitch =
                Math.max(
                                rig.minPitch(),
                                Math.min(
                                        rig.maxPitch(),
                                        rig.tilt() * Math.atan2(interest[1] - eye, dist)
                                                + rig.offset()))
                        + 0.06 * Noise.smooth1(seed + 12, t / 2.5);
        if (frame == 0) {
            viewYaw = targetYaw;
            viewPitch = targetPitch;
        }
        // Turn smoothly, at most about 50 degrees per second.
        viewYaw += clamp(Math.IEEEremainder(targetYaw - viewYaw, 2 * Math.PI) * 0.05, 0.03);
        viewPitch += clamp((targetPitch - viewPitch) * 0.05, 0.015);
        double pitch = viewPitch;
        double roll = 0.03 * Noise.smooth1(seed + 13, t / 3.0);
        double bob =
                0.012 * Math.sin(2 * Math.PI * 1.7 * t) + 0.04 * Noise.smooth1(seed + 14, t / 8.0);
        pose = new CameraPose(x, eye + bob, z, viewYaw, pitch, roll);
        return pose;
    }

    private static double clamp(double v, double max) {
        return Math.max(-max, Math.min(max, v));
    }

    /** Picks what to look at: a piece of furniture, a picture or window, or the room's middle. */
    private void pickInterest(long segment) {
        List<double[]> candidates = new ArrayList<>();
        // Furniture twice as often as the rest.
        for (Footprint f : scene.footprints()) {
            candidates.add(new double[] {f.x(), 0.6 * f.height(), f.z()});
            candidates.add(new double[] {f.x(), 0.6 * f.height(), f.z()});
        }
        for (WallDecal d : scene.decals()) {
            double a = (d.a0() + d.a1()) / 2;
            double y = (d.y0() + d.y1()) / 2;
            candidates.add(
                    switch (d.wall()) {
                        case SOUTH -> new double[] {a, y, 0};
                        case EAST -> new double[] {scene.width(), y, a};
                        case NORTH -> new double[] {a, y, scene.depth()};
                        case WEST -> new double[] {0, y, a};
                    });
        }
        candidates.add(new double[] {scene.width() / 2, 0.9, scene.depth() / 2});
        SplittableRandom rnd = new SplittableRandom(Noise.hash(seed, segment, 0x1e7L));
        double[] pick = candidates.get(rnd.nextInt(candidates.size()));
        for (int i = 0; i < 8 && Math.hypot(pick[0] - x, pick[2] - z) < 1.3; i++) {
            pick = candidates.get(rnd.nextInt(candidates.size()));
        }
        interest = pick;
    }

    private void walk(double t) {
        double speed = 0.2 + 0.3 * (0.5 + 0.5 * Noise.smooth1(seed + 21, t / 3.0));
        double wander = 0.6 * Noise.smooth1(seed + 22, t / 2.5);
        double desired = wander;
        if (freeRun(heading, 1.0) < 1.0) {
            // Steer towards the nearest heading with room ahead.
            double target = bestHeading(heading);
            desired = Math.max(-1.2, Math.min(1.2, 2.5 * (target - heading)));
        }
        turnRate += (desired - turnRate) * 0.15;
        heading += turnRate * DT;
        double nx = x + speed * DT * Math.sin(heading);
        double nz = z + speed * DT * Math.cos(heading);
        if (isFree(nx, nz, 0)) {
            x = nx;
            z = nz;
        } else {
            // Blocked: stand and turn.
            turnRate = turnRate >= 0 ? 1.0 : -1.0;
        }
    }

    /** The heading closest to {@code from} with the longest free run ahead (up to 1.2 m). */
    private double bestHeading(double from) {
        double best = from;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= 31; k++) {
            // 0, +1, -1, +2, -2, ... steps of 0.2 rad.
            int step = (k + 1) / 2 * (k % 2 == 1 ? 1 : -1);
            double h = from + 0.2 * step;
            double score = freeRun(h, 1.2) - 0.08 * Math.abs(step) * 0.2;
            if (score > bestScore) {
                bestScore = score;
                best = h;
            }
        }
        return best;
    }

    /** How far ahead (up to {@code max}) the camera could walk along {@code h}. */
    private double freeRun(double h, double max) {
        double sx = Math.sin(h);
        double sz = Math.cos(h);
        for (double d = 0.15; d <= max + 1e-9; d += 0.15) {
            if (!isFree(x + d * sx, z + d * sz, 0)) {
                return d - 0.15;
            }
        }
        return max;
    }

    private boolean isFree(double px, double pz, double extra) {
        return scene.isFree(
                px,
                pz,
                SceneGenerator.CAMERA_WALL_MARGIN + extra,
                SceneGenerator.CAMERA_FURNITURE_MARGIN + extra);
    }

    /**
     * The largest 4-connected set of free cell centres ({x, z}) of a {@code cell}-metre grid over a
     * {@code width x depth} floor with these footprints, under the camera's margins.
     */
    static List<double[]> largestFreeRegion(
            double width, double depth, List<Footprint> footprints, double cell) {
        int nx = (int) Math.floor(width / cell);
        int nz = (int) Math.floor(depth / cell);
        boolean[] free = new boolean[nx * nz];
        for (int i = 0; i < nx; i++) {
            for (int k = 0; k < nz; k++) {
                double px = (i + 0.5) * cell;
                double pz = (k + 0.5) * cell;
                boolean ok =
                        px >= SceneGenerator.CAMERA_WALL_MARGIN
                                && pz >= SceneGenerator.CAMERA_WALL_MARGIN
                                && px <= width - SceneGenerator.CAMERA_WALL_MARGIN
                                && pz <= depth - SceneGenerator.CAMERA_WALL_MARGIN;
                for (int f = 0; ok && f < footprints.size(); f++) {
                    ok =
                            footprints.get(f).distance(px, pz)
                                    >= SceneGenerator.CAMERA_FURNITURE_MARGIN;
                }
                free[i * nz + k] = ok;
            }
        }
        int[] comp = new int[nx * nz];
        int best = 0;
        int bestSize = 0;
        int label = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int s = 0; s < free.length; s++) {
            if (!free[s] || comp[s] != 0) {
                continue;
            }
            label++;
            int size = 0;
            comp[s] = label;
            queue.add(s);
            while (!queue.isEmpty()) {
                int c = queue.poll();
                size++;
                int i = c / nz;
                int k = c % nz;
                int[] nb = {
                    i > 0 ? c - nz : -1,
                    i < nx - 1 ? c + nz : -1,
                    k > 0 ? c - 1 : -1,
                    k < nz - 1 ? c + 1 : -1
                };
                for (int n : nb) {
                    if (n >= 0 && free[n] && comp[n] == 0) {
                        comp[n] = label;
                        queue.add(n);
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                best = label;
            }
        }
        List<double[]> cells = new ArrayList<>();
        for (int s = 0; s < free.length; s++) {
            if (best != 0 && comp[s] == best) {
                cells.add(new double[] {(s / nz + 0.5) * cell, (s % nz + 0.5) * cell});
            }
        }
        return cells;
    }
}
