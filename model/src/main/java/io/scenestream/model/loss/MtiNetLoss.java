package io.scenestream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.Layers;
import io.scenestream.model.nn.MtiNet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MTI-Net's multi-task loss: per task, the loss of the final output plus the loss of every scale's
 * initial prediction (deep supervision) upsampled bilinearly to the label size, each weighted by
 * the task's weight. Segmentation: cross-entropy, pixels labelled {@link #IGNORE} ignored. Depth:
 * L1 over valid pixels (finite and positive).
 *
 * <p>Labels: an {@link NDList} with one array per auxiliary task, in the configuration's order:
 * segmentation (B, H, W) or (B, 1, H, W) of class ids (any numeric type), depth (B, H, W) or (B, 1,
 * H, W) in metres. Partial annotation: a sample without a task's labels has that task's map filled
 * with the ignore value ({@link #IGNORE} for segmentation, 0 for depth) and so contributes nothing
 * to that task's terms; each term is the mean over the valid pixels of the whole batch, and zero
 * when the batch has none.
 *
 * <p>Predictions: the output of {@link MtiNet}.
 */
public class MtiNetLoss extends Loss {

    /** Segmentation label of pixels that carry no label. */
    public static final int IGNORE = 255;

    private final MtiNetConfig config;
    private final float[] weights;

    /** Equal weights for every task, as the reference's NYUD setting. */
    public MtiNetLoss(MtiNetConfig config) {
        this(config, Map.of());
    }

    /**
     * @param taskWeights weight per task name; tasks not listed weigh 1
     */
    public MtiNetLoss(MtiNetConfig config, Map<String, Float> taskWeights) {
        super("MtiNetLoss");
        this.config = config;
        List<Task> aux = config.auxiliaryTasks();
        weights = new float[aux.size()];
        for (int a = 0; a < aux.size(); a++) {
            weights[a] = taskWeights.getOrDefault(aux.get(a).name(), 1f);
        }
        for (String name : taskWeights.keySet()) {
            config.task(name);
        }
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = null;
        for (NDArray term : terms(labels, predictions).values()) {
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /**
     * Every weighted term of the loss, by name: {@code TASK} for a final output, {@code
     * scale_S_TASK} for deep supervision. Their sum is {@link #evaluate}.
     */
    public Map<String, NDArray> terms(NDList labels, NDList predictions) {
        List<Task> tasks = config.tasks();
        List<Task> aux = config.auxiliaryTasks();
        if (labels.size() != aux.size()) {
            throw new IllegalArgumentException(
                    "expected "
                            + aux.size()
                            + " label maps (one per task "
                            + names(aux)
                            + "), got "
                            + labels.size());
        }
        int expectedOutputs = tasks.size() + MtiNet.SCALES * aux.size();
        if (predictions.size() != expectedOutputs) {
            throw new IllegalArgumentException(
                    "expected " + expectedOutputs + " MTI-Net outputs, got " + predictions.size());
        }
        Map<String, NDArray> terms = new LinkedHashMap<>();
        for (int s = 0; s < MtiNet.SCALES; s++) {
            for (int a = 0; a < aux.size(); a++) {
                NDArray pred = predictions.get(tasks.size() + s * aux.size() + a);
                terms.put(
                        "scale_" + s + "_" + aux.get(a).name(),
                        term(aux.get(a), a, pred, labels.get(a)));
            }
        }
        for (int t = 0; t < tasks.size(); t++) {
            int a = aux.indexOf(tasks.get(t));
            terms.put(
                    tasks.get(t).name(), term(tasks.get(t), a, predictions.get(t), labels.get(a)));
        }
        return terms;
    }

    private NDArray term(Task task, int a, NDArray prediction, NDArray label) {
        NDArray y = label.getShape().dimension() == 3 ? label.expandDims(1) : label;
        Shape ls = y.getShape();
        NDArray p = Layers.resize(prediction, ls.get(2), ls.get(3));
        NDArray loss = task.kind() == Task.Kind.SEGMENTATION ? crossEntropy(p, y) : l1(p, y);
        return loss.mul(weights[a]);
    }

    /** Mean cross-entropy over pixels whose label is not {@link #IGNORE}; 0 if there are none. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray y = labels.getShape().dimension() == 3 ? labels.expandDims(1) : labels;
        NDArray classes = y.toType(DataType.INT64, false);
        NDArray valid = classes.neq(IGNORE);
        NDArray index = classes.mul(valid.toType(DataType.INT64, false));
        NDArray picked = logits.logSoftmax(1).gather(index, 1);
        NDArray mask = valid.toType(logits.getDataType(), false);
        return picked.mul(mask).sum().neg().div(mask.sum().maximum(1f));
    }

    /** Mean absolute error over pixels whose label is finite and positive; 0 if there are none. */
    public static NDArray l1(NDArray prediction, NDArray labels) {
        NDArray y = labels.getShape().dimension() == 3 ? labels.expandDims(1) : labels;
        NDArray target = y.toType(prediction.getDataType(), false);
        // NaN > 0 is false, so NaN labels are invalid too; replace them so that 0 * NaN cannot leak
        // in.
        NDArray valid = hasDepth(target);
        NDArray safeTarget = NDArrays.where(valid, target, target.zerosLike());
        NDArray mask = valid.toType(prediction.getDataType(), false);
        return prediction.sub(safeTarget).abs().mul(mask).sum().div(mask.sum().maximum(1f));
    }

    /** Where a depth map holds a depth: finite and positive (not 0, NaN or Inf). */
    public static NDArray hasDepth(NDArray depth) {
        return depth.gt(0f).logicalAnd(depth.isInfinite().logicalNot());
    }

    private static String names(List<Task> tasks) {
        return tasks.stream().map(Task::name).toList().toString();
    }
}
