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

/**
 * HRNet's aggregation head: the four scales' features, upsampled to the finest, are concatenated
 * and decoded by 1x1 conv, BatchNorm, ReLU, 1x1 conv.
 *
 * <p>Input: four tensors (B, C_i, H / 2^i, W / 2^i). Output (B, numOutputs, H, W), at the finest
 * scale's resolution (a quarter of the image's).
 */
public class HighResolutionHead extends AbstractBlock {

    private final int inChannels;
    private final Block lastLayer;

    public HighResolutionHead(int[] scaleChannels, int numOutputs) {
        int sum = 0;
        for (int c : scaleChannels) {
            sum += c;
        }
        inChannels = sum;
        SequentialBlock l = new SequentialBlock();
        l.add(Layers.conv1x1(sum, true))
                .add(Layers.batchNorm(Layers.HEAD_BN_MOMENTUM))
                .add(Layers.relu())
                .add(Layers.conv1x1(numOutputs, true));
        lastLayer = addChildBlock("last_layer", l);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x0 = inputs.get(0);
        NDList all = new NDList(inputs.size());
        all.add(x0);
        for (int i = 1; i < inputs.size(); i++) {
            all.add(Layers.resizeLike(inputs.get(i), x0));
        }
        return lastLayer.forward(ps, new NDList(NDArrays.concat(all, 1)), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return lastLayer.getOutputShapes(new Shape[] {concatShape(inputShapes[0])});
    }

    private Shape concatShape(Shape s0) {
        return new Shape(s0.get(0), inChannels, s0.get(2), s0.get(3));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        lastLayer.initialize(manager, dataType, concatShape(inputShapes[0]));
    }
}
