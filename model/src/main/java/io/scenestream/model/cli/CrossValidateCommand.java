package io.scenestream.model.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.data.DataSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scenestream-model crossval}: K-fold cross-validation over a set of real frames. Fold F
 * trains on the real frames of the other folds (mixed with a synthetic world when one is given) and
 * is evaluated on its own frames, which it never trained on; the folds' figures are summed up as
 * mean ± standard deviation. Each fold trains into {@code OUT/foldF} (resumable like {@code train})
 * and writes {@code OUT/foldF/test.json}; a fold with its test figures is not run again, so an
 * interrupted cross-validation resumes. The summary goes to {@code OUT/crossval.json}, what a
 * checkpoint's manifest quotes.
 */
@Command(
        name = "crossval",
        mixinStandardHelpOptions = true,
        description =
                "Train and evaluate K folds of real frames (each fold tested on frames it never trained on) "
                        + "and print mean ± standard deviation. Options after -- go to train.")
public class CrossValidateCommand implements Callable<Integer> {

    /** Train options this command sets itself. */
    private static final Set<String> OWN = Set.of("--data", "--eval-data", "--out");

    @Option(
            names = "--real",
            required = true,
            description = "the real frames, e.g. nyud:../shared/data/nyud-mini")
    String real;

    @Option(names = "--folds", description = "number of folds (default: ${DEFAULT-VALUE})")
    int folds = 3;

    @Option(
            names = "--synthetic",
            description =
                    "a synthetic world to mix in, e.g. 'synthetic:day;camera=handheld'; several, "
                            + "comma-separated, share the synthetic part by their weights")
    String synthetic;

    @Option(
            names = "--real-share",
            description =
                    "share of training frames drawn from the real ones when --synthetic is given "
                            + "(default: ${DEFAULT-VALUE})")
    double realShare = 0.3;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Parameters(
            paramLabel = "TRAIN_OPTION",
            description = "options of train (--model, --steps, --init, ...), after --")
    List<String> trainOptions = new ArrayList<>();

    /**
     * One metric over the folds.
     *
     * @param mean the mean over folds
     * @param sd the sample standard deviation (0 for one fold)
     * @param folds each fold's value, in fold order
     */
    public record Spread(double mean, double sd, List<Double> folds) {}

    /**
     * What a cross-validation found.
     *
     * @param metrics each metric's spread over the folds
     * @param classIou each class's IoU spread over the folds that have the class
     * @param finished false where a fold's training paused before its last step
     */
    public record Result(
            Map<String, Spread> metrics, Map<String, Spread> classIou, boolean finished) {}

    /** Parses {@code args} and cross-validates. */
    public static Result run(String... args) throws Exception {
        CrossValidateCommand cmd = new CrossValidateCommand();
        new picocli.CommandLine(cmd).parseArgs(args);
        return cmd.crossValidate(System.out);
    }

    @Override
    public Integer call() throws Exception {
        crossValidate(System.out);
        return 0;
    }

    Result crossValidate(PrintStream console) throws Exception {
        check();
        List<JsonObject> tested = new ArrayList<>();
        for (int f = 1; f <= folds; f++) {
            Path dir = out.resolve("fold" + f);
            Path json = dir.resolve("test.json");
            String test = foldOf(f) + ";part=test";
            if (!Files.exists(json)) {
                console.printf(Locale.ROOT, "fold %d of %d: training%n", f, folds);
                List<String> args = new ArrayList<>(trainOptions);
                args.addAll(List.of("--data", trainData(f), "--eval-data", test));
                args.addAll(List.of("--out", dir.toString()));
                TrainCommand.Result trained = TrainCommand.run(args.toArray(String[]::new));
                Path model = dir.resolve("model" + Checkpoints.EXTENSION);
                if (!trained.checkpoint().equals(model)) {
                    console.printf(
                            Locale.ROOT,
                            "fold %d paused after step %d; run the same command again to go on%n",
                            f,
                            trained.steps());
                    return new Result(Map.of(), Map.of(), false);
                }
                EvaluateCommand.run(
                        "--checkpoint",
                        model.toString(),
                        "--data",
                        test,
                        "--json",
                        json.toString());
            }
            tested.add(JsonParser.parseString(Files.readString(json)).getAsJsonObject());
        }
        Result r = new Result(spreads(tested, "metrics"), spreads(tested, "class_iou"), true);
        console.print(table(r));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("real", real);
        doc.put("folds", folds);
        doc.put("synthetic", synthetic);
        doc.put("real_share", synthetic == null ? 1.0 : realShare);
        doc.put("train_options", trainOptions);
        doc.put("metrics", r.metrics());
        doc.put("class_iou", r.classIou());
        Sources.writeJson(out.resolve("crossval.json"), doc);
        return r;
    }

