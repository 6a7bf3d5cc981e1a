package io.scenestream.kafka.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import io.scenestream.kafka.proto.ModelUpdate;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link ModelUpdate} and checks it is whole: a model name, a positive version, a
 * checkpoint, and a SHA-256 that matches the checkpoint's bytes. Null in, null out; anything else
 * wrong is a {@link BadRecordException} (INTEGRITY for a checksum mismatch).
 */
public class ModelUpdateDeserializer implements Deserializer<ModelUpdate> {

    /** Largest update record accepted. */
    public static final int MAX_BYTES = 512 << 20;

    @Override
    public ModelUpdate deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > MAX_BYTES) {
            throw new BadRecordException(
                    BadRecordException.Reason.OVERSIZED,
                    "model update of " + data.length + " bytes exceeds " + MAX_BYTES);
        }
        ModelUpdate u;
        try {
            u = ModelUpdate.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new BadRecordException(
                    BadRecordException.Reason.UNPARSABLE,
                    "not a ModelUpdate record (" + data.length + " bytes): " + e.getMessage(),
                    e);
        }
        if (u.getModelName().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD, "model update has no model_name");
        }
        if (u.getVersion() == 0) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "model update of " + u.getModelName() + " has no version");
        }
        if (u.getCheckpoint().isEmpty()) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD,
                    "model update "
                            + u.getModelName()
                            + " v"
                            + u.getVersion()
                            + " has no checkpoint");
        }
        String actual = sha256(u.getCheckpoint().toByteArray());
        if (!actual.equalsIgnoreCase(u.getSha256())) {
            throw new BadRecordException(
                    BadRecordException.Reason.INTEGRITY,
                    "model update "
                            + u.getModelName()
                            + " v"
                            + u.getVersion()
                            + ": checkpoint hashes to "
                            + actual
                            + ", the record says '"
                            + u.getSha256()
                            + "'");
        }
        return u;
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
