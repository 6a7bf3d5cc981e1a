package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/**
 * The few layer factories and tensor operations every MTI-Net module shares, with the reference's
 * conventions fixed in one place: BatchNorm eps 1e-5, PyTorch-style momentum, bilinear resizing
 * with half-pixel centres ({@code align_corners=False}).
 */
public final class Layers {

    /** PyTorch momentum of BatchNorm inside the HRNet backbone. */
    public static final float BACKBONE_BN_MOMENTUM = 0.01f;

    /** PyTorch momentum of BatchNorm in the MTI modules and heads (PyTorch's default). */
    public static final float HEAD_BN_MOMENTUM = 0.1f;

    private static final float BN_EPS = 1e-5f;

    /** DJL's interpolation code for bilinear (the PyTorch engine maps it to kBilinear). */
    private static final int BILINEAR = 1;

    private Layers() {}

    /** A 3x3 convolution with padding 1. */
    public static Conv2d conv3x3(int out, int stride, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(out)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(1, 1))
                .optBias(bias)
                .build();
    }

    /** A 1x1 convolution with stride 1. */
    public static Conv2d conv1x1(int out, boolean bias) {
        return conv1x1(out, 1, bias);
    }

    /** A 1x1 convolution. */
    public static Conv2d conv1x1(int out, int stride, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(out)
                .optStride(new Shape(stride, stride))
                .optBias(bias)
                .build();
    }

    /**
     * BatchNorm over the channel axis.
     *
     * @param torchMomentum momentum as PyTorch defines it (weight of the new batch statistic); DJL
     *     defines it as the weight of the running value, so it is stored as the complement
     */
    public static BatchNorm batchNorm(float torchMomentum) {
        return BatchNorm.builder().optEpsilon(BN_EPS).optMomentum(1f - torchMomentum).build();
    }

    /** A parameter-free ReLU block. */
    public static Block relu() {
        return Activation.reluBlock();
    }

    /**
     * Bilinear resize of an NCHW tensor to {@code height x width}, {@code align_corners=False}, as
     * PyTorch's {@code F.interpolate(x, size, mode='bilinear')}. Differentiable.
     */
    public static NDArray resize(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (s.get(2) == height && s.get(3) == width) {
            return x;
        }
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }

    /** Resize {@code x} to the spatial size of {@code like}. */
    public static NDArray resizeLike(NDArray x, NDArray like) {
        Shape s = like.getShape();
        return resize(x, s.get(2), s.get(3));
    }

    /** Output shape of a convolution with kernel k, padding p, stride s on a spatial size. */
    static long convOut(long size, int kernel, int padding, int stride) {
        return (size + 2L * padding - kernel) / stride + 1;
    }
}
