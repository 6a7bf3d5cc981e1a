package io.scenestream.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.job.Jobs;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.model.train.BatchNormStatistics;
import io.scenestream.model.train.Evaluation;
import io.scenestream.model.weights.StateDict;
import io.scenestream.synthetic.ShiftSchedule;
import io.scenestream.synthetic.SyntheticStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What a student gains from the BatchNorm statistics of a camera's first frames of a new light,
 * without training: the camera of {@code scenestream-adapt-eval} (a synthetic room, one walk,
 * following a shift schedule) is rendered; the student's statistics are set from the first N frames
 * after the shift, pooled with its own as P frames ({@link BatchNormStatistics}), for every N and P
 * asked for; each is scored against the ground truth on every k-th frame after the shift (the
 * frames statistics came from left out) and on the frames before it. A row per choice, the
 * student's own statistics first.
 */
@Command(
        name = "scenestream-statistics-eval",
        mixinStandardHelpOptions = true,
        description =
                "Score a student with BatchNorm statistics of a camera's first frames of a new"
                        + " light, pooled with its own, against the ground truth.")
public class StatisticsEval implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(Jobs.run(new StatisticsEval(), "scenestream-statistics-eval", args));
    }

    @Option(names = "--checkpoint", description = "the student (default: ${DEFAULT-VALUE})")
    Path checkpoint = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(
            names = "--schedule",
            description =
                    "the camera's shift schedule, two segments: before and after (default:"
                            + " ${DEFAULT-VALUE})")
    String schedule = "day:300,warm-lamp:1500";

    @Option(
            names = "--seed",
            description = "camera seed, as adapt-eval's (default: ${DEFAULT-VALUE})")
    long seed = 4242;

    @Option(
            names = "--frames",
            split = ",",
            description =
                    "numbers of the new light's first frames to take statistics from (default:"
                            + " ${DEFAULT-VALUE})")
    List<Integer> frames = List.of(4, 8, 16);

    @Option(
            names = "--prior",
            split = ",",
            description =
                    "weights, in frames, of the student's own statistics (0 replaces them;"
                            + " default: ${DEFAULT-VALUE})")
    List<Double> priors = List.of(0.0, 16.0, 32.0);

    @Option(names = "--every", description = "score every k-th frame (default: ${DEFAULT-VALUE})")
    int every = 10;

    /**
     * One row: statistics of {@code frames} first frames pooled as {@code prior}; 0 frames: own.
     */
    public record Row(
            int frames,
            double prior,
            double miouAfter,
            double rmseAfter,
            double absRelAfter,
            double miouBefore,
            double rmseBefore) {}

    @Override
    public Integer call() throws Exception {
        ShiftSchedule shift = ShiftSchedule.parse(schedule);
        List<Row> rows = run();
        System.out.printf(
                Locale.ROOT,
                "%s, camera seed %d, schedule %s: after the shift (frames %d on, every %d, the"
                        + " statistics' frames left out) and before it%n",
                checkpoint,
                seed,
                schedule,
                shift.startOf(1) + maxFrames(),
                every);
        System.out.println(
                "| statistics | after: mIoU | RMSE (m) | abs rel | before: mIoU | RMSE (m) |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f%% | %.3f | %.3f | %.1f%% | %.3f |%n",
                    r.frames() == 0
                            ? "the student's own"
                            : String.format(
                                    Locale.ROOT,
                                    "first %d frames, prior %.0f",
                                    r.frames(),
                                    r.prior()),
                    100 * r.miouAfter(),
                    r.rmseAfter(),
                    r.absRelAfter(),
                    100 * r.miouBefore(),
                    r.rmseBefore());
        }
        return 0;
    }

    private int maxFrames() {
        return frames.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The rows, the student's own statistics first. */
    List<Row> run() throws Exception {
        ShiftSchedule shift = ShiftSchedule.parse(schedule);
        if (shift.segments().size() != 2) {
            throw new IllegalArgumentException(
                    "--schedule needs two segments, before and after a shift; got " + schedule);
        }
        if (every < 1 || frames.stream().anyMatch(n -> n < 2)) {
            throw new IllegalArgumentException("--every must be >= 1 and --frames >= 2 each");
        }
        if (priors.stream().anyMatch(p -> !(p >= 0))) {
            throw new IllegalArgumentException("--prior must be >= 0 each");
        }
        return evaluate(shift);
    }

    private List<Row> evaluate(ShiftSchedule shift) throws Exception {
        long start = shift.startOf(1);
        long end = start + shift.segments().get(1).frames();
        try (NDManager m = NDManager.newBaseManager()) {
            LoadedCheckpoint lc = Checkpoints.load(checkpoint, m);
            int h = lc.manifest().inputHeight();
            int w = lc.manifest().inputWidth();
            SyntheticStream camera = new SyntheticStream(seed, h, w, shift);
            List<DenseSample> first = new ArrayList<>();
            List<DenseSample> after = new ArrayList<>();
            List<DenseSample> before = new ArrayList<>();
            for (long f = 0; f < end; f++) {
                DenseSample s = camera.next();
                if (f >= start && f < start + maxFrames()) {
                    first.add(s);
                } else if (f >= start + maxFrames() && (f - start) % every == 0) {
                    after.add(s);
                } else if (f < start && f % every == 0) {
                    before.add(s);
                }
            }
            Map<String, Parameter> params = StateDict.parameters(lc.net());
            Map<String, float[]> own = new TreeMap<>();
            params.forEach(
                    (name, p) -> {
                        if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                            own.put(name, p.getArray().toFloatArray());
                        }
                    });
            List<Row> rows = new ArrayList<>();
            rows.add(row(lc, m, 0, 0, after, before, h, w));
            for (int n : frames) {
                for (double prior : priors) {
                    own.forEach((name, v) -> params.get(name).getArray().set(FloatBuffer.wrap(v)));
                    BatchNormStatistics.setFrom(lc.net(), m, first.subList(0, n), 4, prior);
                    rows.add(row(lc, m, n, prior, after, before, h, w));
                }
            }
            own.forEach((name, v) -> params.get(name).getArray().set(FloatBuffer.wrap(v)));
            return rows;
        }
    }

    private static Row row(
            LoadedCheckpoint lc,
            NDManager m,
            int n,
            double prior,
            List<DenseSample> after,
            List<DenseSample> before,
            int h,
            int w)
            throws Exception {
        Evaluation.Result a = evaluate(lc, m, "the camera after the shift", after, h, w);
        Evaluation.Result b = evaluate(lc, m, "the camera before the shift", before, h, w);
        for (Evaluation.Result r : List.of(a, b)) {
            if (r.failure() != null) {
                throw new IllegalStateException(lc.file() + ": " + r.failure());
            }
        }
        return new Row(
                n,
                prior,
                a.get(SegmentationMetrics.MIOU),
                a.get(DepthMetrics.RMSE),
                a.get(DepthMetrics.ABS_REL),
                b.get(SegmentationMetrics.MIOU),
                b.get(DepthMetrics.RMSE));
    }

    private static Evaluation.Result evaluate(
            LoadedCheckpoint lc,
            NDManager m,
            String description,
            List<DenseSample> frames,
            int h,
            int w)
            throws IOException {
        return Evaluation.run(
                lc.net(),
                m,
                SampleSource.of(description, frames),
                frames.size(),
                4,
                h,
                w,
                h,
                w,
                null);
    }
}
