package io.scenestream.operators;

/**
 * A prediction as the inference operator makes it, its maps already encoded ({@link
 * io.scenestream.kafka.serde.PredictionMaps}): depth as a 16-bit PNG in millimetres (0 = none) and
 * class ids as an 8-bit PNG, at {@code width x height}. A Flink POJO.
 */
public class RawPrediction {
    public String cameraId;
    public long sequence;
    public long captureTimeUs;
    public long decodeStartUs;
    public float decodeMs;
    public float inferenceMs;
    public String modelName;
    public long modelVersion;

    /** The camera or group the camera adapts as; empty for the fleet's model. */
    public String scope = "";

    public int width;
    public int height;

    /**
     * Depth as a 16-bit PNG in millimetres, 0 where there is none; null if the model has no depth
     * task.
     */
    public byte[] depthPng;

    /** Class ids as an 8-bit PNG; null if the model has no segmentation task. */
    public byte[] segmentationPng;

    public float meanConfidence;
    public float confidentShare;
    public float confidenceThreshold;

    public RawPrediction() {}
}
