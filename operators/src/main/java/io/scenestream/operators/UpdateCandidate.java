package io.scenestream.operators;

import ai.djl.ndarray.NDManager;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.checkpoint.SceneDelta;
import io.scenestream.model.nn.MtiNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model-update record checked against the model a task serves, and its model loaded when it may
 * serve: what the inference operators and the teacher do with every record of the update topic.
 * Exactly one of three outcomes: {@link #ignore} (another model, or a version not newer than the
 * serving one), {@link #rejection} (a bad update: unparsable, checksum or signature failing,
 * another architecture or input size, unloadable weights, a checkpoint that names another model or
 * version), or a loaded {@link #checkpoint} in its own {@link #manager}, which the caller then
 * owns. An update for one camera or group (a scope) carries a {@link #delta} instead, read against
 * the serving base and the scope's serving version.
 *
 * @param update the parsed update; null when it could not be read or is another model's
 * @param from where the record came from, for messages
 */
public record UpdateCandidate(
        ModelUpdate update,
        LoadedCheckpoint checkpoint,
        SceneDelta delta,
        NDManager manager,
        String from,
        String rejection,
        boolean ignore) {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateCandidate.class);

    /**
     * @param key the key updates must be signed with; empty accepts unsigned ones
     * @param serving name of the serving model: updates of other models are ignored
     * @param servingVersion updates of this version or older are ignored
     * @param expected the serving model's architecture, which an update must have
     * @param h input rows an update must have been trained at
     * @param w input columns
     * @param base the serving network, over which an update for a scope (a camera or group) is read
     *     as a scene delta lying on {@code servingVersion}; null refuses scoped updates
     * @param sceneVersions each scope's serving version: a scoped update must be newer than its
     *     scope's (else than {@code servingVersion})
     * @param parent the manager under which a loaded model's own manager is made
     */
    public static UpdateCandidate check(
            byte[] record,
            String from,
            byte[] key,
            String serving,
            long servingVersion,
            MtiNetConfig expected,
            int h,
            int w,
            MtiNet base,
            Map<String, Long> sceneVersions,
            NDManager parent) {
        String name = ModelUpdates.modelNameOf(record);
        if (name != null && !name.isEmpty() && !name.equals(serving)) {
            // Another model's update (the teacher sees every student update): not even checked.
            LOG.debug("ignoring update of model {} (serving {})", name, serving);
            return new UpdateCandidate(null, null, null, null, from, null, true);
        }
        ModelUpdate u;
        try {
            u = ModelUpdates.verify(record, key);
        } catch (BadRecordException e) {
            return new UpdateCandidate(null, null, null, null, from, e.getMessage(), false);
        }
        if (!u.getModelName().equals(serving)) {
            LOG.debug("ignoring update of model {} (serving {})", u.getModelName(), serving);
            return new UpdateCandidate(u, null, null, null, from, null, true);
        }
        if (!u.getScope().isEmpty()) {
            return checkScene(u, from, servingVersion, h, w, base, sceneVersions, parent);
        }
        if (u.getVersion() <= servingVersion) {
            LOG.info(
                    "ignoring update {} v{} from {}: serving v{} already",
                    u.getModelName(),
                    u.getVersion(),
                    from,
                    servingVersion);
            return new UpdateCandidate(u, null, null, null, from, null, true);
        }
        String what = "model update " + u.getModelName() + " v" + u.getVersion();
        NDManager next = parent.newSubManager();
        try {
            LoadedCheckpoint candidate =
                    Checkpoints.fromBytes(u.getCheckpoint().toByteArray(), what, next, expected);
            if (candidate.manifest().inputHeight() != h || candidate.manifest().inputWidth() != w) {
                throw new CheckpointException(
                        Path.of(what),
                        "it was trained at "
                                + candidate.manifest().inputHeight()
                                + "x"
                                + candidate.manifest().inputWidth()
                                + ", the serving model at "
                                + h
                                + "x"
                                + w);
            }
            if (!candidate.manifest().modelName().equals(u.getModelName())
                    || candidate.manifest().modelVersion() != u.getVersion()) {
                throw new CheckpointException(
                        Path.of(what),
                        "its checkpoint says "
                                + candidate.manifest().modelName()
                                + " v"
                                + candidate.manifest().modelVersion());
            }
            return new UpdateCandidate(u, candidate, null, next, from, null, false);
        } catch (CheckpointException | RuntimeException e) {
            next.close();
            return new UpdateCandidate(u, null, null, null, from, e.getMessage(), false);
        }
    }

    private static UpdateCandidate checkScene(
            ModelUpdate u,
            String from,
            long baseVersion,
            int h,
            int w,
            MtiNet base,
            Map<String, Long> sceneVersions,
            NDManager parent) {
        String scope = u.getScope();
        if (base == null) {
            return new UpdateCandidate(
                    u,
                    null,
                    null,
                    null,
                    from,
                    "an update for camera or group "
                            + scope
                            + ", and this model serves every camera alike",
                    false);
        }
        long current =
                sceneVersions == null
                        ? baseVersion
                        : sceneVersions.getOrDefault(scope, baseVersion);
        if (u.getVersion() <= current) {
            LOG.info(
                    "ignoring update {} v{} for {} from {}: serving v{} already",
                    u.getModelName(),
                    u.getVersion(),
                    scope,
                    from,
                    current);
            return new UpdateCandidate(u, null, null, null, from, null, true);
        }
        String what = "model update " + u.getModelName() + " v" + u.getVersion() + " for " + scope;
        NDManager next = parent.newSubManager();
        try {
            SceneDelta d = SceneDelta.fromBytes(u.getCheckpoint().toByteArray(), what, next, base);
            CheckpointManifest m = d.manifest();
            String wrong = null;
            if (!d.scope().equals(scope)) {
                wrong = "its delta is for " + (d.scope().isEmpty() ? "no scope" : d.scope());
            } else if (d.baseVersion() != baseVersion) {
                wrong = "it lies on v" + d.baseVersion() + ", the serving model is v" + baseVersion;
            } else if (m.inputHeight() != h || m.inputWidth() != w) {
                wrong =
                        "it was trained at "
                                + m.inputHeight()
                                + "x"
                                + m.inputWidth()
                                + ", the serving model at "
                                + h
                                + "x"
                                + w;
            } else if (!m.modelName().equals(u.getModelName())
                    || m.modelVersion() != u.getVersion()) {
                wrong = "its delta says " + m.modelName() + " v" + m.modelVersion();
            }
            if (wrong != null) {
                throw new CheckpointException(Path.of(what), wrong);
            }
            return new UpdateCandidate(u, null, d, next, from, null, false);
        } catch (CheckpointException | RuntimeException e) {
            next.close();
            return new UpdateCandidate(u, null, null, null, from, e.getMessage(), false);
        }
    }

    /** The camera or group this update is for; empty for every camera. */
    public String scope() {
        return update == null ? "" : update.getScope();
    }

    /**
     * The newest update record of each scope among {@code records} (serving updates kept in union
     * operator state: every instance reads all copies back), the whole model's first; empty if
     * there are none. Unreadable records are logged and passed over.
     */
    public static List<byte[]> newestPerScope(Iterable<byte[]> records) {
        Map<String, ModelUpdate> best = new TreeMap<>();
        Map<String, byte[]> bytes = new TreeMap<>();
        for (byte[] b : records) {
            try {
                ModelUpdate u = ModelUpdate.parseFrom(b);
                ModelUpdate seen = best.get(u.getScope());
                if (seen == null || u.getVersion() > seen.getVersion()) {
                    best.put(u.getScope(), u);
                    bytes.put(u.getScope(), b);
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                LOG.warn(
                        "ignoring an unreadable model update in restored state: {}",
                        e.getMessage());
            }
        }
        return new ArrayList<>(bytes.values());
    }

    /** Closes the loaded model, for a candidate that will not serve after all. */
    public void discard() {
        if (manager != null) {
            manager.close();
        }
    }
}
