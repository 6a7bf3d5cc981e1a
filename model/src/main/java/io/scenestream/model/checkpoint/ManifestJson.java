package io.scenestream.model.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.HrNetConfig;
import java.math.BigDecimal;
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
 *   "weights_sha256": "..."
 * }
 * }</pre>
 *
 * {@code class_names} and {@code training} may be absent (empty); everything else is required.
 * Unknown keys are ignored.
 */
final class ManifestJson {

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private ManifestJson() {}

    static String write(CheckpointManifest m) {
        JsonObject o = new JsonObject();
        o.addProperty("format_version", m.formatVersion());
        o.addProperty("model_name", m.modelName());
        o.addProperty("model_version", m.modelVersion());
        o.add("architecture", architecture(m.architecture()));
        JsonArray classes = new JsonArray();
        m.classNames().forEach(classes::add);
        o.add("class_names", classes);
        JsonObject input = new JsonObject();
        input.addProperty("height", m.inputHeight());
        input.addProperty("width", m.inputWidth());
        o.add("input_size", input);
        o.addProperty("created_at", m.createdAt());
        o.add("training", JsonValues.toJson(m.training()));
        o.addProperty("weights_sha256", m.weightsSha256());
        if (m.probe() != null) {
            JsonObject p = new JsonObject();
            p.addProperty("entry", Checkpoints.PROBE);
            p.addProperty("seed", m.probe().seed());
            p.addProperty("atol", m.probe().atol());
            p.addProperty("rtol", m.probe().rtol());
            p.addProperty("computed_on", m.probe().computedOn());
            p.addProperty("sha256", m.probe().sha256());
            o.add("probe", p);
        }
        return GSON.toJson(o) + "\n";
    }

    private static JsonObject architecture(MtiNetConfig c) {
        HrNetConfig b = c.backbone();
        JsonObject backbone = new JsonObject();
        backbone.addProperty("stem_channels", b.stemChannels());
        backbone.addProperty("stage1_planes", b.stage1Planes());
        backbone.addProperty("stage1_blocks", b.stage1Blocks());
        backbone.add("widths", ints(b.widths()));
        backbone.add("modules_per_stage", ints(b.modulesPerStage()));
        backbone.addProperty("blocks_per_branch", b.blocksPerBranch());
        JsonObject a = new JsonObject();
        a.addProperty("config", c.name());
        a.add("backbone", backbone);
        a.add("tasks", tasks(c.tasks()));
        a.add("auxiliary_tasks", tasks(c.auxiliaryTasks()));
        return a;
    }

    private static JsonArray ints(int[] values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static JsonArray tasks(List<Task> tasks) {
        JsonArray a = new JsonArray();
        for (Task t : tasks) {
            JsonObject o = new JsonObject();
            o.addProperty("name", t.name());
            o.addProperty("kind", t.kind().name().toLowerCase(Locale.ROOT));
            o.addProperty("channels", t.channels());
            a.add(o);
        }
        return a;
    }

    /**
     * Parses {@code json}, the manifest of {@code file}; checks the format version before anything
     * else.
     *
     * @throws CheckpointException naming what is unparsable, missing or invalid, or that the format
     *     version is newer than {@link CheckpointManifest#FORMAT_VERSION}
     */
    static CheckpointManifest parse(String json, Path file) throws CheckpointException {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonObject()) {
                throw new CheckpointException(file, "manifest.json is not a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(
                    file, "manifest.json is not valid JSON: " + e.getMessage(), e);
        }
        try {
            int version = integer(o, "format_version");
            if (version > CheckpointManifest.FORMAT_VERSION) {
                throw new CheckpointException(
                        file,
                        "its format version "
                                + version
                                + " is newer than this SceneStream supports (up to "
                                + CheckpointManifest.FORMAT_VERSION
                                + "); use a newer SceneStream to read it");
            }
            JsonObject input = object(o, "input_size");
            List<String> classNames = new ArrayList<>();
            if (o.has("class_names")) {
                for (JsonElement e : array(o, "class_names")) {
                    classNames.add(string(e, "class_names[]"));
                }
            }
            Map<String, Object> training = Map.of();
            if (o.has("training") && !o.get("training").isJsonNull()) {
                training =
                        JsonValues.normaliseMap(
                                (Map<?, ?>) JsonValues.fromJson(object(o, "training")), "training");
            }
            return new CheckpointManifest(
                    version,
                    string(o, "model_name"),
                    longInteger(o, "model_version"),
                    architecture(object(o, "architecture")),
                    classNames,
                    integer(input, "height", "input_size.height"),
                    integer(input, "width", "input_size.width"),
                    string(o, "created_at"),
                    training,
                    string(o, "weights_sha256"),
                    probe(o));
        } catch (InvalidField | IllegalArgumentException e) {
            throw new CheckpointException(file, "manifest.json is invalid: " + e.getMessage(), e);
        }
    }

