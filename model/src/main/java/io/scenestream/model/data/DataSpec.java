package io.scenestream.model.data;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.frames.data.NyudSource;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.synthetic.CameraRig;
import io.scenestream.synthetic.Furnishing;
import io.scenestream.synthetic.Look;
import io.scenestream.synthetic.SyntheticWorld;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A mix of training or evaluation sources given on the command line: comma-separated entries {@code
 * KIND:ARG[;key=value]...}:
 *
 * <ul>
 *   <li>{@code nyud:PATH} — NYUD layout; keys {@code split} (default {@code val}), {@code classes}
 *       (13 or 40, default 13), and for cross-validation {@code folds=K}, {@code fold=F} (1..K) and
 *       {@code part=train|test}: the frames of fold F ({@code test}) or of the other folds ({@code
 *       train}, the default) of the split ({@link NyudDataset#fold});
 *   <li>{@code synthetic:DOMAIN} — the synthetic indoor world in that appearance domain; keys
 *       {@code seed}, {@code camera} (how the camera is held: {@code walkthrough}, the default, or
 *       {@code handheld}, see {@link CameraRig}), {@code rooms} ({@code sparse}, the default, or
 *       {@code lived-in}, see {@link Furnishing}) and {@code look} ({@code rendered}, the default,
 *       or {@code photo}, see {@link Look});
 * </ul>
 *
 * and for every entry {@code weight} (share of the mix, default 1) and {@code tasks} ({@code
 * semseg}, {@code depth} or {@code semseg+depth}: the labels kept, for partial annotation).
 */
public final class DataSpec {

    /** One parsed entry. */
    public record Entry(
            String kind,
            String argument,
            Map<String, String> options,
            double weight,
            boolean semseg,
            boolean depth) {}

    private final String text;
    private final List<Entry> entries;

    private DataSpec(String text, List<Entry> entries) {
        this.text = text;
        this.entries = List.copyOf(entries);
    }

    /** Parses {@code text}; throws IllegalArgumentException naming what is wrong. */
    public static DataSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty data specification");
        }
        List<Entry> entries = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] fields = part.trim().split(";");
            String head = fields[0].trim();
            int colon = head.indexOf(':');
            if (colon <= 0 || colon == head.length() - 1) {
                throw new IllegalArgumentException(
                        "data source '"
                                + part.trim()
                                + "' is not KIND:ARG (e.g. nyud:PATH, synthetic:day)");
            }
            String kind = head.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!kind.equals("nyud") && !kind.equals("synthetic")) {
                throw new IllegalArgumentException(
                        "unknown data source kind '"
                                + kind
                                + "' in '"
                                + part.trim()
                                + "'; known: nyud, synthetic");
            }
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 1; i < fields.length; i++) {
                String[] kv = fields[i].split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new IllegalArgumentException(
                            "option '" + fields[i] + "' of '" + head + "' is not key=value");
                }
                options.put(kv[0].trim(), kv[1].trim());
            }
            double weight = 1;
            if (options.containsKey("weight")) {
                try {
                    weight = Double.parseDouble(options.remove("weight"));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("weight of '" + head + "' is not a number");
                }
                if (!(weight > 0)) {
                    throw new IllegalArgumentException("weight of '" + head + "' must be positive");
                }
            }
            boolean semseg = true;
            boolean depth = true;
            if (options.containsKey("tasks")) {
                String tasks = options.remove("tasks");
                semseg = false;
                depth = false;
                for (String t : tasks.split("\\+")) {
                    switch (t.trim()) {
                        case "semseg" -> semseg = true;
                        case "depth" -> depth = true;
                        default ->
                                throw new IllegalArgumentException(
                                        "unknown task '"
                                                + t
                                                + "' in tasks of '"
                                                + head
                                                + "'; known: semseg, depth");
                    }
                }
            }
            for (String key : options.keySet()) {
                List<String> known =
                        kind.equals("nyud")
                                ? List.of("split", "classes", "folds", "fold", "part")
                                : List.of("seed", "camera", "rooms", "look");
                if (!known.contains(key)) {
                    throw new IllegalArgumentException(
                            "unknown option '"
                                    + key
                                    + "' for "
                                    + kind
                                    + " (known: "
                                    + known
                                    + ", weight, tasks)");
                }
            }
            if (kind.equals("synthetic")) {
                world(options);
            }
            if (kind.equals("nyud")) {
                checkFolds(head, options);
            }
            entries.add(new Entry(kind, head.substring(colon + 1), options, weight, semseg, depth));
        }
        return new DataSpec(text, entries);
    }

    private static void checkFolds(String head, Map<String, String> options) {
        boolean any =
                options.containsKey("folds")
                        || options.containsKey("fold")
                        || options.containsKey("part");
        if (!any) {
            return;
        }
        if (!options.containsKey("folds") || !options.containsKey("fold")) {
            throw new IllegalArgumentException(
                    "'" + head + "': cross-validation needs both folds=K and fold=F");
        }
        int folds;
        int fold;
        try {
            folds = Integer.parseInt(options.get("folds"));
            fold = Integer.parseInt(options.get("fold"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + head + "': folds and fold must be whole numbers");
        }
        if (folds < 2 || fold < 1 || fold > folds) {
            throw new IllegalArgumentException(
                    "'"
                            + head
                            + "': need folds >= 2 and 1 <= fold <= folds, got folds="
                            + folds
                            + ", fold="
                            + fold);
        }
        String part = options.getOrDefault("part", "train");
        if (!part.equals("train") && !part.equals("test")) {
            throw new IllegalArgumentException(
                    "'" + head + "': part must be train or test, got '" + part + "'");
        }
    }

    /** The entries, in order. */
    public List<Entry> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Opens every entry and mixes them by weight: sample i comes from the entry drawn by a
     * generator seeded with (seed, i), so the mix is reproducible.
     *
     * @param augmentation the augmentation of NYUD frames; null for none
     * @param synthetic opens a synthetic entry (domain, seed, world) as a source
     */
    public SampleSource open(long seed, Augmentation augmentation, SyntheticOpener synthetic)
            throws IOException {
        List<SampleSource> sources = new ArrayList<>();
        double[] cumulative = new double[entries.size()];
        double total = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            SampleSource s;
            if (e.kind().equals("nyud")) {
                int classes = Integer.parseInt(e.options().getOrDefault("classes", "13"));
                NyudDataset ds =
                        new NyudDataset(
                                Path.of(e.argument()),
                                classes,
                                e.options().getOrDefault("split", "val"));
                if (e.options().containsKey("folds")) {
                    ds =
                            ds.fold(
                                    Integer.parseInt(e.options().get("folds")),
                                    Integer.parseInt(e.options().get("fold")),
                                    e.options().getOrDefault("part", "train").equals("test"));
                }
                s = new NyudSource(ds, augmentation, seed + i);
            } else {
                long s0 =
                        Long.parseLong(
                                e.options().getOrDefault("seed", Long.toString(seed + 1000L * i)));
                s = synthetic.open(e.argument(), s0, world(e.options()));
            }
            sources.add(labelFilter(s, e.semseg(), e.depth()));
            total += e.weight();
            cumulative[i] = total;
        }
        if (sources.size() == 1) {
            return sources.get(0);
        }
        double sum = total;
        return new SampleSource() {
            @Override
            public String describe() {
                StringBuilder sb = new StringBuilder("mix of");
                for (int i = 0; i < sources.size(); i++) {
                    sb.append(' ')
                            .append(sources.get(i).describe())
                            .append(" x")
                            .append(entries.get(i).weight());
                }
                return sb.toString();
            }

            @Override
            public long size() {
                return -1;
            }

            @Override
            public DenseSample get(long index, int h, int w) throws IOException {
                double u =
                        new SplittableRandom(seed ^ (index * 0xBF58476D1CE4E5B9L)).nextDouble()
                                * sum;
                int k = 0;
                while (k < cumulative.length - 1 && u >= cumulative[k]) {
                    k++;
                }
                return sources.get(k).get(index, h, w);
            }
        };
    }

    /** The synthetic world a synthetic entry's options ask for; unnamed parts as by default. */
    private static SyntheticWorld world(Map<String, String> options) {
        return SyntheticWorld.named(
                options.get("camera"), options.get("rooms"), options.get("look"));
    }

    /** Opens a synthetic-world source. */
    @FunctionalInterface
    public interface SyntheticOpener {
        SampleSource open(String domain, long seed, SyntheticWorld world) throws IOException;
    }

    private static SampleSource labelFilter(SampleSource s, boolean semseg, boolean depth) {
        if (semseg && depth) {
            return s;
        }
        return new SampleSource() {
            @Override
            public String describe() {
                return s.describe() + " [" + (semseg ? "semseg" : "depth") + " labels only]";
            }

            @Override
            public long size() {
                return s.size();
            }

            @Override
            public DenseSample get(long index, int h, int w) throws IOException {
                DenseSample d = s.get(index, h, w);
                return semseg ? d.withoutDepth() : d.withoutSemseg();
            }
        };
    }
}
