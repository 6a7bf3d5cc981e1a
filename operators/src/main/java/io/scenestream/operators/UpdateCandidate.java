package io.scenestream.operators;

import ai.djl.ndarray.NDManager;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model-update record checked against the model a task serves, and its model loaded when it may
 * serve: what the inference operators and the teacher do with every record of the update topic.
 * Exactly one of three outcomes: {@link #ignore} (another model, or a version not newer than the
 * serving one), {@link #rejection} (a bad update: unparsable, checksum or signature failing,
 * another architecture or input size, unloadable weights, a checkpoint that names another model or
 * version), or a loaded {@link #checkpoint} in its own {@link #manager}, which the caller then
 * owns.
 *
 * @param update the parsed update; null when it could not be read or is another model's
 * @param from where the record came from, for messages
 */
public record UpdateCandidate(
        ModelUpdate update,
        LoadedCheckpoint checkpoint,
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
            NDManager parent) {
        String name = ModelUpdates.modelNameOf(record);
        if (name != null && !name.isEmpty() && !name.equals(serving)) {
            // Another model's update (the teacher sees every student update): not even checked.
            LOG.debug("ignoring update of model {} (serving {})", name, serving);
            return new UpdateCandidate(null, null, null, from, null, true);
        }
        ModelUpdate u;
        try {
            u = ModelUpdates.verify(record, key);
        } catch (BadRecordException e) {
            return new UpdateCandidate(null, null, null, from, e.getMessage(), false);
        }
        if (!u.getModelName().equals(serving)) {
            LOG.debug("ignoring update of model {} (serving {})", u.getModelName(), serving);
            return new UpdateCandidate(u, null, null, from, null, true);
        }
        if (u.getVersion() <= servingVersion) {
            LOG.info(
                    "ignoring update {} v{} from {}: serving v{} already",
                    u.getModelName(),
                    u.getVersion(),
                    from,
                    servingVersion);
            return new UpdateCandidate(u, null, null, from, null, true);
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
            return new UpdateCandidate(u, candidate, next, from, null, false);
        } catch (CheckpointException | RuntimeException e) {
            next.close();
            return new UpdateCandidate(u, null, null, from, e.getMessage(), false);
        }
    }

    /**
     * The update record of the highest version among {@code records} (a serving update kept in
     * union operator state: every instance reads all copies back); null if there is none.
     * Unreadable records are logged and passed over.
     */
    public static byte[] newest(Iterable<byte[]> records) {
        long best = -1;
        byte[] newest = null;
        for (byte[] b : records) {
            try {
                ModelUpdate u = ModelUpdate.parseFrom(b);
                if (u.getVersion() > best) {
                    best = u.getVersion();
                    newest = b;
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                LOG.warn(
                        "ignoring an unreadable model update in restored state: {}",
                        e.getMessage());
            }
        }
        return newest;
    }

    /** Closes the loaded model, for a candidate that will not serve after all. */
    public void discard() {
        if (manager != null) {
            manager.close();
        }
    }
}
