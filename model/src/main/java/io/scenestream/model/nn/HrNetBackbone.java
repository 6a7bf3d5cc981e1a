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
import java.util.Arrays;

/**
 * The HRNet backbone: a stride-4 stem, a Bottleneck stage, then three stages of {@link
 * HighResolutionModule}s that add a branch at half the resolution each, joined by transition
 * layers.
 *
 * <p>Input (B, 3, H, W) with H and W multiples of 32; output an {@link NDList} of four feature
 * maps, branch i of shape (B, widths[i], H / 2^(i+2), W / 2^(i+2)).
 */
public class HrNetBackbone extends AbstractBlock {

    private final HrNetConfig config;
    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final Block layer1;

    /** transitions[s][i]: into branch i of stage s+2; null where the branch passes through. */
    private final Block[][] transitions = new Block[3][];

    private final Block[] stages = new Block[3];

    public HrNetBackbone(HrNetConfig config) {
        this.config = config;
        int stem = config.stemChannels();
        conv1 = addChildBlock("conv1", Layers.conv3x3(stem, 2, false));
        bn1 = addChildBlock("bn1", Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));
        conv2 = addChildBlock("conv2", Layers.conv3x3(stem, 2, false));
        bn2 = addChildBlock("bn2", Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));

        SequentialBlock l1 = new SequentialBlock();
        int in = stem;
        for (int b = 0; b < config.stage1Blocks(); b++) {
            l1.add(new Bottleneck(in, config.stage1Planes(), 1, Layers.BACKBONE_BN_MOMENTUM));
            in = config.stage1Planes() * Bottleneck.EXPANSION;
        }
        layer1 = addChildBlock("layer1", l1);

        int[] widths = config.widths();
        int[] previous = {in};
        for (int s = 0; s < 3; s++) {
            int branches = s + 2;
            int[] current = Arrays.copyOf(widths, branches);
            transitions[s] = new Block[branches];
            for (int i = 0; i < branches; i++) {
                Block t = transition(previous, current, i);
                if (t != null) {
                    transitions[s][i] = addChildBlock("transition" + (s + 1) + "." + i, t);
                }
            }
            SequentialBlock stage = new SequentialBlock();
            for (int m = 0; m < config.modulesPerStage()[s]; m++) {
                stage.add(new HighResolutionModule(current, config.blocksPerBranch()));
            }
            stages[s] = addChildBlock("stage" + (s + 2), stage);
            previous = current;
        }
    }

    /** The reference's _make_transition_layer for one branch, or null for a pass-through. */
    private static Block transition(int[] previous, int[] current, int i) {
        if (i < previous.length) {
            if (previous[i] == current[i]) {
                return null;
            }
            SequentialBlock t = new SequentialBlock();
            t.add(Layers.conv3x3(current[i], 1, false))
                    .add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM))
                    .add(Layers.relu());
            return t;
        }
        SequentialBlock t = new SequentialBlock();
        int steps = i + 1 - previous.length;
        for (int j = 0; j < steps; j++) {
            int out = j == i - previous.length ? current[i] : previous[previous.length - 1];
            SequentialBlock step = new SequentialBlock();
            step.add(Layers.conv3x3(out, 2, false))
                    .add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM))
                    .add(Layers.relu());
            t.add(step);
        }
        return t;
    }

    /** The configuration this backbone was built from. */
    public HrNetConfig getConfig() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = bn1.forward(ps, conv1.forward(ps, inputs, training), training);
        x = new NDList(x.singletonOrThrow().getNDArrayInternal().relu());
        x = bn2.forward(ps, conv2.forward(ps, x, training), training);
        x = new NDList(x.singletonOrThrow().getNDArrayInternal().relu());
        NDList y = layer1.forward(ps, x, training);
        for (int s = 0; s < 3; s++) {
            NDList branchesIn = new NDList(s + 2);
            for (int i = 0; i < s + 2; i++) {
                // A new branch grows from the coarsest branch of the previous stage.
                NDArray src = y.get(Math.min(i, y.size() - 1));
                Block t = transitions[s][i];
                branchesIn.add(
                        t == null
                                ? src
                                : t.forward(ps, new NDList(src), training).singletonOrThrow());
            }
            y = stages[s].forward(ps, branchesIn, training);
        }
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        int[] widths = config.widths();
        Shape[] out = new Shape[4];
        for (int i = 0; i < 4; i++) {
            long f = 4L << i;
            out[i] = new Shape(in.get(0), widths[i], ceilDiv(in.get(2), f), ceilDiv(in.get(3), f));
        }
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] s = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, s);
        conv2.initialize(manager, dataType, s);
        s = conv2.getOutputShapes(s);
        bn2.initialize(manager, dataType, s);
        layer1.initialize(manager, dataType, s);
        Shape[] y = layer1.getOutputShapes(s);
        for (int st = 0; st < 3; st++) {
            Shape[] branchesIn = new Shape[st + 2];
            for (int i = 0; i < st + 2; i++) {
                Shape src = y[Math.min(i, y.length - 1)];
                Block t = transitions[st][i];
                if (t == null) {
                    branchesIn[i] = src;
                } else {
                    t.initialize(manager, dataType, src);
                    branchesIn[i] = t.getOutputShapes(new Shape[] {src})[0];
                }
            }
            stages[st].initialize(manager, dataType, branchesIn);
            y = stages[st].getOutputShapes(branchesIn);
        }
    }
}
