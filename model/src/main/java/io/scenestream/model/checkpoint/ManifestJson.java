package io.scenestream.model.checkpoint;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.HrNetConfig;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON layout of {@code manifest.json}, with snake_case keys so that Python reads it naturally:
 *
 * <pre>{@code
 * {
 *   "format_version": 1,
 *   "model_name": "student",
 *   "model_version": 3,
 *   "architecture": {
 *     "config": "reference-tiny",
 *     "backbone": {"stem_channels": 64, "stage1_planes": 64, "stage1_blocks": 2,
 *                  "widths": [8, 16, 24, 32], "modules_per_stage": [1, 3, 2], "blocks_per_branch": 2},
 *     "tasks": [{"name": "semseg", "kind": "segmentation", "channels": 13}, ...],
 *     "auxiliary_tasks": [...]
 *   },
 *   "class_names": ["wall", ...],
 *   "input_size": {"height": 480, "width": 640},
 *   "created_at": "2025-01-31T12:00:00Z",
 *   "training": {...},
 *   "weights_sha256": "...",
 *   "probe": {"entry": "probe.npz", "seed": 1, "atol": 1e-3, "rtol": 1e-3, "computed_on": "...", "sha256": "..."}
 * }
 * }</pre>
 *
 * The document is bound by Gson to the records below, named as the keys are; {@link #toManifest}
 * then checks it in one place. {@code class_names}, {@code training} and {@code probe} may be
 * absent; everything else is required. Unknown keys are ignored.
 */
final class ManifestJson {

    private static final Gson GSON =
            new GsonBuilder()
                    .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                    .setPrettyPrinting()
                    .serializeNulls()
                    .disableHtmlEscaping()
                    .create();

    /** {@code manifest.json} as a whole. */
    record Document(
            Integer formatVersion,
            String modelName,
            Long modelVersion,
            Architecture architecture,
            List<String> classNames,
            InputSize inputSize,
            String createdAt,
            JsonElement training,
            String weightsSha256,
            Probe probe) {}

    record Architecture(
            String config,
            Backbone backbone,
            List<TaskEntry> tasks,
            List<TaskEntry> auxiliaryTasks) {}

    record Backbone(
            Integer stemChannels,
            Integer stage1Planes,
            Integer stage1Blocks,
            int[] widths,
            int[] modulesPerStage,
            Integer blocksPerBranch) {}

    record TaskEntry(String name, String kind, Integer channels) {}

    record InputSize(Integer height, Integer width) {}

    record Probe(
            String entry, Long seed, Double atol, Double rtol, String computedOn, String sha256) {}

    private ManifestJson() {}

    static String write(CheckpointManifest m) {
        MtiNetConfig c = m.architecture();
        HrNetConfig b = c.backbone();
        CheckpointManifest.Probe p = m.probe();
        Document d =
                new Document(
                        m.formatVersion(),
                        m.modelName(),
                        m.modelVersion(),
                        new Architecture(
                                c.name(),
                                new Backbone(
                                        b.stemChannels(),
                                        b.stage1Planes(),
                                        b.stage1Blocks(),
                                        b.widths(),
                                        b.modulesPerStage(),
                                        b.blocksPerBranch()),
                                entries(c.tasks()),
                                entries(c.auxiliaryTasks())),
                        m.classNames(),
                        new InputSize(m.inputHeight(), m.inputWidth()),
                        m.createdAt(),
                        JsonValues.toJson(m.training()),
                        m.weightsSha256(),
                        p == null
                                ? null
                                : new Probe(
                                        Checkpoints.PROBE,
                                        p.seed(),
                                        p.atol(),
                                        p.rtol(),
                                        p.computedOn(),
                                        p.sha256()));
        JsonObject o = GSON.toJsonTree(d).getAsJsonObject();
        if (p == null) {
            o.remove("probe");
        }
        return GSON.toJson(o) + "\n";
    }

    private static List<TaskEntry> entries(List<Task> tasks) {
        return tasks.stream()
                .map(
                        t ->
                                new TaskEntry(
                                        t.name(),
                                        t.kind().name().toLowerCase(Locale.ROOT),
                                        t.channels()))
                .toList();
    }

    /**
     * Parses {@code json}, the manifest of {@code file}; checks the format version before anything
     * else.
     *
     * @throws CheckpointException naming what is unparsable, missing or invalid, or that the format
     *     version is newer than {@link CheckpointManifest#FORMAT_VERSION}
     */
    static CheckpointManifest parse(String json, Path file) throws CheckpointException {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new CheckpointException(
                    file, "manifest.json is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new CheckpointException(file, "manifest.json is not a JSON object");
        }
        Document d;
        // From the text, not the tree: the tree's numbers would round 1.5 to an integer field.
        JsonReader reader = new JsonReader(new StringReader(json));
        try {
            d = GSON.fromJson(reader, Document.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(
                    file,
                    "manifest.json is invalid: " + wrongType(reader.getPath(), e.getMessage()),
                    e);
        }
        try {
            return toManifest(d, file);
        } catch (InvalidField | IllegalArgumentException e) {
            throw new CheckpointException(file, "manifest.json is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a bound document and makes the manifest: the one place a manifest's JSON is validated.
     */
    private static CheckpointManifest toManifest(Document d, Path file)
            throws InvalidField, CheckpointException {
        int version = required(d.formatVersion(), "format_version");
        if (version > CheckpointManifest.FORMAT_VERSION) {
            throw new CheckpointException(
                    file,
                    "its format version "
                            + version
                            + " is newer than this SceneStream supports (up to "
                            + CheckpointManifest.FORMAT_VERSION
                            + "); use a newer SceneStream to read it");
        }
        Architecture a = required(d.architecture(), "architecture");
        Backbone b = required(a.backbone(), "architecture.backbone");
        MtiNetConfig config =
                new MtiNetConfig(
                        required(a.config(), "architecture.config"),
                        new HrNetConfig(
                                required(b.stemChannels(), "architecture.backbone.stem_channels"),
                                required(b.stage1Planes(), "architecture.backbone.stage1_planes"),
                                required(b.stage1Blocks(), "architecture.backbone.stage1_blocks"),
                                required(b.widths(), "architecture.backbone.widths"),
                                required(
                                        b.modulesPerStage(),
                                        "architecture.backbone.modules_per_stage"),
                                required(
                                        b.blocksPerBranch(),
                                        "architecture.backbone.blocks_per_branch")),
                        tasks(a.tasks(), "architecture.tasks"),
                        tasks(a.auxiliaryTasks(), "architecture.auxiliary_tasks"));
        List<String> classNames = d.classNames() == null ? List.of() : d.classNames();
        for (int i = 0; i < classNames.size(); i++) {
            required(classNames.get(i), "class_names[" + i + "]");
        }
        Map<String, Object> training = Map.of();
        if (d.training() != null && !d.training().isJsonNull()) {
            if (!d.training().isJsonObject()) {
                throw new InvalidField("training must be an object, got " + d.training());
            }
            training =
                    JsonValues.normaliseMap(
                            (Map<?, ?>) JsonValues.fromJson(d.training()), "training");
        }
        InputSize input = required(d.inputSize(), "input_size");
        return new CheckpointManifest(
                version,
                required(d.modelName(), "model_name"),
                required(d.modelVersion(), "model_version"),
                config,
                classNames,
                required(input.height(), "input_size.height"),
                required(input.width(), "input_size.width"),
                required(d.createdAt(), "created_at"),
                training,
                required(d.weightsSha256(), "weights_sha256"),
                probe(d.probe()));
    }

    private static CheckpointManifest.Probe probe(Probe p) throws InvalidField {
        if (p == null) {
            return null;
        }
        return new CheckpointManifest.Probe(
                required(p.seed(), "probe.seed"),
                required(p.atol(), "probe.atol"),
                required(p.rtol(), "probe.rtol"),
                required(p.computedOn(), "probe.computed_on"),
                required(p.sha256(), "probe.sha256"));
    }

    private static List<Task> tasks(List<TaskEntry> entries, String path) throws InvalidField {
        required(entries, path);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = path + "[" + i + "]";
            TaskEntry t = required(entries.get(i), at);
            String kind = required(t.kind(), at + ".kind");
            Task.Kind k;
            try {
                k = Task.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidField(
                        at + ".kind is '" + kind + "', not one of segmentation, depth");
            }
            tasks.add(
                    new Task(
                            required(t.name(), at + ".name"),
                            k,
                            required(t.channels(), at + ".channels")));
        }
        return tasks;
    }

    private static <T> T required(T value, String path) throws InvalidField {
        if (value == null) {
            throw new InvalidField("missing field " + path);
        }
        return value;
    }

    /**
     * Gson's message about a value that does not fit its field, said as the field's path and what
     * it must be ("model_version must be an integer (...)").
     */
    private static String wrongType(String readerPath, String gsonMessage) {
        String path = readerPath.replaceFirst("^\\$\\.?", "");
        Type type = typeAt(Document.class, path);
        String must =
                type == Integer.class || type == Long.class || type == int.class
                        ? "an integer"
                        : type == Double.class
                                ? "a number"
                                : type == String.class
                                        ? "a string"
                                        : type instanceof Class<?> c && c.isRecord()
                                                ? "an object"
                                                : "of another type";
        return path + " must be " + must + " (" + gsonMessage + ")";
    }

    /**
     * The type of the field at a Gson path such as {@code architecture.tasks[0].kind}; null if
     * unknown.
     */
    private static Type typeAt(Type root, String path) {
        Type t = root;
        for (String part : path.split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replaceAll("\\[\\d+]", "");
            if (!(t instanceof Class<?> c) || !c.isRecord()) {
                return null;
            }
            Type next = null;
            for (RecordComponent rc : c.getRecordComponents()) {
                if (FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES
                        .translateName(fieldOf(c, rc))
                        .equals(name)) {
                    next = rc.getGenericType();
                }
            }
            if (next == null) {
                return null;
            }
            if (part.contains("[")) {
                next =
                        next instanceof ParameterizedType pt
                                ? pt.getActualTypeArguments()[0]
                                : next instanceof Class<?> arr && arr.isArray()
                                        ? arr.getComponentType()
                                        : next;
            }
            t = next;
        }
        return t;
    }

    private static Field fieldOf(Class<?> c, RecordComponent rc) {
        try {
            return c.getDeclaredField(rc.getName());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A field that is missing or of the wrong type; its message names the field. */
    private static final class InvalidField extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidField(String message) {
            super(message);
        }
    }
}
