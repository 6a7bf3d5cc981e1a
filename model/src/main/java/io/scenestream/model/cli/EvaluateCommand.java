package io.scenestream.model.cli;

import ai.djl.Model;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Size;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.frames.viz.Panels;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.data.DataSpec;
import io.scenestream.model.train.BatchNormStatistics;
import io.scenestream.model.train.Evaluation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Evaluates a checkpoint on a dataset: prints the metrics table (mIoU, pixel accuracy, RMSE, abs
 * rel, δ1-3) and optionally writes it as JSON.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint: mIoU, pixel accuracy, depth RMSE, abs rel, delta1-3.")
public class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "a .ckpt.zip")
    Path checkpoint;

    @Option(
            names = "--data",
            required = true,
            description = "sources, e.g. nyud:PATH or synthetic:night")
    String data;

    @Option(
            names = "--frames",
            description = "frames to evaluate (default: all of a finite set, 64 of an endless one)")
    Integer frames;

    @Option(
            names = "--size",
            description = "input resolution HEIGHTxWIDTH (default: the checkpoint's)")
    String size;

    @Option(
            names = "--label-size",
            description =
                    "resolution the metrics are computed at (default: 480x640 for NYUD, else the input size)")
    String labelSize;

    @Option(names = "--batch", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch = 4;

    @Option(names = "--seed", description = "seed of synthetic sources (default: ${DEFAULT-VALUE})")
    long seed = 12_345;

    @Option(names = "--json", description = "write the metrics as JSON to this file")
    Path json;

    @Option(
            names = "--panels",
            description =
                    "write PNG panels (RGB | ground truth | prediction, segmentation and depth) to this folder")
    Path panels;

    @Option(
            names = "--panel-count",
            description = "panels for the first N frames (default: ${DEFAULT-VALUE})")
    int panelCount = 8;

    @Option(
            names = "--batch-norm-from",
            description =
                    "before evaluating, set BatchNorm's running statistics to those of frames of"
                            + " these sources (AdaBN), e.g. synthetic:night")
    String batchNormFrom;

    @Option(
            names = "--batch-norm-frames",
            description = "frames for --batch-norm-from (default: ${DEFAULT-VALUE})")
    int batchNormFrames = 16;

    @Option(
            names = "--batch-norm-seed",
            description =
                    "seed of synthetic --batch-norm-from sources (default: ${DEFAULT-VALUE}: other"
                            + " rooms than --seed's)")
    long batchNormSeed = 54_321;

    /** Parses {@code args} and evaluates. */
    public static Evaluation.Result run(String... args) throws Exception {
        EvaluateCommand cmd = new EvaluateCommand();
        new picocli.CommandLine(cmd).parseArgs(args);
        return cmd.evaluate(System.out);
    }

    @Override
    public Integer call() throws Exception {
        Evaluation.Result r = evaluate(System.out);
        if (r.failure() != null) {
            System.err.println("evaluate: failed: " + checkpoint + ": " + r.failure());
            return 1;
        }
        return 0;
    }

    Evaluation.Result evaluate(PrintStream out) throws Exception {
        DataSpec spec = DataSpec.parse(data);
        SampleSource source =
                spec.open(seed, null, (d, s, world) -> Sources.synthetic(d, s, world, null));
        try (Model djl = Model.newInstance("evaluate")) {
            LoadedCheckpoint lc = Checkpoints.load(checkpoint, djl.getNDManager());
            Size in =
                    size != null
                            ? Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--size")
                                    .requireMultipleOf(32, "--size")
                            : new Size(lc.manifest().inputWidth(), lc.manifest().inputHeight());
            boolean allNyud = spec.entries().stream().allMatch(e -> e.kind().equals("nyud"));
            Size label =
                    labelSize != null
                            ? Size.parse(labelSize, Size.Order.HEIGHT_BY_WIDTH, "--label-size")
                                    .requireMultipleOf(32, "--label-size")
                            : allNyud ? new Size(640, 480) : in;
            int count = frames != null ? frames : source.size() < 0 ? 64 : (int) source.size();
            if (count <= 0) {
                throw new IllegalArgumentException("--frames must be positive");
            }
            if (batchNormFrom != null) {
                List<DenseSample> adapt = batchNormFrames(in);
                int layers =
                        BatchNormStatistics.setFrom(lc.net(), djl.getNDManager(), adapt, batch);
                out.printf(
                        Locale.ROOT,
                        "BatchNorm statistics of %d layers set from %d frames of %s%n",
                        layers,
                        adapt.size(),
                        batchNormFrom);
            }
            List<String> classes = lc.manifest().classNames();
            int[] written = {0};
            IOException[] failure = {null};
            BiConsumer<DenseSample, FramePrediction> panel =
                    panels == null
                            ? null
                            : (sample, prediction) -> {
                                if (written[0] < panelCount && failure[0] == null) {
                                    try {
                                        Panels.writePng(
                                                Panels.evaluationPanel(
                                                        sample, prediction, classes, null),
                                                panels.resolve(
                                                        String.format(
                                                                Locale.ROOT,
                                                                "panel-%03d.png",
                                                                written[0])));
                                        written[0]++;
                                    } catch (IOException e) {
                                        failure[0] = e;
                                    }
                                }
                            };
            Evaluation.Result r =
                    Evaluation.run(
                            lc.net(),
                            djl.getNDManager(),
                            source,
                            count,
                            batch,
                            in.height(),
                            in.width(),
                            label.height(),
                            label.width(),
                            panel);
            if (failure[0] != null) {
                throw failure[0];
            }
            out.printf(
                    Locale.ROOT,
                    "%s (%s, version %d) on %s, %d frames, input %dx%d, labels %dx%d%n",
                    checkpoint,
                    lc.manifest().modelName(),
                    lc.manifest().modelVersion(),
                    source.describe(),
                    r.frames(),
                    in.height(),
                    in.width(),
                    label.height(),
                    label.width());
            out.printf(Locale.ROOT, "kernels: %s%n", lc.numerics());
            out.print(table(r.metrics()));
            out.print(classTable(classes, r.classIou()));
            if (panels != null) {
                out.printf(Locale.ROOT, "wrote %d panels to %s%n", written[0], panels);
            }
            if (json != null) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("checkpoint", checkpoint.toString());
                doc.put("model", lc.manifest().modelName());
                doc.put("data", data);
                doc.put("frames", r.frames());
                doc.put("input_size", Map.of("height", in.height(), "width", in.width()));
                doc.put("label_size", Map.of("height", label.height(), "width", label.width()));
                doc.put("metrics", r.metrics());
                if (r.classIou().length > 0) {
                    Map<String, Double> byClass = new LinkedHashMap<>();
                    for (int c = 0; c < r.classIou().length; c++) {
                        double v = r.classIou()[c];
                        byClass.put(className(classes, c), Double.isNaN(v) ? null : v);
                    }
                    doc.put("class_iou", byClass);
                }
                doc.put("non_finite_frames", r.nonFiniteFrames());
                doc.put("kernels", lc.numerics().path().id());
                if (r.failure() != null) {
                    doc.put("failure", r.failure());
                }
                Sources.writeJson(json, doc);
            }
            return r;
        }
    }

    /** The first {@link #batchNormFrames} frames of {@link #batchNormFrom} at {@code in}. */
    private List<DenseSample> batchNormFrames(Size in) throws IOException {
        if (batchNormFrames < 2) {
            throw new IllegalArgumentException("--batch-norm-frames must be 2 or more");
        }
        SampleSource from =
                DataSpec.parse(batchNormFrom)
                        .open(
                                batchNormSeed,
                                null,
                                (d, s, world) -> Sources.synthetic(d, s, world, null));
        long n = from.size() < 0 ? batchNormFrames : Math.min(batchNormFrames, from.size());
        List<DenseSample> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(from.get(i, in.height(), in.width()));
        }
        return out;
    }

    /** The metrics as a two-column table: percentages for shares, metres for RMSE. */
    static String table(Map<String, Double> metrics) {
        StringBuilder sb =
                new StringBuilder(String.format(Locale.ROOT, "%-12s %10s%n", "metric", "value"));
        row(sb, metrics, "miou", "mIoU", "%9.2f%%", 100);
        row(sb, metrics, "pixel_acc", "pixel acc", "%9.2f%%", 100);
        row(sb, metrics, "rmse", "RMSE", "%8.3f m", 1);
        row(sb, metrics, "abs_rel", "abs rel", "%10.3f", 1);
        row(sb, metrics, "delta1", "δ<1.25", "%9.2f%%", 100);
        row(sb, metrics, "delta2", "δ<1.25²", "%9.2f%%", 100);
        row(sb, metrics, "delta3", "δ<1.25³", "%9.2f%%", 100);
        row(sb, metrics, "median_scale", "depth scale", "%10.3f", 1);
        row(sb, metrics, "rmse_median_scaled", "RMSE scaled", "%8.3f m", 1);
        return sb.toString();
    }

    /** Class {@code c}'s name in the manifest, or "class c" when the manifest has none. */
    private static String className(List<String> classes, int c) {
        return c < classes.size() ? classes.get(c) : "class " + c;
    }

    /** IoU by class, in percent ("-" where a class is neither labelled nor predicted). */
    static String classTable(List<String> classes, double[] iou) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < iou.length; c++) {
            String name = className(classes, c);
            sb.append(
                    Double.isNaN(iou[c])
                            ? String.format(Locale.ROOT, "  IoU %-10s %9s%n", name, "-")
                            : String.format(
                                    Locale.ROOT, "  IoU %-10s %8.2f%%%n", name, 100 * iou[c]));
        }
        return sb.toString();
    }

    private static void row(
            StringBuilder sb,
            Map<String, Double> m,
            String key,
            String label,
            String fmt,
            double scale) {
        if (m.containsKey(key)) {
            sb.append(String.format(Locale.ROOT, "%-12s " + fmt + "%n", label, m.get(key) * scale));
        }
    }
}
