package io.scenestream.operators;

/**
 * A prediction as the inference operator makes it, before its maps are encoded: depth in
 * millimetres (0 = none) and class ids, row-major at {@code width x height}. A Flink POJO.
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
    public int width;
    public int height;
    /** Depth in millimetres, 0 where there is none; null if the model has no depth task. */
    public short[] depthMm;
    /** Class ids; null if the model has no segmentation task. */
    public byte[] classes;
    public float meanConfidence;
    public float confidentShare;
    public float confidenceThreshold;

    public RawPrediction() {}
}
