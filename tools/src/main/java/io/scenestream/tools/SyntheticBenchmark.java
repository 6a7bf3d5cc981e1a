package io.scenestream.tools;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.Size;
import io.scenestream.job.Jobs;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.ShiftSchedule;
import io.scenestream.synthetic.SyntheticDataset;
import io.scenestream.synthetic.SyntheticStream;
import io.scenestream.synthetic.SyntheticWorld;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Rendering speed of the synthetic world: frames per second of {@link SyntheticStream#next()}
 * (scene generation included when rooms change) after warm-up, on the common fork-join pool. With
 * {@code --camera}, {@code --rooms} or {@code --look}, the frames of a training set of that world
 * ({@link SyntheticDataset}, a new room every 8 frames) instead.
 */
@Command(
        name = "scenestream-synthetic-benchmark",
        mixinStandardHelpOptions = true,
        description = "Time the synthetic renderer and print frames per second.")
public class SyntheticBenchmark implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(Jobs.run(new SyntheticBenchmark(), "scenestream-synthetic-benchmark", args));
    }

    @Option(names = "--size", description = "HEIGHTxWIDTH (default: ${DEFAULT-VALUE})")
    String size = "256x320";

    @Option(names = "--frames", description = "timed frames (default: ${DEFAULT-VALUE})")
    int frames = 300;

    @Option(names = "--warmup", description = "untimed frames first (default: ${DEFAULT-VALUE})")
    int warmup = 60;

    @Option(
            names = "--domain",
            description = "domain name or shift schedule (default: ${DEFAULT-VALUE})")
    String domain = "day";

    @Option(names = "--seed", description = "world seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(
            names = "--frames-per-room",
            description =
                    "new room every N frames, 0 keeps one room " + "(default: ${DEFAULT-VALUE})")
    int framesPerRoom = 100;

    @Option(
            names = "--camera",
            description = "how the camera is held: walkthrough or handheld (training-set frames)")
    String camera;

    @Option(names = "--rooms", description = "sparse or lived-in (training-set frames)")
    String rooms;

    @Option(names = "--look", description = "rendered or photo (training-set frames)")
    String look;

    /**
     * The measurement.
     *
     * @param fps frames per second, wall clock
     * @param medianMs median wall-clock milliseconds per frame
     * @param p90Ms 90th percentile
     * @param cpuMsPerFrame process CPU time per frame (all threads), less sensitive than wall clock
     *     to other work on a shared machine
     */
    public record Result(
            int height,
            int width,
            int frames,
            double fps,
            double medianMs,
            double p90Ms,
            double cpuMsPerFrame) {}

    @Override
    public Integer call() {
        Result r = run();
        System.out.printf(
                Locale.ROOT,
                "synthetic renderer, %dx%d, domain %s%s, %d threads, %d frames after %d warm-up%n",
                r.height,
                r.width,
                domain,
                world() == null ? "" : " (training set" + world().describeChanges() + ")",
                ForkJoinPool.getCommonPoolParallelism() + 1,
                r.frames,
                warmup);
        System.out.printf(
                Locale.ROOT,
                "%.1f frames/s  (median %.1f ms/frame, p90 %.1f ms; %.1f ms CPU/frame)%n",
                r.fps,
                r.medianMs,
                r.p90Ms,
                r.cpuMsPerFrame);
        return 0;
    }

    /** Renders warm-up and timed frames and returns the timing. */
    public Result run() {
        Size hw = Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--size");
        if (frames <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--frames must be positive and --warmup >= 0");
        }
        IntFunction<DenseSample> frame = frames(hw);
        long checksum = 0;
        for (int i = 0; i < warmup; i++) {
            checksum += frame.apply(i).rgb()[0];
        }
        double[] ms = new double[frames];
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            long a = System.nanoTime();
            DenseSample s = frame.apply(warmup + i);
            ms[i] = (System.nanoTime() - a) / 1e6;
            checksum += s.rgb()[0];
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (processCpuNanos() - cpu0) / 1e6 / frames;
        Arrays.sort(ms);
        if (checksum == Long.MIN_VALUE) {
            System.out.println();
        }
        return new Result(
                hw.height(),
                hw.width(),
                frames,
                frames / seconds,
                ms[frames / 2],
                ms[(int) (frames * 0.9)],
                cpuMs);
    }

    /** Frame i of the stream, or of a training set where a world is named. */
    private IntFunction<DenseSample> frames(Size hw) {
        if (world() == null) {
            SyntheticStream stream =
                    new SyntheticStream(
                            seed,
                            hw.height(),
                            hw.width(),
                            ShiftSchedule.parse(domain),
                            framesPerRoom);
            return i -> stream.next();
        }
        SyntheticDataset set =
                new SyntheticDataset(
                        seed,
                        warmup + frames,
                        hw.height(),
                        hw.width(),
                        Domain.named(domain),
                        SyntheticDataset.DEFAULT_FRAMES_PER_ROOM,
                        SyntheticDataset.DEFAULT_FRAME_STRIDE,
                        world());
        return set::get;
    }

    /** The world named by the options, or null where none is. */
    private SyntheticWorld world() {
        if (camera == null && rooms == null && look == null) {
            return null;
        }
        return SyntheticWorld.named(camera, rooms, look);
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
