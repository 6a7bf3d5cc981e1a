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
 * One HRNet module: parallel branches of BasicBlocks, one per resolution, followed by the exchange
 * unit that fuses every branch into every other (strided 3x3 convolutions to go down, 1x1
 * convolution and bilinear upsampling to go up, summed, then ReLU).
 *
 * <p>Input and output: an {@link NDList} of {@code channels.length} tensors, branch i of shape (B,
 * channels[i], H / 2^i, W / 2^i).
 */
public class HighResolutionModule extends AbstractBlock {

    private final int[] channels;
    private final Block[] branches;

    /** fuse[i][j] brings branch j to branch i; null on the diagonal. */
    private final Block[][] fuse;

    /**
     * @param channels width of each branch (inputs already have these widths)
     * @param blocksPerBranch BasicBlocks in each branch
     */
    public HighResolutionModule(int[] channels, int blocksPerBranch) {
        this.channels = channels.clone();
        int n = channels.length;
        branches = new Block[n];
        for (int i = 0; i < n; i++) {
            SequentialBlock branch = new SequentialBlock();
            for (int b = 0; b < blocksPerBranch; b++) {
                branch.add(
                        new BasicBlock(channels[i], channels[i], 1, Layers.BACKBONE_BN_MOMENTUM));
            }
            branches[i] = addChildBlock("branches." + i, branch);
        }
        fuse = new Block[n][n];
        if (n > 1) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (j > i) {
                        SequentialBlock up = new SequentialBlock();
                        up.add(Layers.conv1x1(channels[i], false))
                                .add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));
                        fuse[i][j] = addChildBlock("fuse_layers." + i + "." + j, up);
                    } else if (j < i) {
                        SequentialBlock down = new SequentialBlock();
                        for (int k = 0; k < i - j; k++) {
                            SequentialBlock step = new SequentialBlock();
                            boolean last = k == i - j - 1;
                            step.add(Layers.conv3x3(last ? channels[i] : channels[j], 2, false))
                                    .add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));
                            if (!last) {
                                step.add(Layers.relu());
                            }
                            down.add(step);
                        }
                        fuse[i][j] = addChildBlock("fuse_layers." + i + "." + j, down);
                    }
                }
            }
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int n = channels.length;
        NDArray[] x = new NDArray[n];
        for (int i = 0; i < n; i++) {
            x[i] = branches[i].forward(ps, new NDList(inputs.get(i)), training).singletonOrThrow();
        }
        if (n == 1) {
            return new NDList(x[0]);
        }
        NDList out = new NDList(n);
        for (int i = 0; i < n; i++) {
            NDArray y = i == 0 ? x[0] : apply(ps, fuse[i][0], x[0], training);
            for (int j = 1; j < n; j++) {
                if (i == j) {
                    y = y.add(x[j]);
                } else if (j > i) {
                    y = y.add(Layers.resizeLike(apply(ps, fuse[i][j], x[j], training), x[i]));
                } else {
                    y = y.add(apply(ps, fuse[i][j], x[j], training));
                }
            }
            out.add(y.getNDArrayInternal().relu());
        }
        return out;
    }

    private static NDArray apply(ParameterStore ps, Block block, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[channels.length];
        for (int i = 0; i < channels.length; i++) {
            Shape s = inputShapes[i];
            out[i] = new Shape(s.get(0), channels[i], s.get(2), s.get(3));
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        int n = channels.length;
        Shape[] branchOut = new Shape[n];
        for (int i = 0; i < n; i++) {
            branches[i].initialize(manager, dataType, inputShapes[i]);
            branchOut[i] = branches[i].getOutputShapes(new Shape[] {inputShapes[i]})[0];
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (fuse[i][j] != null) {
                    fuse[i][j].initialize(manager, dataType, branchOut[j]);
                }
            }
        }
    }
}
