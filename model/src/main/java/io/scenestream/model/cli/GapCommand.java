package io.scenestream.model.cli;

import io.scenestream.frames.Size;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.model.data.DataSpec;
import io.scenestream.model.data.SceneStatistics;
import io.scenestream.synthetic.Intrinsics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scenestream-model gap}: the statistics of real frames and of the synthetic world side by
 * side ({@link SceneStatistics}): depth, camera height and pitch, room height, field of view, class
 * shares, distances and sizes, appearance. Both sets are measured at one size with NYU's Kinect
 * intrinsics scaled to it (the synthetic world renders with them).
 */
@Command(
        name = "gap",
        mixinStandardHelpOptions = true,
        description =
                "Print what real frames and the synthetic world measure like, side by side: depth, camera "
                        + "height and pitch, room height, field of view, classes, appearance.")
public class GapCommand implements Callable<Integer> {

    @Option(
            names = "--real",
            required = true,
            description = "the real frames, e.g. nyud:../shared/data/nyud-mini")
    String real;

    @Option(names = "--synthetic", description = "the synthetic frames (default: ${DEFAULT-VALUE})")
    String synthetic = "synthetic:day";

    @Option(
            names = "--frames",
            description = "synthetic frames to measure (default: ${DEFAULT-VALUE})")
    int frames = 200;

    @Option(
            names = "--size",
            description =
                    "size the frames are measured at, HEIGHTxWIDTH (default: ${DEFAULT-VALUE})")
    String size = "240x320";

    @Option(
            names = "--seed",
            description =
                    "seed of the synthetic rooms (default: ${DEFAULT-VALUE}, the evaluation's)")
    long seed = 424_242;

    @Option(names = "--json", description = "write both sets' statistics as JSON to this file")
    Path json;

    @Override
    public Integer call() throws Exception {
        run(System.out);
        return 0;
    }

    /** Measures both sets and prints the table; returns {real, synthetic} statistics. */
    List<Map<String, Double>> run(PrintStream out) throws Exception {
        if (frames <= 0) {
            throw new IllegalArgumentException("--frames must be positive, got " + frames);
        }
        Size s = Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--size");
        Map<String, Double> r = measure(real, -1, s);
        Map<String, Double> y = measure(synthetic, frames, s);
        out.print(table(real, r, synthetic, y));
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("size", Map.of("height", s.height(), "width", s.width()));
            doc.put("real", Map.of("data", real, "statistics", r));
            doc.put("synthetic", Map.of("data", synthetic, "seed", seed, "statistics", y));
            Sources.writeJson(json, doc);
        }
        return List.of(r, y);
    }

    private Map<String, Double> measure(String data, int count, Size s) throws Exception {
        SampleSource source =
                DataSpec.parse(data)
                        .open(seed, null, (d, sd, world) -> Sources.synthetic(d, sd, world, null));
        long n =
                count > 0
                        ? (source.size() < 0 ? count : Math.min(count, source.size()))
                        : source.size();
        if (n < 0) {
            throw new IllegalArgumentException(data + " is endless: give --frames");
        }
        Intrinsics k = Intrinsics.nyu(s.height(), s.width());
        SceneStatistics st =
                new SceneStatistics(
                        k.fx(),
                        k.fy(),
                        k.cx(),
                        k.cy(),
                        s.height(),
                        s.width(),
                        NyudDataset.CLASSES_13);
        for (long i = 0; i < n; i++) {
            st.add(source.get(i, s.height(), s.width()));
        }
        return st.summary();
    }

    /** The two sets' statistics as rows: name, real, synthetic, and how they compare. */
    static String table(
            String realName, Map<String, Double> real, String synName, Map<String, Double> syn) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-28s %14s %14s %12s%n",
                        "statistic",
                        shorten(realName),
                        shorten(synName),
                        "synth/real"));
        List<String> keys = new ArrayList<>(real.keySet());
        for (String key : keys) {
            double a = real.get(key);
            double b = syn.getOrDefault(key, Double.NaN);
            boolean share =
                    key.endsWith(".share") || key.endsWith(".frames") && key.startsWith("class.");
            boolean angle = key.endsWith("_deg");
            String compare;
            if (Double.isNaN(a) || Double.isNaN(b)) {
                compare = "";
            } else if (angle) {
                compare = String.format(Locale.ROOT, "%+.1f°", b - a);
            } else if (share) {
                compare = String.format(Locale.ROOT, "%+.1f pts", 100 * (b - a));
            } else if (a > 0
                    && b > 0
                    && !key.equals("frames")
                    && !key.endsWith("frames_with_floor")) {
                compare = String.format(Locale.ROOT, "x%.2f", b / a);
            } else {
                compare = "";
            }
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-28s %14s %14s %12s%n",
                            key,
                            value(a, share),
                            value(b, share),
                            compare));
        }
        return sb.toString();
    }

    private static String value(double v, boolean share) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return share
                ? String.format(Locale.ROOT, "%.1f%%", 100 * v)
                : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String shorten(String name) {
        int slash = name.lastIndexOf('/');
        String s =
                slash >= 0
                        ? name.substring(0, name.indexOf(':') + 1) + name.substring(slash + 1)
                        : name;
        return s.length() <= 14 ? s : s.substring(0, 14);
    }
}
