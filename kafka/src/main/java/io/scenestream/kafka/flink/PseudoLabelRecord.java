package io.scenestream.kafka.flink;

/** A serialized {@code PseudoLabel} record and its key. A Flink POJO. */
public class PseudoLabelRecord {
    public String cameraId;
    public byte[] payload;

    public PseudoLabelRecord() {}

    public PseudoLabelRecord(String cameraId, byte[] payload) {
        this.cameraId = cameraId;
        this.payload = payload;
    }
}
