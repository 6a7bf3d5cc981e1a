package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.scenestream.model.Task;
import java.util.List;

/**
 * The feature propagation module (FPM): distils the per-task features of a scale into a shared
 * representation that is propagated to the next finer scale. A non-linear function of the
 * concatenated task features gives, per channel and pixel, a softmax over tasks that weights the
 * task features; the weighted features are reduced to one task's width and handed to each task
 * through its own {@link SqueezeExcitation}, added to that task's features.
 *
 * <p>Input: per auxiliary task the refined features, each (B, C, H, W). Output: per auxiliary task
 * (B, C, H, W).
 */
public class FeaturePropagationModule extends AbstractBlock {

    private static final int SE_REDUCTION = 16;

    private final List<Task> tasks;
    private final int channels;
    private final Block nonLinear;
    private final Block dimensionalityReduction;
    private final Block[] se;

    /**
     * @param tasks the auxiliary tasks, in order
     * @param perTaskChannels C, the width of each task's features
     */
    public FeaturePropagationModule(List<Task> tasks, int perTaskChannels) {
        this.tasks = List.copyOf(tasks);
        this.channels = perTaskChannels;
        int shared = tasks.size() * perTaskChannels;
        SequentialBlock f = new SequentialBlock();
        f.add(new BasicBlock(shared, shared / 4, 1, Layers.HEAD_BN_MOMENTUM, true))
                .add(new BasicBlock(shared / 4, shared / 4, 1, Layers.HEAD_BN_MOMENTUM))
                .add(Layers.conv1x1(shared, true));
        nonLinear = addChildBlock("non_linear", f);
        dimensionalityReduction =
                addChildBlock(
                        "dimensionality_reduction",
                        new BasicBlock(shared, perTaskChannels, 1, Layers.HEAD_BN_MOMENTUM, true));
        se = new Block[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            se[i] =
                    addChildBlock(
                            "se." + tasks.get(i).name(),
                            new SqueezeExcitation(perTaskChannels, SE_REDUCTION));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int n = tasks.size();
        NDArray concat = NDArrays.concat(inputs, 1);
        Shape s = concat.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray shared = nonLinear.forward(ps, new NDList(concat), training).singletonOrThrow();
        // The reference views (B, N*C, H, W) row-major as (B, C, N, H, W): the softmax runs over
        // groups of N adjacent channels, which is what it learnt with.
        NDArray mask = shared.reshape(b, channels, n, h, w).softmax(2);
        NDArray weighted =
                mask.mul(concat.reshape(b, channels, n, h, w))
                        .reshape(b, (long) n * channels, h, w);
        NDArray reduced =
                dimensionalityReduction
                        .forward(ps, new NDList(weighted), training)
                        .singletonOrThrow();
        NDList out = new NDList(n);
        for (int i = 0; i < n; i++) {
            out.add(
                    se[i].forward(ps, new NDList(reduced), training)
                            .singletonOrThrow()
                            .add(inputs.get(i)));
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape one = inputShapes[0];
        Shape concat =
                new Shape(one.get(0), (long) tasks.size() * channels, one.get(2), one.get(3));
        nonLinear.initialize(manager, dataType, concat);
        dimensionalityReduction.initialize(manager, dataType, concat);
        for (Block b : se) {
            b.initialize(manager, dataType, one);
        }
    }
}
