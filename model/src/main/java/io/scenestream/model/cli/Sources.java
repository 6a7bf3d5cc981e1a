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
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Helpers the commands share: opening synthetic sources, formatting metrics, writing JSON. */
final class Sources {

    private Sources() {}

    /**
     * Writes {@code doc} to {@code file} as indented JSON (NaN and infinities as such), creating
     * its folder.
     */
    static void writeJson(Path file, Object doc) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(
                file,
                new GsonBuilder()
                                .setPrettyPrinting()
                                .serializeSpecialFloatingPointValues()
                                .create()
                                .toJson(doc)
                        + "\n",
                StandardCharsets.UTF_8);
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
