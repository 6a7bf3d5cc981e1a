package io.scenestream.operators;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One served model that checked updates replace: the model loaded from its checkpoint (and so
 * self-tested, see {@link Checkpoints#load}), its predictor, the update record it serves, and the
 * check and swap every model-update record goes through. The inference operators and the teacher
 * each hold one.
 *
 * <p>Not thread-safe: its owner keeps it on one thread, except {@link #check}, which reads only the
 * {@link Target} captured on that thread and may run anywhere.
 */
final class ModelSlot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSlot.class);

    /**
     * What an update must match to serve: the serving model's name, version, architecture, input
     * size.
     */
    record Target(
            String name,
            long version,
            MtiNetConfig config,
            int height,
            int width,
            MtiNet base,
            Map<String, Long> sceneVersions) {}

    /**
     * One camera's or group's adapted parameters, laid over the serving model while that scope's
     * frames run.
     */
    private record Scene(long version, byte[] record, SceneDelta delta, NDManager manager) {}

    private final String owner;
    private final Model model;
    private final byte[] key;
    private final int[] inputSize;
    private final Counter accepted;
    private final Counter rejected;
    private boolean scenesAllowed;
    private NDManager versionManager;
    private LoadedCheckpoint serving;
    private MtiNetPredictor predictor;
    private volatile byte[] servingUpdate;

    /** Adapted parameters by scope; written between batches, read on the model thread. */
    private final Map<String, Scene> scenes = new ConcurrentHashMap<>();

    /** The serving model's own values of every parameter some scene changes, by state-dict name. */
    private final Map<String, NDArray> baseValues = new HashMap<>();

    /** The serving network's parameters by state-dict name (scopes switch between batches). */
    private Map<String, Parameter> servingParams;

    /** The scene whose values the network holds now; null for the serving model's own. */
    private Scene laidOver;

    private ModelSlot(
            String owner,
            Model model,
            String updateKey,
            int[] inputSize,
            Counter accepted,
            Counter rejected) {
        this.owner = owner;
        this.model = model;
        this.key = (updateKey == null ? "" : updateKey).getBytes(StandardCharsets.UTF_8);
        this.inputSize = inputSize;
        this.accepted = accepted;
        this.rejected = rejected;
    }

    /**
     * Loads {@code checkpoint} on {@code device}.
     *
     * @param owner names the slot's holder in log lines ("inference subtask 0", "teacher")
     * @param updateKey the key updates must be signed with; empty accepts unsigned ones
     * @param inputSize {height, width} the predictor resizes frames to; null for the checkpoint's
     *     own
     * @param accepted counts the updates swapped in
     * @param rejected counts the bad updates
     */
    static ModelSlot load(
            String owner,
            Device device,
            Path checkpoint,
            String updateKey,
            int[] inputSize,
            Counter accepted,
            Counter rejected)
            throws CheckpointException {
        Model model = Model.newInstance(owner, device);
        ModelSlot slot = new ModelSlot(owner, model, updateKey, inputSize, accepted, rejected);
        NDManager first = model.getNDManager().newSubManager();
        try {
            slot.install(Checkpoints.load(checkpoint, first), first);
        } catch (CheckpointException | RuntimeException e) {
            first.close();
            model.close();
            throw e;
        }
        return slot;
    }

    private void install(LoadedCheckpoint lc, NDManager manager) {
        serving = lc;
        versionManager = manager;
        int h = inputSize == null ? lc.manifest().inputHeight() : inputSize[0];
        int w = inputSize == null ? lc.manifest().inputWidth() : inputSize[1];
        predictor = new MtiNetPredictor(lc.net(), manager, h, w, false);
        servingParams = StateDict.parameters(lc.net());
    }

    /** The serving model. */
    LoadedCheckpoint serving() {
        return serving;
    }

    /** The serving model's predictor; replaced by a swap. */
    MtiNetPredictor predictor() {
        return predictor;
    }

    /**
     * The update record that serves, null while the shipped checkpoint does; readable from any
     * thread.
     */
    byte[] servingUpdate() {
        return servingUpdate;
    }

    /** What an update must match, captured now for a {@link #check} on another thread. */
    Target target() {
        Map<String, Long> versions = new HashMap<>();
        scenes.forEach((scope, scene) -> versions.put(scope, scene.version()));
        return new Target(
                serving.manifest().modelName(),
                serving.manifest().modelVersion(),
                serving.config(),
                serving.manifest().inputHeight(),
                serving.manifest().inputWidth(),
                serving.net(),
                Map.copyOf(versions));
    }

    /** The version serving {@code scope}'s frames: its scene's, else the serving model's. */
    long versionOf(String scope) {
        Scene s = scope.isEmpty() ? null : scenes.get(scope);
        return s == null ? serving.manifest().modelVersion() : s.version();
    }

    /**
     * Lays {@code scope}'s adapted parameters over the network (and takes the last scope's off), so
     * that the next prediction is that scope's; on the thread that runs the model, between
     * predictions.
     */
    void use(String scope) {
        Scene next = scope.isEmpty() ? null : scenes.get(scope);
        if (next == laidOver) {
            return;
        }
        if (laidOver != null) {
            for (String name : laidOver.delta().values().keySet()) {
                if (next == null || !next.delta().values().containsKey(name)) {
                    baseValues.get(name).copyTo(servingParams.get(name).getArray());
                }
            }
        }
        if (next != null) {
            next.delta().layOver(servingParams);
        }
        laidOver = next;
    }

    /**
     * Every update record that serves: the whole model's (if not the shipped one) and each scene's.
     */
    List<byte[]> servingUpdates() {
        List<byte[]> out = new ArrayList<>();
        if (servingUpdate != null) {
            out.add(servingUpdate);
        }
        scenes.values().forEach(s -> out.add(s.record()));
        return out;
    }

    /**
     * Checks an update record against {@code target} and loads its model if it may serve; any
     * thread.
     */
    UpdateCandidate check(byte[] record, String from, Target target) {
        return UpdateCandidate.check(
                record,
                from,
                key,
                target.name(),
                target.version(),
                target.config(),
                target.height(),
                target.width(),
                scenesAllowed ? target.base() : null,
                target.sceneVersions(),
                model.getNDManager());
    }

    /**
     * Lets this slot serve updates for single cameras or groups (scene deltas) beside the whole
     * model's; without it they are rejected.
     */
    void allowScenes() {
        scenesAllowed = true;
    }

    /**
     * Whether {@code c} may serve. Another model's update or an old version is passed over quietly;
     * a bad update is counted and logged.
     */
    boolean admits(UpdateCandidate c) {
        if (c.ignore()) {
            return false;
        }
        if (c.rejection() != null) {
            rejected.inc();
            LOG.warn(
                    "{} rejected a model update from {}: {}; still on {} v{}",
                    owner,
                    c.from(),
                    c.rejection(),
                    serving.manifest().modelName(),
                    serving.manifest().modelVersion());
            return false;
        }
        return true;
    }

    /**
     * Serves an admitted candidate from now on, its record being {@code record}; the previous
     * model's predictor and memory are released, so nothing may still be running on them.
     */
    void swap(UpdateCandidate c, byte[] record) {
        if (c.delta() != null) {
            addScene(c, record);
            return;
        }
        // Deltas lie on the model they were trained from: a new model serves every camera alike.
        use("");
        dropScenes();
        predictor.close();
        NDManager old = versionManager;
        install(c.checkpoint(), c.manager());
        old.close();
        servingUpdate = record;
        accepted.inc();
        LOG.info(
                "{} now serves {} v{} (from {}, validation {})",
                owner,
                c.update().getModelName(),
                c.update().getVersion(),
                c.from(),
                c.update().getValidationMap());
    }

    private void addScene(UpdateCandidate c, byte[] record) {
        String scope = c.scope();
        // The serving model's own values first, for every parameter a scene may change.
        use("");
        for (String name : c.delta().values().keySet()) {
            baseValues.computeIfAbsent(name, n -> servingParams.get(n).getArray().duplicate());
        }
        Scene old =
                scenes.put(
                        scope, new Scene(c.update().getVersion(), record, c.delta(), c.manager()));
        if (old != null) {
            old.manager().close();
        }
        accepted.inc();
        LOG.info(
                "{} now serves {} v{} for {} ({} adapted values over v{}, from {}, validation {})",
                owner,
                c.update().getModelName(),
                c.update().getVersion(),
                scope,
                c.delta().size(),
                serving.manifest().modelVersion(),
                c.from(),
                c.update().getValidationMap());
    }

    private void dropScenes() {
        if (!scenes.isEmpty()) {
            LOG.info(
                    "{} drops the adapted parameters of {} cameras or groups",
                    owner,
                    scenes.size());
        }
        scenes.values().forEach(s -> s.manager().close());
        scenes.clear();
        baseValues.values().forEach(NDArray::close);
        baseValues.clear();
        laidOver = null;
    }

    /** Checks an update and swaps it in at once if it may serve (a restored serving update). */
    void apply(byte[] record, String from) {
        UpdateCandidate c = check(record, from, target());
        if (admits(c)) {
            swap(c, record);
        }
    }

    @Override
    public void close() {
        try {
            dropScenes();
            predictor.close();
            versionManager.close();
        } finally {
            model.close();
        }
    }
}
