package io.scenestream.kafka.flink;

/** A serialized {@code SelfTrainingRound} record and its key (the model name). A Flink POJO. */
public class SerializedRound {
    public String modelName;
    public byte[] payload;

    public SerializedRound() {}

    public SerializedRound(String modelName, byte[] payload) {
        this.modelName = modelName;
        this.payload = payload;
    }
}
