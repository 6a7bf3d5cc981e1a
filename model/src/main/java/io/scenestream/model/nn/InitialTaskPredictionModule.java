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
 * Initial task predictions at one scale. Per auxiliary task, the backbone features of the scale
 * (concatenated, below the coarsest scale, with the 2x-upsampled output of the coarser scale's
 * {@link FeaturePropagationModule} for that task) are refined by two BasicBlocks and decoded by a
 * 1x1 convolution into a prediction.
 *
 * <p>Input: {@code [backbone]} at the coarsest scale, else {@code [backbone, propagated_0, ...,
 * propagated_{N-1}]} with one propagated tensor per auxiliary task. Output: {@code [features_0,
 * ..., features_{N-1}, prediction_0, ..., prediction_{N-1}]}, features (B, taskChannels, h, w),
 * predictions (B, task channels, h, w).
 */
public class InitialTaskPredictionModule extends AbstractBlock {

    private final List<Task> tasks;
    private final int inputChannels;
    private final Block[] refinement;
    private final Block[] decoders;

    /**
     * @param tasks the auxiliary tasks, in order
     * @param inputChannels channels after concatenation (backbone + propagated)
     * @param taskChannels channels of the refined per-task features
     */
    public InitialTaskPredictionModule(List<Task> tasks, int inputChannels, int taskChannels) {
        this.tasks = List.copyOf(tasks);
        this.inputChannels = inputChannels;
        refinement = new Block[tasks.size()];
        decoders = new Block[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            SequentialBlock r = new SequentialBlock();
            r.add(new BasicBlock(inputChannels, taskChannels, 1, Layers.HEAD_BN_MOMENTUM))
                    .add(new BasicBlock(taskChannels, taskChannels, 1, Layers.HEAD_BN_MOMENTUM));
            refinement[i] = addChildBlock("refinement." + t.name(), r);
        }
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            decoders[i] = addChildBlock("decoders." + t.name(), Layers.conv1x1(t.channels(), true));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int n = tasks.size();
        NDArray current = inputs.get(0);
        boolean propagated = inputs.size() > 1;
        if (propagated && inputs.size() != n + 1) {
            throw new IllegalArgumentException(
                    "expected backbone features and "
                            + n
                            + " propagated tensors, got "
                            + inputs.size());
        }
        Shape cs = current.getShape();
        NDArray[] features = new NDArray[n];
        NDArray[] predictions = new NDArray[n];
        for (int i = 0; i < n; i++) {
            NDArray x = current;
            if (propagated) {
                NDArray up = Layers.resize(inputs.get(i + 1), cs.get(2), cs.get(3));
                x = NDArrays.concat(new NDList(current, up), 1);
            }
            features[i] = refinement[i].forward(ps, new NDList(x), training).singletonOrThrow();
            predictions[i] =
                    decoders[i].forward(ps, new NDList(features[i]), training).singletonOrThrow();
        }
        NDList out = new NDList(2 * n);
        out.addAll(new NDList(features));
        out.addAll(new NDList(predictions));
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in =
                new Shape(
                        inputShapes[0].get(0),
                        inputChannels,
                        inputShapes[0].get(2),
                        inputShapes[0].get(3));
        int n = tasks.size();
        Shape[] out = new Shape[2 * n];
        for (int i = 0; i < n; i++) {
            out[i] = refinement[i].getOutputShapes(new Shape[] {in})[0];
            out[n + i] = decoders[i].getOutputShapes(new Shape[] {out[i]})[0];
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in =
                new Shape(
                        inputShapes[0].get(0),
                        inputChannels,
                        inputShapes[0].get(2),
                        inputShapes[0].get(3));
        for (int i = 0; i < tasks.size(); i++) {
            refinement[i].initialize(manager, dataType, in);
            decoders[i].initialize(
                    manager, dataType, refinement[i].getOutputShapes(new Shape[] {in}));
        }
    }
}
