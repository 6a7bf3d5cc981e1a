package io.scenestream.operators;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.MtiNetPredictor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    record Target(String name, long version, MtiNetConfig config, int height, int width) {}

    private final String owner;
    private final Model model;
    private final byte[] key;
    private final int[] inputSize;
    private final Counter accepted;
    private final Counter rejected;
    private NDManager versionManager;
    private LoadedCheckpoint serving;
    private MtiNetPredictor predictor;
    private volatile byte[] servingUpdate;

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
        return new Target(
                serving.manifest().modelName(),
                serving.manifest().modelVersion(),
                serving.config(),
                serving.manifest().inputHeight(),
                serving.manifest().inputWidth());
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
                model.getNDManager());
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
            predictor.close();
            versionManager.close();
        } finally {
            model.close();
        }
    }
}
