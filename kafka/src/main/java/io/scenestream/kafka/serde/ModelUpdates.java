package io.scenestream.kafka.serde;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.proto.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Making and checking {@link ModelUpdate} records: the checkpoint's SHA-256, and, when a key is
 * configured, an HMAC-SHA256 signature over (model name, version, SHA-256), so that write access to
 * the update topic alone cannot put weights into production.
 */
public final class ModelUpdates {

    private ModelUpdates() {}

    /**
     * An update carrying {@code checkpoint}, signed with {@code key} unless it is null or empty.
     *
     * @param validation the candidate's validation figures
     */
    public static ModelUpdate create(
            String modelName,
            long version,
            byte[] checkpoint,
            Map<String, Double> validation,
            byte[] key) {
        return create(modelName, "", version, checkpoint, validation, key);
    }

    /**
     * An update of one camera's or group's adaptation ({@code scope}; empty for every camera),
     * signed with {@code key} unless it is null or empty; the signature covers the scope, so an
     * update cannot be moved to another camera.
     *
     * @param checkpoint a checkpoint, or for a scope a scene delta
     */
    public static ModelUpdate create(
            String modelName,
            String scope,
            long version,
            byte[] checkpoint,
            Map<String, Double> validation,
            byte[] key) {
        String sha = ModelUpdateDeserializer.sha256(checkpoint);
        ModelUpdate.Builder b =
                ModelUpdate.newBuilder()
                        .setModelName(modelName)
                        .setVersion(version)
                        .setCheckpoint(ByteString.copyFrom(checkpoint))
                        .setSha256(sha)
                        .putAllValidation(validation)
                        .setScope(scope)
                        .setCreatedTimeUs(System.currentTimeMillis() * 1000);
        if (key != null && key.length > 0) {
            b.setSignature(ByteString.copyFrom(signature(modelName, scope, version, sha, key)));
        }
        return b.build();
    }

    /**
     * The model an update record is for, read without parsing or checking the rest (the checkpoint
     * bytes are skipped), so that a task can pass over other models' updates cheaply; null when the
     * record cannot be read that far (then {@link #verify} says why).
     */
    public static String modelNameOf(byte[] record) {
        return ProtoFields.lastString(record, ModelUpdate.MODEL_NAME_FIELD_NUMBER);
    }

    /**
     * The scope an update record is for (empty for every camera), read as {@link #modelNameOf}
     * reads the name; null when the record cannot be read that far.
     */
    public static String scopeOf(byte[] record) {
        return ProtoFields.lastString(record, ModelUpdate.SCOPE_FIELD_NUMBER);
    }

    /**
     * Parses and checks an update record: whole ({@link ModelUpdateDeserializer}) and, with a key,
     * signed by it.
     *
     * @param key the shared key; null or empty accepts unsigned updates
     * @throws BadRecordException naming what is wrong
     */
    public static ModelUpdate verify(byte[] record, byte[] key) {
        ModelUpdate u = new ModelUpdateDeserializer().deserialize(null, record);
        if (u == null) {
            throw new BadRecordException(
                    BadRecordException.Reason.MISSING_FIELD, "empty model update record");
        }
        if (key != null && key.length > 0) {
            if (u.getSignature().isEmpty()) {
                throw new BadRecordException(
                        BadRecordException.Reason.INTEGRITY,
                        "model update "
                                + u.getModelName()
                                + " v"
                                + u.getVersion()
                                + " is not signed, and updates must be");
            }
            byte[] expected =
                    signature(
                            u.getModelName(),
                            u.getScope(),
                            u.getVersion(),
                            u.getSha256().toLowerCase(Locale.ROOT),
                            key);
            if (!MessageDigest.isEqual(expected, u.getSignature().toByteArray())) {
                throw new BadRecordException(
                        BadRecordException.Reason.INTEGRITY,
                        "model update "
                                + u.getModelName()
                                + " v"
                                + u.getVersion()
                                + " has a signature that does not match the configured key");
            }
        }
        return u;
    }

    /** HMAC-SHA256 of {@code name \n version \n sha256} under {@code key}. */
    public static byte[] signature(String modelName, long version, String sha256, byte[] key) {
        return signature(modelName, "", version, sha256, key);
    }

    /**
     * HMAC-SHA256 of {@code name \n version \n sha256}, followed by {@code \n scope} for a scoped
     * update, under {@code key}.
     */
    public static byte[] signature(
            String modelName, String scope, long version, String sha256, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = modelName + "\n" + version + "\n" + sha256;
            if (!scope.isEmpty()) {
                signed += "\n" + scope;
            }
            return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e, e);
        }
    }
}
