package io.scenestream.kafka.flink;

/** A serialized {@code ModelUpdate} record and its key (the model name). A Flink POJO. */
public class SerializedModelUpdate {
    public String modelName;
    public long version;
    public byte[] payload;

    public SerializedModelUpdate() {}

    public SerializedModelUpdate(String modelName, long version, byte[] payload) {
        this.modelName = modelName;
        this.version = version;
        this.payload = payload;
    }
}
