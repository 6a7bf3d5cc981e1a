package io.scenestream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.scenestream.model.Task;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Initialises the prediction layers of a network trained from scratch: small weights (N(0, 0.01²)),
 * so that the first outputs are near their biases, and depth biases at a prior depth, so that depth
 * does not have to climb from 0 m at the optimiser's pace (Adam moves a bias by about the learning
 * rate per step). Segmentation biases start at 0 (uniform classes).
 */
public final class OutputInit {

    private OutputInit() {}

    /** Applies the initialisation; {@code depthPrior} in metres (e.g. a dataset's mean depth). */
    public static void apply(MtiNet net, float depthPrior, long seed) {
        Map<String, Parameter> params = StateDict.parameters(net);
        Random random = new Random(seed);
        List<Task> aux = net.getConfig().auxiliaryTasks();
        for (Task t : aux) {
            for (int s = 0; s < MtiNet.SCALES; s++) {
                init(params, "scale_" + s + ".decoders." + t.name(), t, depthPrior, random);
            }
        }
        for (Task t : net.getConfig().tasks()) {
            init(params, "heads." + t.name() + ".last_layer.3", t, depthPrior, random);
        }
    }

    private static void init(
            Map<String, Parameter> params, String layer, Task t, float depthPrior, Random random) {
        NDArray w = params.get(layer + ".weight").getArray();
        float[] values = new float[(int) w.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 0.01);
        }
        w.set(values);
        NDArray b = params.get(layer + ".bias").getArray();
        float[] bias = new float[(int) b.size()];
        Arrays.fill(bias, t.kind() == Task.Kind.DEPTH ? depthPrior : 0f);
        b.set(bias);
    }
}
