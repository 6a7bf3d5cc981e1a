package io.scenestream.model.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.scenestream.model.Task;
import io.scenestream.model.data.ImageNormalization;
import io.scenestream.model.data.Resize;
import io.scenestream.model.nn.Layers;
import io.scenestream.model.nn.MtiNet;
import java.util.ArrayList;
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
    private boolean closed;

    /**
     * @param net an initialised network in eval use
     * @param parent the manager holding the network's parameters
     * @param inputHeight model input rows, a multiple of 32
     * @param inputWidth model input columns, a multiple of 32
     * @param outputAtFrameSize whether predictions are resized back to each frame's own size
     *     (bilinear on logits and depth) or returned at the input resolution
     */
    public MtiNetPredictor(MtiNet net, NDManager parent, int inputHeight, int inputWidth, boolean outputAtFrameSize) {
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
            byte[] rgb = f.height() == inputHeight && f.width() == inputWidth
                    ? f.rgb()
                    : Resize.bilinearRgb(f.rgb(), f.height(), f.width(), inputHeight, inputWidth);
            ImageNormalization.toChw(rgb, pixels, input, i * 3 * pixels);
        }
        List<FramePrediction> out = new ArrayList<>(b);
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.create(input, new Shape(b, 3, inputHeight, inputWidth));
            NDList y = net.forward(new ParameterStore(m, false), new NDList(x), false);
            for (int i = 0; i < b; i++) {
                RgbFrame f = frames.get(i);
                int h = outputAtFrameSize ? f.height() : inputHeight;
                int w = outputAtFrameSize ? f.width() : inputWidth;
                float[] depth = null;
                byte[] classes = null;
                float[] confidence = null;
                if (depthIndex >= 0) {
                    NDArray d = Layers.resize(y.get(net.finalIndex(depthIndex)).get(i).expandDims(0), h, w);
                    depth = d.toFloatArray();
                }
                if (semsegIndex >= 0) {
                    NDArray logits = Layers.resize(y.get(net.finalIndex(semsegIndex)).get(i).expandDims(0), h, w);
                    NDArray prob = logits.softmax(1);
                    confidence = prob.max(new int[] {1}).toFloatArray();
                    classes = prob.argMax(1).toType(DataType.UINT8, false).toByteArray();
                }
                out.add(new FramePrediction(w, h, depth, classes, confidence));
            }
        }
        return out;
    }

    private void checkThread() {
        if (closed) {
            throw new IllegalStateException("predictor is closed");
        }
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException("an MtiNetPredictor belongs to thread " + owner.getName()
                    + "; create one per thread (called from " + current.getName() + ")");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
