package io.scenestream.model.cli;

import com.google.gson.GsonBuilder;
import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticSampleSource;
import io.scenestream.synthetic.SyntheticWorld;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Helpers the commands share: opening synthetic sources, formatting metrics, writing JSON. */
final class Sources {

    private Sources() {}

    /**
     * Writes {@code doc} to {@code file} as indented JSON (NaN and infinities as such, no HTML
     * escapes: a data specification keeps its "="), creating its folder.
     */
    static void writeJson(Path file, Object doc) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(
                file,
                new GsonBuilder()
                                .setPrettyPrinting()
                                .serializeSpecialFloatingPointValues()
                                .disableHtmlEscaping()
                                .create()
                                .toJson(doc)
                        + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * The value of option {@code name} in a command line of train options ({@code --x v} or {@code
     * --x=v}), or {@code absent}.
     */
    static String trainOption(List<?> options, String name, String absent) {
        for (int i = 0; i < options.size(); i++) {
            String o = String.valueOf(options.get(i));
            if (o.equals(name) && i + 1 < options.size()) {
                return String.valueOf(options.get(i + 1));
            }
            if (o.startsWith(name + "=")) {
                return o.substring(name.length() + 1);
            }
        }
        return absent;
    }

    /** The synthetic world {@code world} in {@code domain}; {@code augmentation} null for none. */
    static SampleSource synthetic(
            String domain, long seed, SyntheticWorld world, Augmentation augmentation) {
        return new SyntheticSampleSource(Domain.named(domain), seed, augmentation, world);
    }

    static String format(Map<String, Double> metrics) {
        return metrics.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
