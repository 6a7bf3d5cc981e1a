package io.scenestream.kafka.flink;

/**
 * A serialized {@code ModelUpdate} record and what its key is made of (the model name, and the
 * camera or group of a scoped update). A Flink POJO.
 */
public class SerializedModelUpdate {
    public String modelName;

    /** The camera or group the update is for; empty for every camera. */
    public String scope = "";

    public long version;
    public byte[] payload;

    public SerializedModelUpdate() {}

    public SerializedModelUpdate(String modelName, long version, byte[] payload) {
        this(modelName, "", version, payload);
    }

    public SerializedModelUpdate(String modelName, String scope, long version, byte[] payload) {
        this.modelName = modelName;
        this.scope = scope;
        this.version = version;
        this.payload = payload;
    }

    /**
     * The record key: the model name, and {@code /scope} for a scoped update, so that a compacted
     * topic keeps each camera's latest as well as the fleet's.
     */
    public String key() {
        return scope == null || scope.isEmpty() ? modelName : modelName + "/" + scope;
    }
}
