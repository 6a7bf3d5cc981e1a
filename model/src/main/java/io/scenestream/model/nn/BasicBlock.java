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
 * The residual block of two 3x3 convolutions (ResNet's BasicBlock), used by HRNet's branches and by
 * MTI-Net's refinement, feature propagation and distillation-free paths. A projection (1x1 conv +
 * BatchNorm) is added when the channel count or stride changes.
 *
 * <p>Input (B, inChannels, H, W); output (B, planes, H/stride, W/stride).
 */
public class BasicBlock extends AbstractBlock {

    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final Block downsample;

    /**
     * @param inChannels channels of the input
     * @param planes channels of the output
     * @param stride stride of the first convolution
     * @param bnMomentum PyTorch-style BatchNorm momentum
     */
    public BasicBlock(int inChannels, int planes, int stride, float bnMomentum) {
        this(inChannels, planes, stride, bnMomentum, stride != 1 || inChannels != planes);
    }

    /**
     * @param inChannels channels of the input
     * @param planes channels of the output
     * @param stride stride of the first convolution
     * @param bnMomentum PyTorch-style BatchNorm momentum
     * @param projection whether the residual path gets a 1x1 convolution + BatchNorm
     */
    public BasicBlock(
            int inChannels, int planes, int stride, float bnMomentum, boolean projection) {
        if (!projection && (stride != 1 || inChannels != planes)) {
            throw new IllegalArgumentException(
                    "a BasicBlock from "
                            + inChannels
                            + " to "
                            + planes
                            + " channels with stride "
                            + stride
                            + " needs a projection");
        }
        conv1 = addChildBlock("conv1", Layers.conv3x3(planes, stride, false));
        bn1 = addChildBlock("bn1", Layers.batchNorm(bnMomentum));
        conv2 = addChildBlock("conv2", Layers.conv3x3(planes, 1, false));
        bn2 = addChildBlock("bn2", Layers.batchNorm(bnMomentum));
        if (projection) {
            SequentialBlock proj = new SequentialBlock();
            proj.add(Layers.conv1x1(planes, stride, false)).add(Layers.batchNorm(bnMomentum));
            downsample = addChildBlock("downsample", proj);
        } else {
            downsample = null;
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList out = conv1.forward(ps, inputs, training);
        out = bn1.forward(ps, out, training);
        NDArray y = out.singletonOrThrow().getNDArrayInternal().relu();
        y =
                bn2.forward(ps, conv2.forward(ps, new NDList(y), training), training)
                        .singletonOrThrow();
        NDArray residual =
                downsample == null
                        ? x
                        : downsample.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(y.add(residual).getNDArrayInternal().relu());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return bn2.getOutputShapes(conv2.getOutputShapes(conv1.getOutputShapes(inputShapes)));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] mid = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, mid);
        conv2.initialize(manager, dataType, mid);
        bn2.initialize(manager, dataType, conv2.getOutputShapes(mid));
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }
}
