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
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The spatial attention of multi-modal distillation (the reference's SABlock): {@code conv3x3(x) *
 * sigmoid(conv3x3'(x))}, both convolutions without bias.
 *
 * <p>Input (B, C, H, W); output (B, outChannels, H, W).
 */
public class SpatialAttention extends AbstractBlock {

    private final Block attention;
    private final Block conv;

    public SpatialAttention(int outChannels) {
        SequentialBlock a = new SequentialBlock();
        a.add(Layers.conv3x3(outChannels, 1, false)).add(Activation.sigmoidBlock());
        attention = addChildBlock("attention", a);
        conv = addChildBlock("conv", Layers.conv3x3(outChannels, 1, false));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray mask = attention.forward(ps, inputs, training).singletonOrThrow();
        NDArray features = conv.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(features.mul(mask));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        attention.initialize(manager, dataType, inputShapes);
        conv.initialize(manager, dataType, inputShapes);
    }
}
