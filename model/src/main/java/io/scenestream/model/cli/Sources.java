package io.scenestream.model.cli;

import io.scenestream.model.data.SampleSource;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Helpers the commands share: opening synthetic sources, formatting metrics. */
final class Sources {

    private Sources() {}

    static SampleSource synthetic(String domain, long seed) {
        throw new IllegalArgumentException("the synthetic world is not built into this version; use nyud:PATH");
    }

    static String format(Map<String, Double> metrics) {
        return metrics.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
