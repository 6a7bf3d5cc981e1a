package io.scenestream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.Layers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Knowledge distillation from a frozen teacher MTI-Net into a student trained on the same frames
 * (Hinton, Vinyals and Dean, 2015), added to {@link MtiNetLoss}. On the final outputs, at the
 * student's output size:
 *
 * <ul>
 *   <li>segmentation, every pixel: the Kullback-Leibler divergence from the teacher's class
 *       distribution to the student's, both softened by the temperature T, times T² (so that its
 *       gradients keep their size as T changes);
 *   <li>depth, the pixels whose label has no depth (a real frame's holes, a frame labelled for
 *       segmentation only): the L1 distance to the teacher's depth. Where the label has depth, the
 *       label alone teaches.
 * </ul>
 *
 * <p>The teacher's outputs are targets: no gradient flows into them.
 */
public final class DistillationLoss {

    private final MtiNetConfig student;
    private final float weight;
    private final float temperature;

    /**
     * @param student the student's architecture (its final tasks are distilled)
     * @param teacher the teacher's: the same final tasks, in the same order, of the same sizes
     * @param weight weight of every distillation term
     * @param temperature softening of the class distributions, at least 1
     */
    public DistillationLoss(
            MtiNetConfig student, MtiNetConfig teacher, float weight, float temperature) {
        if (!student.tasks().equals(teacher.tasks())) {
            throw new IllegalArgumentException(
                    "the teacher predicts "
                            + teacher.tasks()
                            + " but the student "
                            + student.tasks()
                            + ": distillation needs the same tasks, classes and order");
        }
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new IllegalArgumentException(
                    "distillation weight must be positive, not " + weight);
        }
        if (!(temperature >= 1) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException(
                    "distillation temperature must be at least 1, not " + temperature);
        }
        this.student = student;
        this.weight = weight;
        this.temperature = temperature;
    }

    /**
     * The weighted distillation terms, by name {@code distil_TASK}.
     *
     * @param labels the batch's labels, one map per auxiliary task (as {@link MtiNetLoss} takes)
     * @param teacher the teacher's outputs on the batch (its final outputs first, as {@link
     *     io.scenestream.model.nn.MtiNet} returns them)
     * @param predictions the student's outputs
     */
    public Map<String, NDArray> terms(NDList labels, NDList teacher, NDList predictions) {
        List<Task> tasks = student.tasks();
        List<Task> aux = student.auxiliaryTasks();
        if (teacher.size() < tasks.size() || predictions.size() < tasks.size()) {
            throw new IllegalArgumentException(
                    "expected at least " + tasks.size() + " outputs of teacher and student");
        }
        Map<String, NDArray> terms = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            NDArray p = predictions.get(t);
            Shape ps = p.getShape();
            NDArray target =
                    Layers.resize(teacher.get(t), ps.get(2), ps.get(3))
                            .toType(p.getDataType(), false)
                            .stopGradient();
            Task task = tasks.get(t);
            NDArray term =
                    task.kind() == Task.Kind.SEGMENTATION
                            ? softKl(p, target, temperature)
                            : depthWhereUnlabelled(p, target, labels.get(aux.indexOf(task)));
            terms.put("distil_" + task.name(), term.mul(weight));
        }
        return terms;
    }

    /**
     * Mean over pixels of KL(softmax(teacher / T) || softmax(student / T)), times T².
     *
     * @param student logits (B, C, H, W)
     * @param teacher logits of the same shape
     */
    public static NDArray softKl(NDArray student, NDArray teacher, float temperature) {
        NDArray logQ = student.div(temperature).logSoftmax(1);
        NDArray logP = teacher.div(temperature).logSoftmax(1);
        NDArray kl = logP.exp().mul(logP.sub(logQ)).sum(new int[] {1});
        return kl.mean().mul(temperature * temperature);
    }

    /**
     * Mean absolute difference to the teacher's depth over the pixels whose label has no depth (not
     * finite and positive), at the label's size; 0 when every pixel has one.
     */
    public static NDArray depthWhereUnlabelled(
            NDArray prediction, NDArray teacher, NDArray labels) {
        NDArray y = labels.getShape().dimension() == 3 ? labels.expandDims(1) : labels;
        Shape ls = y.getShape();
        NDArray p = Layers.resize(prediction, ls.get(2), ls.get(3));
        NDArray t = Layers.resize(teacher, ls.get(2), ls.get(3));
        // The teacher's depth as a label where the frame's label has none; no label elsewhere.
        NDArray labelled = MtiNetLoss.hasDepth(y.toType(p.getDataType(), false));
        return MtiNetLoss.l1(p, NDArrays.where(labelled, t.zerosLike(), t));
    }
}
