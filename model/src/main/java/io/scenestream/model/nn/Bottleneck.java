package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
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
 * ResNet's bottleneck residual block (1x1, 3x3, 1x1 convolutions, expansion 4), the block of
 * HRNet's first stage.
 *
 * <p>Input (B, inChannels, H, W); output (B, 4 * planes, H/stride, W/stride).
 */
public class Bottleneck extends AbstractBlock {

    /** Output channels are {@code EXPANSION * planes}. */
    public static final int EXPANSION = 4;

    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final Block conv3;
    private final Block bn3;
    private final Block downsample;

    /**
     * @param inChannels channels of the input
     * @param planes width of the inner convolutions
     * @param stride stride of the 3x3 convolution
     * @param bnMomentum PyTorch-style BatchNorm momentum
     */
    public Bottleneck(int inChannels, int planes, int stride, float bnMomentum) {
        conv1 = addChildBlock("conv1", Layers.conv1x1(planes, false));
        bn1 = addChildBlock("bn1", Layers.batchNorm(bnMomentum));
        conv2 = addChildBlock("conv2", Layers.conv3x3(planes, stride, false));
        bn2 = addChildBlock("bn2", Layers.batchNorm(bnMomentum));
        conv3 = addChildBlock("conv3", Layers.conv1x1(planes * EXPANSION, false));
        bn3 = addChildBlock("bn3", Layers.batchNorm(bnMomentum));
        if (stride != 1 || inChannels != planes * EXPANSION) {
            SequentialBlock proj = new SequentialBlock();
            proj.add(Layers.conv1x1(planes * EXPANSION, stride, false))
                    .add(Layers.batchNorm(bnMomentum));
            downsample = addChildBlock("downsample", proj);
        } else {
            downsample = null;
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList y = bn1.forward(ps, conv1.forward(ps, inputs, training), training);
        y = new NDList(y.singletonOrThrow().getNDArrayInternal().relu());
        y = bn2.forward(ps, conv2.forward(ps, y, training), training);
        y = new NDList(y.singletonOrThrow().getNDArrayInternal().relu());
        NDArray out = bn3.forward(ps, conv3.forward(ps, y, training), training).singletonOrThrow();
        NDArray residual =
                downsample == null
                        ? x
                        : downsample.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(out.add(residual).getNDArrayInternal().relu());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv3.getOutputShapes(conv2.getOutputShapes(conv1.getOutputShapes(inputShapes)));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] s1 = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, s1);
        conv2.initialize(manager, dataType, s1);
        Shape[] s2 = conv2.getOutputShapes(s1);
        bn2.initialize(manager, dataType, s2);
        conv3.initialize(manager, dataType, s2);
        bn3.initialize(manager, dataType, conv3.getOutputShapes(s2));
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }
}
