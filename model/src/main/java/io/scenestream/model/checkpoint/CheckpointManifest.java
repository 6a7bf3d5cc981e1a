package io.scenestream.model.checkpoint;

import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a checkpoint says about the weights it holds: the {@code manifest.json} of a checkpoint
 * file. Immutable; {@link #from(MtiNetConfig)} starts a builder.
 *
 * <p>The architecture is stored field by field (configuration name, HRNet layout, tasks and
 * auxiliary tasks with name, kind and channels), so {@link #toConfig()} rebuilds exactly the {@link
 * MtiNetConfig} the weights were trained with, including for configurations that are not built in.
 *
 * <p>{@code training} is free-form provenance (command line, seed, steps, data, evaluation
 * figures). Its values must be JSON-like and are normalised on construction so that a manifest
 * equals its own round trip through a file: maps with string keys (order kept), lists (Java
 * collections and arrays), strings, booleans, {@code null}, integral numbers as {@link Long} and
 * other numbers as {@link Double}; non-finite numbers become {@code null} (JSON has no NaN). Enums
 * are stored by name. Maps and lists are unmodifiable.
 *
 * @param formatVersion version of the checkpoint file format, {@link #FORMAT_VERSION} when written
 * @param modelName name of the model line, e.g. {@code student}
 * @param modelVersion version of the model within its line, increasing with each update; at least 0
 * @param architecture the network's architecture
 * @param classNames names of the classes of the segmentation task (the first with a final output,
 *     else the first auxiliary one), in channel order; empty when unknown, otherwise exactly as
 *     many as that task has channels
 * @param inputHeight input height in pixels the model was trained at, a positive multiple of 32
 * @param inputWidth input width in pixels the model was trained at, a positive multiple of 32
 * @param createdAt creation time, ISO-8601 with offset ({@code 2025-01-31T12:00:00Z})
 * @param training free-form training provenance, see above; never null
 * @param weightsSha256 lower-case hex SHA-256 of {@code weights.npz}; null in a manifest that was
 *     not yet saved ({@link Checkpoints#save} fills it in)
 * @param probe the numerics probe stored with the weights; null in a manifest not yet saved, and in
 *     checkpoints written before probes existed
 */
public record CheckpointManifest(
        int formatVersion,
        String modelName,
        long modelVersion,
        MtiNetConfig architecture,
        List<String> classNames,
        int inputHeight,
        int inputWidth,
        String createdAt,
        Map<String, Object> training,
        String weightsSha256,
        Probe probe) {

    /**
     * What the manifest says of the numerics probe in {@value Checkpoints#PROBE}: the input's seed,
     * the tolerance, where the reference outputs were computed, and the entry's SHA-256.
     *
     * @param seed seed of the probe's input
     * @param atol absolute tolerance
     * @param rtol tolerance relative to each output's largest magnitude
     * @param computedOn the kernels and processor the reference outputs came from
     * @param sha256 lower-case hex SHA-256 of the probe entry
     */
    public record Probe(long seed, double atol, double rtol, String computedOn, String sha256) {
        public Probe {
            if (!(atol >= 0) || !(rtol >= 0)) {
                throw new IllegalArgumentException(
                        "probe tolerances must be >= 0, got atol " + atol + ", rtol " + rtol);
            }
            Objects.requireNonNull(computedOn, "computedOn");
            sha256 = Objects.requireNonNull(sha256, "sha256").toLowerCase(Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(
                        "probe SHA-256 must be 64 hex digits, got " + sha256);
            }
        }
    }

    /** The checkpoint format version this code writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    public CheckpointManifest {
        if (formatVersion < 1 || formatVersion > FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "format version must be 1.." + FORMAT_VERSION + ", got " + formatVersion);
        }
        if (modelName == null || modelName.isBlank()) {
            throw new IllegalArgumentException("must set a model name");
        }
        if (modelVersion < 0) {
            throw new IllegalArgumentException(
                    "model version must be at least 0, got " + modelVersion);
        }
        Objects.requireNonNull(architecture, "architecture");
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        checkClassNames(architecture, classNames);
        checkInputSize(inputHeight, inputWidth);
        if (createdAt == null) {
            throw new IllegalArgumentException("must set the creation time");
        }
        try {
            OffsetDateTime.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "creation time must be ISO-8601 with an offset (2025-01-31T12:00:00Z), got "
                            + createdAt,
                    e);
        }
        training = JsonValues.normaliseMap(training == null ? Map.of() : training, "training");
        if (weightsSha256 != null) {
            weightsSha256 = weightsSha256.toLowerCase(Locale.ROOT);
            if (!weightsSha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(
                        "weights SHA-256 must be 64 hex digits, got " + weightsSha256);
            }
        }
    }

    private static void checkClassNames(MtiNetConfig architecture, List<String> classNames) {
        if (classNames.isEmpty()) {
            return;
        }
        Task seg = segmentationTask(architecture);
        if (seg == null) {
            throw new IllegalArgumentException(
                    "class names given, but model "
                            + architecture.name()
                            + " has no segmentation task");
        }
        if (classNames.size() != seg.channels()) {
            throw new IllegalArgumentException(
                    "task "
                            + seg.name()
                            + " has "
                            + seg.channels()
                            + " classes, but "
                            + classNames.size()
                            + " class names are given");
        }
        for (String c : classNames) {
            if (c.isBlank()) {
                throw new IllegalArgumentException("class names must not be blank: " + classNames);
            }
        }
    }

    private static void checkInputSize(int height, int width) {
        if (height <= 0 || width <= 0 || height % 32 != 0 || width % 32 != 0) {
            throw new IllegalArgumentException(
                    "input height and width must be positive multiples of 32, got "
                            + height
                            + "x"
                            + width);
        }
    }

    /** The first segmentation task with a final output, else the first auxiliary one, or null. */
    private static Task segmentationTask(MtiNetConfig architecture) {
        for (List<Task> tasks : List.of(architecture.tasks(), architecture.auxiliaryTasks())) {
            for (Task t : tasks) {
                if (t.kind() == Task.Kind.SEGMENTATION) {
                    return t;
                }
            }
        }
        return null;
    }

    /**
     * The configuration to build the network with; equal to the one the checkpoint was saved from.
     */
    public MtiNetConfig toConfig() {
        return architecture;
    }

    /** This manifest with the given weights checksum. */
    public CheckpointManifest withWeightsSha256(String sha256) {
        return new CheckpointManifest(
                formatVersion,
                modelName,
                modelVersion,
                architecture,
                classNames,
                inputHeight,
                inputWidth,
                createdAt,
                training,
                sha256,
                probe);
    }

    /** This manifest with the given probe. */
    public CheckpointManifest withProbe(Probe probe) {
        return new CheckpointManifest(
                formatVersion,
                modelName,
                modelVersion,
                architecture,
                classNames,
                inputHeight,
                inputWidth,
                createdAt,
                training,
                weightsSha256,
                probe);
    }

    /** The manifest as the pretty-printed JSON stored in {@code manifest.json}. */
    public String toJson() {
        return ManifestJson.write(this);
    }

    /** A builder for a manifest of a network with {@code architecture}. */
    public static Builder from(MtiNetConfig architecture) {
        return new Builder(architecture);
    }

    /**
     * A builder holding everything of this manifest but the checksum, with the current format
     * version and creation time now: for the next version of a model, call {@code
     * toBuilder().optModelVersion(modelVersion() + 1)}.
     */
    public Builder toBuilder() {
        return new Builder(architecture)
                .setModelName(modelName)
                .optModelVersion(modelVersion)
                .optClassNames(classNames)
                .setInputSize(inputHeight, inputWidth)
                .optTraining(training);
    }

    /**
     * Builds a {@link CheckpointManifest}. Required: {@link #setModelName} and {@link
     * #setInputSize}. Defaults: model version 1, no class names, created now, empty training map,
     * no checksum.
     */
    public static final class Builder {

        private final MtiNetConfig architecture;
        private String modelName;
        private long modelVersion = 1;
        private List<String> classNames = List.of();
        private int inputHeight;
        private int inputWidth;
        private String createdAt;
        private final Map<String, Object> training = new LinkedHashMap<>();

        private Builder(MtiNetConfig architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
        }

        /** Name of the model line, e.g. {@code student}. */
        public Builder setModelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** Input size in pixels the model was trained at; multiples of 32. */
        public Builder setInputSize(int height, int width) {
            this.inputHeight = height;
            this.inputWidth = width;
            return this;
        }

        /** Version within the model line (default 1). */
        public Builder optModelVersion(long modelVersion) {
            this.modelVersion = modelVersion;
            return this;
        }

        /** Class names of the segmentation task, in channel order. */
        public Builder optClassNames(List<String> classNames) {
            this.classNames = new ArrayList<>(classNames);
            return this;
        }

        /** Creation time (default: when {@link #build()} is called). */
        public Builder optCreatedAt(Instant createdAt) {
            this.createdAt = createdAt.toString();
            return this;
        }

        /** Creation time as ISO-8601 with offset. */
        public Builder optCreatedAt(String createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /** Adds every entry of {@code entries} to the training map. */
        public Builder optTraining(Map<String, ?> entries) {
            training.putAll(entries);
            return this;
        }

        /** Adds one entry to the training map. */
        public Builder optTraining(String key, Object value) {
            training.put(key, value);
            return this;
        }

        /** The manifest; names what is missing or invalid. */
        public CheckpointManifest build() {
            if (modelName == null) {
                throw new IllegalArgumentException("must set modelName");
            }
            if (inputHeight == 0 && inputWidth == 0) {
                throw new IllegalArgumentException("must set the input size (setInputSize)");
            }
            String created =
                    createdAt != null
                            ? createdAt
                            : Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            return new CheckpointManifest(
                    FORMAT_VERSION,
                    modelName,
                    modelVersion,
                    architecture,
                    classNames,
                    inputHeight,
                    inputWidth,
                    created,
                    training,
                    null,
                    null);
        }
    }
}
