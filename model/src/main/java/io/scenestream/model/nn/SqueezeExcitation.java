package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Squeeze-and-excitation: a per-channel gate computed from the global mean of the input, through
 * Linear(C, C/r), ReLU, Linear(C/r, C), sigmoid. Used per task inside the {@link
 * FeaturePropagationModule}.
 *
 * <p>Input and output (B, C, H, W).
 */
public class SqueezeExcitation extends AbstractBlock {

    private final int channels;
    private final Block squeeze;

    /**
     * @param channels C
     * @param reduction r (16 in the reference); C / r must be at least 1
     */
    public SqueezeExcitation(int channels, int reduction) {
        if (channels / reduction < 1) {
            throw new IllegalArgumentException(
                    "squeeze-excitation over "
                            + channels
                            + " channels with reduction "
                            + reduction
                            + " has no hidden unit");
        }
        this.channels = channels;
        SequentialBlock s = new SequentialBlock();
        s.add(Linear.builder().setUnits(channels / reduction).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(channels).build())
                .add(Activation.sigmoidBlock());
        squeeze = addChildBlock("squeeze", s);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long b = x.getShape().get(0);
        NDArray pooled = x.reshape(b, channels, -1).mean(new int[] {2});
        NDArray gate = squeeze.forward(ps, new NDList(pooled), training).singletonOrThrow();
        return new NDList(x.mul(gate.reshape(b, channels, 1, 1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        squeeze.initialize(manager, dataType, new Shape(inputShapes[0].get(0), channels));
    }
}