    private void check() throws CheckpointException {
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be 2 or more, got " + folds);
        }
        if (!(realShare > 0 && realShare <= 1)) {
            throw new IllegalArgumentException("--real-share must be in (0, 1], got " + realShare);
        }
        for (String o : trainOptions) {
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (OWN.contains(name)) {
                throw new IllegalArgumentException(
                        "crossval sets " + name + " of each fold itself; leave it out");
            }
        }
        // Both specifications must parse, and the real one must be one NYUD entry.
        DataSpec parsed = DataSpec.parse(real);
        if (parsed.entries().size() != 1 || !parsed.entries().get(0).kind().equals("nyud")) {
            throw new IllegalArgumentException(
                    "--real must be one nyud:PATH entry, got '" + real + "'");
        }
        if (synthetic != null) {
            DataSpec.parse(trainData(1));
        }
        String init = Sources.trainOption(trainOptions, "--init", null);
        if (init != null) {
            refuseSeen(Path.of(init), parsed.entries().get(0).argument());
        }
    }

    /**
     * Refuses to start the folds from {@code init} if it was trained on frames of {@code realPath}:
     * then no fold's test frames would be unseen (the shipped checkpoints trained on all of
     * nyud-mini).
     */
    private static void refuseSeen(Path init, String realPath) throws CheckpointException {
        Object data = Checkpoints.readManifest(init).training().get("data");
        if (!(data instanceof String spec)) {
            return;
        }
        DataSpec trained;
        try {
            trained = DataSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            return; // a specification of another version of this code: nothing to compare
        }
        for (DataSpec.Entry e : trained.entries()) {
            if (e.kind().equals("nyud") && samePlace(e.argument(), realPath)) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "--init %s was trained on the real frames of %s (%s): no fold's test "
                                        + "frames would be unseen; start from a checkpoint that never saw them",
                                init,
                                e.argument(),
                                spec));
            }
        }
    }

    private static boolean samePlace(String a, String b) {
        Path pa = Path.of(a).toAbsolutePath().normalize();
        Path pb = Path.of(b).toAbsolutePath().normalize();
        try {
            return pa.equals(pb) || (Files.exists(pa) && Files.isSameFile(pa, pb));
        } catch (IOException e) {
            return false;
        }
    }

    /** The real frames of fold {@code fold} (add {@code ;part=test} for its test frames). */
    private String foldOf(int fold) {
        return real + ";folds=" + folds + ";fold=" + fold;
    }

    private String trainData(int fold) {
        String part = foldOf(fold);
        if (synthetic == null) {
            return part;
        }
        return mix(synthetic, part, realShare);
    }

    /**
     * The training mix of {@code real} frames, {@code realShare} of it, and the worlds of {@code
     * synthetic}, which share the rest by their weights (1 each unless given).
     */
    static String mix(String synthetic, String real, double realShare) {
        List<DataSpec.Entry> worlds = DataSpec.parse(synthetic).entries();
        double total = worlds.stream().mapToDouble(DataSpec.Entry::weight).sum();
        String[] parts = synthetic.split(",");
        StringBuilder mix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String world = parts[i].trim().replaceAll(";\\s*weight=[^;]*", "");
            double share = (1 - realShare) * worlds.get(i).weight() / total;
            mix.append(world).append(";weight=").append(decimal(share)).append(',');
        }
        return mix.append(real).append(";weight=").append(decimal(realShare)).toString();
    }

    /**
     * {@code v} to six significant digits, without trailing zeros (0.7, not 0.7000000000000001).
     */
    private static String decimal(double v) {
        return BigDecimal.valueOf(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** Each key of {@code field} across the folds' JSON: mean and spread of its finite values. */
    private static Map<String, Spread> spreads(List<JsonObject> tested, String field) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (JsonObject t : tested) {
            JsonObject o = t.getAsJsonObject(field);
            if (o == null) {
                continue;
            }
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                List<Double> v = values.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                if (!e.getValue().isJsonNull() && Double.isFinite(e.getValue().getAsDouble())) {
                    v.add(e.getValue().getAsDouble());
                }
            }
        }
        Map<String, Spread> out = new LinkedHashMap<>();
        values.forEach(
                (k, v) -> {
                    if (!v.isEmpty()) {
                        out.put(k, spread(v));
                    }
                });
        return out;
    }

    private static Spread spread(List<Double> v) {
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        double sd = v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0;
        return new Spread(mean, sd, List.copyOf(v));
    }

    private String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%d-fold cross-validation on %s%s%n",
                        folds,
                        real,
                        synthetic == null ? "" : " (mixed with " + synthetic + ")"));
        r.metrics().forEach((k, s) -> sb.append(row(k, s)));
        r.classIou().forEach((k, s) -> sb.append(row("IoU " + k, s)));
        return sb.toString();
    }

    private static String row(String name, Spread s) {
        String folds =
                s.folds().stream()
                        .map(v -> String.format(Locale.ROOT, "%.4f", v))
                        .collect(Collectors.joining(", "));
        return String.format(
                Locale.ROOT, "  %-20s %.4f ± %.4f  (%s)%n", name, s.mean(), s.sd(), folds);
    }
}
