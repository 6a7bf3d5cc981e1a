package io.scenestream.model.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.Resize;
import io.scenestream.frames.RgbFrame;
import io.scenestream.model.Task;
import io.scenestream.model.data.ImageNormalization;
import io.scenestream.model.nn.Layers;
import io.scenestream.model.nn.MtiNet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched MTI-Net inference on RGB frames: each frame is resized to the model's input resolution
 * and normalised, the batch runs in eval mode, and per frame come back depth in metres, class ids
 * and the per-pixel confidence (maximum softmax probability).
 *
 * <p>One predictor per thread: it is bound to the first thread that calls {@link #predict} and
 * refuses others (libtorch keeps autograd mode per thread). Predictors of one network share its
 * parameters, read-only. No NDArray outlives a call: each batch runs in a sub-manager of the
 * network's manager that is closed before {@code predict} returns.
 */
public final class MtiNetPredictor implements AutoCloseable {

    private final MtiNet net;
    private final NDManager parent;
    private final int inputHeight;
    private final int inputWidth;
    private final boolean outputAtFrameSize;
    private final int semsegIndex;
    private final int depthIndex;
    private Thread owner;
    private ByteBuffer staging;
    private boolean closed;

    /**
     * @param net an initialised network in eval use
     * @param parent the manager holding the network's parameters
     * @param inputHeight model input rows, a multiple of 32
     * @param inputWidth model input columns, a multiple of 32
     * @param outputAtFrameSize whether predictions are resized back to each frame's own size
     *     (bilinear on logits and depth) or returned at the input resolution
     */
    public MtiNetPredictor(
            MtiNet net,
            NDManager parent,
            int inputHeight,
            int inputWidth,
            boolean outputAtFrameSize) {
        MtiNet.checkInputShape(new Shape(1, 3, inputHeight, inputWidth));
        this.net = net;
        this.parent = parent;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.outputAtFrameSize = outputAtFrameSize;
        List<Task> tasks = net.getConfig().tasks();
        int s = -1;
        int d = -1;
        for (int t = 0; t < tasks.size(); t++) {
            if (tasks.get(t).kind() == Task.Kind.SEGMENTATION && s < 0) {
                s = t;
            } else if (tasks.get(t).kind() == Task.Kind.DEPTH && d < 0) {
                d = t;
            }
        }
        if (s >= 0 && tasks.get(s).channels() > 256) {
            throw new IllegalArgumentException("class ids are bytes: at most 256 classes");
        }
        semsegIndex = s;
        depthIndex = d;
    }

    /** Predicts every frame of the batch; frames may differ in size. */
    public List<FramePrediction> predict(List<RgbFrame> frames) {
        checkThread();
        if (frames.isEmpty()) {
            return List.of();
        }
        Engines.disableGradients();
        int b = frames.size();
        int pixels = inputHeight * inputWidth;
        float[] input = new float[b * 3 * pixels];
        for (int i = 0; i < b; i++) {
            RgbFrame f = frames.get(i);
            byte[] rgb =
                    f.height() == inputHeight && f.width() == inputWidth
                            ? f.rgb()
                            : Resize.bilinearRgb(
                                    f.rgb(), f.height(), f.width(), inputHeight, inputWidth);
            ImageNormalization.toChw(rgb, pixels, input, i * 3 * pixels);
        }
        List<FramePrediction> out = new ArrayList<>(b);
        try (NDManager m = parent.newSubManager()) {
            NDArray x =
                    m.create(
                            staged(input),
                            new Shape(b, 3, inputHeight, inputWidth),
                            DataType.FLOAT32);
            NDList y = net.forward(new ParameterStore(m, false), new NDList(x), false);
            NDArray depthAll = depthIndex >= 0 ? y.get(net.finalIndex(depthIndex)) : null;
            NDArray logitsAll = semsegIndex >= 0 ? y.get(net.finalIndex(semsegIndex)) : null;
            if (!outputAtFrameSize || sameSize(frames)) {
                // The whole batch at once: one resize, one reduction per map, one copy out.
                int h = outputAtFrameSize ? frames.get(0).height() : inputHeight;
                int w = outputAtFrameSize ? frames.get(0).width() : inputWidth;
                Maps maps = maps(depthAll, logitsAll, h, w);
                int n = h * w;
                for (int i = 0; i < b; i++) {
                    out.add(
                            new FramePrediction(
                                    w,
                                    h,
                                    maps.depth == null
                                            ? null
                                            : Arrays.copyOfRange(maps.depth, i * n, (i + 1) * n),
                                    maps.classes == null
                                            ? null
                                            : Arrays.copyOfRange(maps.classes, i * n, (i + 1) * n),
                                    maps.confidence == null
                                            ? null
                                            : Arrays.copyOfRange(
                                                    maps.confidence, i * n, (i + 1) * n)));
                }
            } else {
                for (int i = 0; i < b; i++) {
                    RgbFrame f = frames.get(i);
                    Maps maps =
                            maps(
                                    depthAll == null ? null : depthAll.get(i).expandDims(0),
                                    logitsAll == null ? null : logitsAll.get(i).expandDims(0),
                                    f.height(),
                                    f.width());
                    out.add(
                            new FramePrediction(
                                    f.width(),
                                    f.height(),
                                    maps.depth,
                                    maps.classes,
                                    maps.confidence));
                }
            }
        }
        return out;
    }

    private record Maps(float[] depth, byte[] classes, float[] confidence) {}

    /**
     * Depth, classes and confidence of a batch at {@code h x w}. The confidence is the largest
     * softmax probability, computed as {@code 1 / sum(exp(logit - max logit))}: the same value
     * without dividing every class's map.
     */
    private static Maps maps(NDArray depth, NDArray logits, int h, int w) {
        float[] d = depth == null ? null : Layers.resize(depth, h, w).toFloatArray();
        byte[] classes = null;
        float[] confidence = null;
        if (logits != null) {
            NDArray l = Layers.resize(logits, h, w);
            NDArray max = l.max(new int[] {1}, true);
            confidence = l.sub(max).exp().sum(new int[] {1}).pow(-1f).toFloatArray();
            classes = l.argMax(1).toType(DataType.UINT8, false).toByteArray();
        }
        return new Maps(d, classes, confidence);
    }

    /**
     * {@code input} in this predictor's own direct buffer, grown when a larger batch comes and
     * reused after. libtorch needs native memory; handed a heap array, DJL allocates a new direct
     * buffer for every batch, which the JVM frees only when a garbage collection finds it: with a
     * large heap that is seldom, and a stream's resident memory grew by gigabytes.
     */
    private ByteBuffer staged(float[] input) {
        int bytes = input.length * Float.BYTES;
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        staging.clear();
        staging.asFloatBuffer().put(input);
        staging.limit(bytes);
        return staging;
    }

    private static boolean sameSize(List<RgbFrame> frames) {
        for (RgbFrame f : frames) {
            if (f.width() != frames.get(0).width() || f.height() != frames.get(0).height()) {
                return false;
            }
        }
        return true;
    }

    private void checkThread() {
        if (closed) {
            throw new IllegalStateException("predictor is closed");
        }
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException(
                    "an MtiNetPredictor belongs to thread "
                            + owner.getName()
                            + "; create one per thread (called from "
                            + current.getName()
                            + ")");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
