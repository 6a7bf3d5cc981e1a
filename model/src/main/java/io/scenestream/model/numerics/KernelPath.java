package io.scenestream.model.numerics;

/** Which kernels compute a model's convolutions. */
public enum KernelPath {
    /** oneDNN's convolutions: libtorch's default on a CPU, and its fastest there. */
    ONEDNN("onednn", "oneDNN convolutions"),
    /** libtorch's own convolutions (im2col and matrix products), oneDNN off. */
    NATIVE("native", "libtorch's native convolutions, oneDNN off"),
    /** A GPU's kernels as libtorch picks them (cuDNN, TF32 allowed). */
    GPU("gpu", "the GPU's kernels, TF32 allowed"),
    /** A GPU's kernels in full float32 precision, TF32 off. */
    GPU_FP32("gpu-fp32", "the GPU's kernels, TF32 off");

    private final String id;
    private final String description;

    KernelPath(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The short name used in settings, logs and metrics. */
    public String id() {
        return id;
    }

    /** What the path computes with, in words. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return id;
    }
}
