package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.numerics.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * MTI-Net (Vandenhende et al., ECCV 2020): an HRNet backbone, initial task predictions at four
 * scales linked coarse to fine by feature propagation, multi-modal distillation at every scale, and
 * per-task aggregation heads.
 *
 * <p>Input (B, 3, H, W), a normalised RGB batch, H and W multiples of 32. Output, in this fixed
 * order (see {@link #finalIndex} and {@link #deepSupervisionIndex}):
 *
 * <ol>
 *   <li>for each task: its final map (B, channels, H, W) — logits for segmentation, metres for
 *       depth;
 *   <li>for each scale s = 0..3 (1/4 .. 1/32 of the input), for each auxiliary task: the initial
 *       prediction (B, channels, H / 2^(s+2), W / 2^(s+2)), used for deep supervision.
 * </ol>
 */
public class MtiNet extends AbstractBlock {

    /** Number of scales of the backbone and of the decoder. */
    public static final int SCALES = 4;

    private final MtiNetConfig config;
    private final List<Task> tasks;
    private final List<Task> auxiliaryTasks;
    private final HrNetBackbone backbone;
    private final FeaturePropagationModule[] fpm = new FeaturePropagationModule[SCALES];
    private final InitialTaskPredictionModule[] scale = new InitialTaskPredictionModule[SCALES];
    private final MultiTaskDistillationModule[] distillation =
            new MultiTaskDistillationModule[SCALES];
    private final Block[] heads;

    public MtiNet(MtiNetConfig config) {
        // The process's convolution kernels are chosen (and checked) before the first network runs.
        Kernels.cpuPath();
        this.config = config;
        this.tasks = config.tasks();
        this.auxiliaryTasks = config.auxiliaryTasks();
        int[] c = config.backbone().widths();
        backbone = addChildBlock("backbone", new HrNetBackbone(config.backbone()));
        for (int s = SCALES - 1; s >= 1; s--) {
            fpm[s] =
                    addChildBlock(
                            "fpm_scale_" + s, new FeaturePropagationModule(auxiliaryTasks, c[s]));
        }
        for (int s = 0; s < SCALES; s++) {
            int in = s == SCALES - 1 ? c[s] : c[s] + c[s + 1];
            scale[s] =
                    addChildBlock(
                            "scale_" + s,
                            new InitialTaskPredictionModule(auxiliaryTasks, in, c[s]));
        }
        for (int s = 0; s < SCALES; s++) {
            distillation[s] =
                    addChildBlock(
                            "distillation_scale_" + s,
                            new MultiTaskDistillationModule(tasks, auxiliaryTasks, c[s]));
        }
        heads = new Block[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            heads[t] =
                    addChildBlock(
                            "heads." + tasks.get(t).name(),
                            new HighResolutionHead(c, tasks.get(t).channels()));
        }
    }

    /** The configuration this network was built from. */
    public MtiNetConfig getConfig() {
        return config;
    }

    /** Position in the output of the final map of task {@code t} (index into {@code tasks}). */
    public int finalIndex(int t) {
        return t;
    }

    /** Position in the output of the deep-supervision prediction of scale s, auxiliary task a. */
    public int deepSupervisionIndex(int s, int a) {
        return tasks.size() + s * auxiliaryTasks.size() + a;
    }

    /** Throws a clear error unless (B, 3, H, W) with H and W positive multiples of 32. */
    public static void checkInputShape(Shape s) {
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("MTI-Net takes (B, 3, H, W) images, got " + s);
        }
        if (s.get(2) <= 0 || s.get(3) <= 0 || s.get(2) % 32 != 0 || s.get(3) % 32 != 0) {
            throw new IllegalArgumentException(
                    "MTI-Net input height and width must be multiples of 32, got "
                            + s.get(2)
                            + "x"
                            + s.get(3));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray image = inputs.singletonOrThrow();
        Shape is = image.getShape();
        checkInputShape(is);
        int n = auxiliaryTasks.size();
        NDList features = backbone.forward(ps, inputs, training);

        // Initial task predictions, coarse to fine, linked by feature propagation.
        NDList[] initial = new NDList[SCALES];
        NDList propagated = null;
        for (int s = SCALES - 1; s >= 0; s--) {
            NDList in = new NDList(features.get(s));
            if (propagated != null) {
                in.addAll(propagated);
            }
            initial[s] = scale[s].forward(ps, in, training);
            if (s > 0) {
                propagated = fpm[s].forward(ps, initial[s].subNDList(0, n), training);
            }
        }

        // Multi-modal distillation per scale, then aggregation per task.
        NDList[] distilled = new NDList[SCALES];
        for (int s = 0; s < SCALES; s++) {
            distilled[s] = distillation[s].forward(ps, initial[s].subNDList(0, n), training);
        }
        NDList out = new NDList(tasks.size() + SCALES * n);
        for (int t = 0; t < tasks.size(); t++) {
            NDList multiScale = new NDList(SCALES);
            for (int s = 0; s < SCALES; s++) {
                multiScale.add(distilled[s].get(t));
            }
            NDArray y = heads[t].forward(ps, multiScale, training).singletonOrThrow();
            out.add(Layers.resize(y, is.get(2), is.get(3)));
        }
        for (int s = 0; s < SCALES; s++) {
            out.addAll(initial[s].subNDList(n, 2 * n));
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        int n = auxiliaryTasks.size();
        Shape[] out = new Shape[tasks.size() + SCALES * n];
        for (int t = 0; t < tasks.size(); t++) {
            out[t] = new Shape(in.get(0), tasks.get(t).channels(), in.get(2), in.get(3));
        }
        for (int s = 0; s < SCALES; s++) {
            long f = 4L << s;
            for (int a = 0; a < n; a++) {
                out[deepSupervisionIndex(s, a)] =
                        new Shape(
                                in.get(0),
                                auxiliaryTasks.get(a).channels(),
                                in.get(2) / f,
                                in.get(3) / f);
            }
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        int n = auxiliaryTasks.size();
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] features = backbone.getOutputShapes(inputShapes);
        Shape[][] initial = new Shape[SCALES][];
        Shape[] propagated = null;
        for (int s = SCALES - 1; s >= 0; s--) {
            Shape[] in = new Shape[1 + (propagated == null ? 0 : propagated.length)];
            in[0] = features[s];
            if (propagated != null) {
                System.arraycopy(propagated, 0, in, 1, propagated.length);
            }
            scale[s].initialize(manager, dataType, in);
            initial[s] = Arrays.copyOf(scale[s].getOutputShapes(in), n);
            if (s > 0) {
                fpm[s].initialize(manager, dataType, initial[s]);
                propagated = fpm[s].getOutputShapes(initial[s]);
            }
        }
        Shape[][] distilled = new Shape[SCALES][];
        for (int s = 0; s < SCALES; s++) {
            distillation[s].initialize(manager, dataType, initial[s]);
            distilled[s] = distillation[s].getOutputShapes(initial[s]);
        }
        for (int t = 0; t < tasks.size(); t++) {
            Shape[] multiScale = new Shape[SCALES];
            for (int s = 0; s < SCALES; s++) {
                multiScale[s] = distilled[s][t];
            }
            heads[t].initialize(manager, dataType, multiScale);
        }
    }
}
