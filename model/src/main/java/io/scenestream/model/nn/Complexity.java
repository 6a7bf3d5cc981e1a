package io.scenestream.model.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;

/**
 * Multiply-accumulate count of a network at a given input size: every convolution and linear layer,
 * as the usual GMAC figures of vision papers (BatchNorm, activations and resizing are not counted).
 */
public final class Complexity {

    private Complexity() {}

    /**
     * MACs of one forward pass of one image of {@code height x width}. Re-initialises {@code net}'s
     * recorded input shapes at that size (parameters are untouched).
     *
     * @param net an initialised network
     * @param manager the manager the network was initialised with
     */
    public static long macsPerFrame(Block net, NDManager manager, int height, int width) {
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width));
        return macs(net);
    }

    private static long macs(Block block) {
        long total = 0;
        if (block instanceof Convolution || block instanceof Linear) {
            Shape in = block.describeInput().get(0).getValue();
            Shape out = block.getOutputShapes(new Shape[] {in})[0];
            Parameter weight = block.getParameters().get("weight");
            Shape w = weight.getArray().getShape();
            if (block instanceof Linear) {
                // weight (out, in); every input row is one matrix-vector product
                total += out.size() * w.get(1);
            } else {
                // weight (out, in / groups, kh, kw)
                total += out.size() * w.size() / w.get(0);
            }
        }
        for (Pair<String, Block> child : block.getChildren()) {
            total += macs(child.getValue());
        }
        return total;
    }
}
