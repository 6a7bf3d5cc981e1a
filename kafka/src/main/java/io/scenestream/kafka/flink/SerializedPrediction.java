package io.scenestream.kafka.flink;

/**
 * A prediction record ready for Kafka: the camera (the record key) and the Protocol Buffers bytes.
 * A Flink POJO.
 */
public class SerializedPrediction {
    public String cameraId;
    public long sequence;
    public long modelVersion;
    public byte[] payload;

    public SerializedPrediction() {}

    public SerializedPrediction(String cameraId, long sequence, long modelVersion, byte[] payload) {
        this.cameraId = cameraId;
        this.sequence = sequence;
        this.modelVersion = modelVersion;
        this.payload = payload;
    }
}
