package io.scenestream.model.cli;

import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.synthetic.CameraRig;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticSampleSource;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Helpers the commands share: opening synthetic sources, formatting metrics. */
final class Sources {

    private Sources() {}

    /**
     * The synthetic world in {@code domain}, its camera held as {@code rig}; {@code augmentation}
     * null for none.
     */
    static SampleSource synthetic(
            String domain, long seed, CameraRig rig, Augmentation augmentation) {
        return new SyntheticSampleSource(Domain.named(domain), seed, augmentation, rig);
    }

    static String format(Map<String, Double> metrics) {
        return metrics.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