    private static CheckpointManifest.Probe probe(JsonObject o) throws InvalidField {
        if (!o.has("probe") || o.get("probe").isJsonNull()) {
            return null;
        }
        JsonObject p = object(o, "probe", "probe");
        return new CheckpointManifest.Probe(
                exact(field(p, "seed", "probe.seed"), "probe.seed").longValue(),
                number(p, "atol", "probe.atol"),
                number(p, "rtol", "probe.rtol"),
                string(p, "computed_on", "probe.computed_on"),
                string(p, "sha256", "probe.sha256"));
    }

    private static MtiNetConfig architecture(JsonObject a) throws InvalidField {
        JsonObject b = object(a, "backbone", "architecture.backbone");
        HrNetConfig backbone =
                new HrNetConfig(
                        integer(b, "stem_channels", "architecture.backbone.stem_channels"),
                        integer(b, "stage1_planes", "architecture.backbone.stage1_planes"),
                        integer(b, "stage1_blocks", "architecture.backbone.stage1_blocks"),
                        ints(b, "widths", "architecture.backbone.widths"),
                        ints(b, "modules_per_stage", "architecture.backbone.modules_per_stage"),
                        integer(b, "blocks_per_branch", "architecture.backbone.blocks_per_branch"));
        return new MtiNetConfig(
                string(a, "config", "architecture.config"),
                backbone,
                tasks(a, "tasks", "architecture.tasks"),
                tasks(a, "auxiliary_tasks", "architecture.auxiliary_tasks"));
    }

    private static List<Task> tasks(JsonObject o, String key, String path) throws InvalidField {
        JsonArray a = array(o, key, path);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String at = path + "[" + i + "]";
            if (!a.get(i).isJsonObject()) {
                throw new InvalidField(at + " must be an object");
            }
            JsonObject t = a.get(i).getAsJsonObject();
            String kind = string(t, "kind", at + ".kind");
            Task.Kind k;
            try {
                k = Task.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidField(
                        at + ".kind is '" + kind + "', not one of segmentation, depth");
            }
            tasks.add(
                    new Task(
                            string(t, "name", at + ".name"),
                            k,
                            integer(t, "channels", at + ".channels")));
        }
        return tasks;
    }

    /** A field that is missing or of the wrong type; its message names the field. */
    private static final class InvalidField extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidField(String message) {
            super(message);
        }
    }

    private static JsonElement field(JsonObject o, String key, String path) throws InvalidField {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new InvalidField("missing field " + path);
        }
        return e;
    }

    private static JsonObject object(JsonObject o, String key) throws InvalidField {
        return object(o, key, key);
    }

    private static JsonObject object(JsonObject o, String key, String path) throws InvalidField {
        JsonElement e = field(o, key, path);
        if (!e.isJsonObject()) {
            throw new InvalidField(path + " must be an object, got " + e);
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonObject o, String key) throws InvalidField {
        return array(o, key, key);
    }

    private static JsonArray array(JsonObject o, String key, String path) throws InvalidField {
        JsonElement e = field(o, key, path);
        if (!e.isJsonArray()) {
            throw new InvalidField(path + " must be an array, got " + e);
        }
        return e.getAsJsonArray();
    }

    private static String string(JsonObject o, String key) throws InvalidField {
        return string(o, key, key);
    }

    private static String string(JsonObject o, String key, String path) throws InvalidField {
        return string(field(o, key, path), path);
    }

    private static String string(JsonElement e, String path) throws InvalidField {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidField(path + " must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static int integer(JsonObject o, String key) throws InvalidField {
        return integer(o, key, key);
    }

    private static int integer(JsonObject o, String key, String path) throws InvalidField {
        return integer(field(o, key, path), path);
    }

    private static int integer(JsonElement e, String path) throws InvalidField {
        try {
            return exact(e, path).intValueExact();
        } catch (ArithmeticException x) {
            throw new InvalidField(path + " must be an integer, got " + e);
        }
    }

    private static long longInteger(JsonObject o, String key) throws InvalidField {
        JsonElement e = field(o, key, key);
        try {
            return exact(e, key).longValueExact();
        } catch (ArithmeticException x) {
            throw new InvalidField(key + " must be an integer, got " + e);
        }
    }

    private static double number(JsonObject o, String key, String path) throws InvalidField {
        JsonElement e = field(o, key, path);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new InvalidField(path + " must be a number, got " + e);
        }
        return e.getAsDouble();
    }

    private static BigDecimal exact(JsonElement e, String path) throws InvalidField {
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isNumber()) {
                try {
                    return new BigDecimal(p.getAsString());
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
        }
        throw new InvalidField(path + " must be an integer, got " + e);
    }

    private static int[] ints(JsonObject o, String key, String path) throws InvalidField {
        JsonArray a = array(o, key, path);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(a.get(i), path + "[" + i + "]");
        }
        return out;
    }
}
