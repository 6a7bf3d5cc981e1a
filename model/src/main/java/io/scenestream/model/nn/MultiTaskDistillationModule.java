package io.scenestream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.scenestream.model.Task;
import java.util.Arrays;
import java.util.List;

/**
 * Multi-modal distillation at one scale: each final task's features receive, as a residual, the
 * {@link SpatialAttention}-gated features of every other auxiliary task.
 *
 * <p>Input: per auxiliary task the refined features of the scale (not the FPM output), each (B, C,
 * H, W). Output: per final task (B, C, H, W).
 */
public class MultiTaskDistillationModule extends AbstractBlock {

    private final List<Task> tasks;
    private final List<Task> auxiliaryTasks;

    /** attention[t][a]: from auxiliary task a into task t; null where a == t. */
    private final Block[][] attention;

    public MultiTaskDistillationModule(List<Task> tasks, List<Task> auxiliaryTasks, int channels) {
        this.tasks = List.copyOf(tasks);
        this.auxiliaryTasks = List.copyOf(auxiliaryTasks);
        attention = new Block[tasks.size()][auxiliaryTasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            for (int a = 0; a < auxiliaryTasks.size(); a++) {
                String tn = tasks.get(t).name();
                String an = auxiliaryTasks.get(a).name();
                if (!tn.equals(an)) {
                    attention[t][a] =
                            addChildBlock(
                                    "self_attention." + tn + "." + an,
                                    new SpatialAttention(channels));
                }
            }
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = new NDList(tasks.size());
        for (int t = 0; t < tasks.size(); t++) {
            NDArray y = inputs.get(auxiliaryTasks.indexOf(tasks.get(t)));
            for (int a = 0; a < auxiliaryTasks.size(); a++) {
                if (attention[t][a] != null) {
                    y =
                            y.add(
                                    attention[t][a]
                                            .forward(ps, new NDList(inputs.get(a)), training)
                                            .singletonOrThrow());
                }
            }
            out.add(y);
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[tasks.size()];
        Arrays.fill(out, inputShapes[0]);
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block[] row : attention) {
            for (int a = 0; a < row.length; a++) {
                if (row[a] != null) {
                    row[a].initialize(manager, dataType, inputShapes[a]);
                }
            }
        }
    }
}
