package io.scenestream.model.numerics;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Compares oneDNN's float32 convolutions with libtorch's native ones on the same inputs, for the
 * channel counts MTI-Net's configurations use (multiples of 16 and not: 8, 13, 18, 24, 36, 72,
 * 144...), 3x3 and 1x1, strided and not. Both compute the same function; on a processor where
 * oneDNN's kernels are right they agree to float32 rounding (about 1e-6 of the output's scale).
 */
final class ConvolutionCheck {

    /** Largest disagreement accepted, relative to the largest output value. */
    static final double RELATIVE_TOLERANCE = 2e-4;

    /** One convolution: input channels, output channels, kernel size, stride. */
    private record Conv(int in, int out, int kernel, int stride) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d->%d %dx%d/%d", in, out, kernel, kernel, stride);
        }
    }

    private static final List<Conv> CONVS =
            List.of(
                    new Conv(3, 16, 3, 2),
                    new Conv(3, 64, 3, 2),
                    new Conv(8, 8, 3, 1),
                    new Conv(13, 13, 3, 1),
                    new Conv(16, 16, 3, 1),
                    new Conv(18, 18, 3, 1),
                    new Conv(18, 36, 3, 2),
                    new Conv(24, 24, 3, 1),
                    new Conv(36, 36, 3, 1),
                    new Conv(72, 72, 3, 1),
                    new Conv(144, 144, 3, 1),
                    new Conv(64, 18, 3, 1),
                    new Conv(270, 18, 1, 1),
                    new Conv(18, 13, 1, 1),
                    new Conv(36, 9, 1, 1),
                    new Conv(256, 64, 1, 1),
                    new Conv(8, 16, 3, 2),
                    new Conv(16, 24, 3, 2),
                    new Conv(24, 32, 3, 2),
                    new Conv(32, 32, 3, 1),
                    new Conv(80, 8, 1, 1),
                    new Conv(64, 64, 3, 1));

    /**
     * Batch and size of the inputs: oneDNN picks its kernels by shape, so each convolution runs on
     * a batch of 16 small maps (1x1 convolutions go to oneDNN even on one thread) and on a batch of
     * two of the size a 96x128 frame has at 1/4.
     */
    private static final int[][] INPUTS = {{16, 16, 20}, {2, 24, 32}};

    /** The worst disagreement found and where. */
    record Result(double relativeError, String where) {
        boolean agrees() {
            return relativeError <= RELATIVE_TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "largest difference %.2g of the output's scale at conv %s, tolerance %.0g",
                    relativeError,
                    where,
                    RELATIVE_TOLERANCE);
        }
    }

    private ConvolutionCheck() {}

    /**
     * Runs every convolution on every input shape with oneDNN on and off ({@code setOneDnn}),
     * leaving oneDNN on.
     */
    static Result run(Consumer<Boolean> setOneDnn) {
        SplittableRandom random = new SplittableRandom(20201);
        double worst = -1;
        String where = "";
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            for (int[] in : INPUTS) {
                for (Conv c : CONVS) {
                    NDArray x = gaussian(m, random, new Shape(in[0], c.in, in[1], in[2]), 1);
                    NDArray w =
                            gaussian(
                                    m,
                                    random,
                                    new Shape(c.out, c.in, c.kernel, c.kernel),
                                    1 / Math.sqrt((double) c.in * c.kernel * c.kernel));
                    NDArray b = gaussian(m, random, new Shape(c.out), 0.1);
                    Shape stride = new Shape(c.stride, c.stride);
                    Shape pad = new Shape(c.kernel / 2, c.kernel / 2);
                    Shape dilation = new Shape(1, 1);
                    setOneDnn.accept(true);
                    NDArray a = Conv2d.conv2d(x, w, b, stride, pad, dilation, 1).singletonOrThrow();
                    setOneDnn.accept(false);
                    NDArray n = Conv2d.conv2d(x, w, b, stride, pad, dilation, 1).singletonOrThrow();
                    double scale = Math.max(1e-6, n.abs().max().getFloat());
                    double diff = a.sub(n).abs().max().getFloat() / scale;
                    if (Double.isNaN(diff)) {
                        diff = Double.POSITIVE_INFINITY;
                    }
                    if (diff > worst) {
                        worst = diff;
                        where = c + " on " + in[0] + "x" + c.in + "x" + in[1] + "x" + in[2];
                    }
                }
            }
        } finally {
            setOneDnn.accept(true);
        }
        return new Result(worst, where);
    }

    private static NDArray gaussian(NDManager m, SplittableRandom random, Shape shape, double std) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (NumericsProbe.gaussian(random) * std);
        }
        return m.create(v, shape);
    }
}
