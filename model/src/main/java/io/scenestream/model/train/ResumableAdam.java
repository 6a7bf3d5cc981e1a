package io.scenestream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (with L2 weight decay, as PyTorch's {@code Adam(weight_decay=...)}) whose state can be saved
 * and restored, so that training resumes exactly and self-training state survives a restart. DJL's
 * own Adam keeps its moments private and detached from any manager; here they belong to a manager
 * this optimiser owns and closes.
 *
 * <p>State is exported under PyTorch-style names: {@code NAME.exp_avg}, {@code NAME.exp_avg_sq} and
 * {@code NAME.step}, where NAME is the parameter's state-dict name.
 */
public final class ResumableAdam extends Optimizer implements AutoCloseable {

    private final ParameterTracker learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final NDManager state;
    private final Map<String, NDArray> means = new ConcurrentHashMap<>();
    private final Map<String, NDArray> variances = new ConcurrentHashMap<>();
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();

    private ResumableAdam(Builder b) {
        super(b);
        learningRate = b.learningRate;
        beta1 = b.beta1;
        beta2 = b.beta2;
        epsilon = b.epsilon;
        state = NDManager.newBaseManager();
    }

    /** A builder; the learning-rate tracker is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = steps.merge(parameterId, 1, Integer::sum);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float lr = learningRate.getNewValue(parameterId, t);
        float lrCorrected = (float) (lr * Math.sqrt(coef2) / coef1);
        NDArray m = means.computeIfAbsent(parameterId, k -> zeros(weight));
        NDArray v = variances.computeIfAbsent(parameterId, k -> zeros(weight));
        NDArrayEx ex = weight.getNDArrayInternal();
        ex.adamUpdate(
                new NDList(weight, grad, m, v),
                new NDList(weight),
                lr,
                lrCorrected,
                getWeightDecay(),
                rescaleGrad,
                clipGrad,
                beta1,
                beta2,
                epsilon,
                true,
                false);
    }

    private NDArray zeros(NDArray like) {
        return state.zeros(like.getShape(), like.getDataType(), like.getDevice());
    }

    /**
     * The optimiser's state as named arrays on {@code manager}.
     *
     * @param names state-dict name of each parameter id
     */
    public NDList exportState(NDManager manager, Map<String, String> names) {
        NDList out = new NDList();
        for (Map.Entry<String, Integer> e : steps.entrySet()) {
            String name = names.get(e.getKey());
            if (name == null) {
                continue;
            }
            out.add(named(means.get(e.getKey()).duplicate(), name + ".exp_avg", manager));
            out.add(named(variances.get(e.getKey()).duplicate(), name + ".exp_avg_sq", manager));
            out.add(
                    named(
                            manager.create(new long[] {e.getValue()}, new Shape(1)),
                            name + ".step",
                            manager));
        }
        return out;
    }

    private static NDArray named(NDArray a, String name, NDManager manager) {
        a.attach(manager);
        a.setName(name);
        return a;
    }

    /**
     * Replaces the state with {@code saved} (from {@link #exportState}).
     *
     * @param ids parameter id of each state-dict name
     * @param shapes shape of each state-dict name, to check the saved moments against
     * @throws IllegalArgumentException if a saved entry names no parameter or has the wrong shape
     */
    public void importState(NDList saved, Map<String, String> ids, Map<String, Shape> shapes) {
        Map<String, NDArray> byName = new HashMap<>();
        for (NDArray a : saved) {
            byName.put(a.getName(), a);
        }
        for (String key : byName.keySet()) {
            String name = key.substring(0, key.lastIndexOf('.'));
            if (!ids.containsKey(name)) {
                throw new IllegalArgumentException(
                        "optimiser state names unknown parameter " + name);
            }
        }
        clearState();
        for (Map.Entry<String, String> e : ids.entrySet()) {
            NDArray m = byName.get(e.getKey() + ".exp_avg");
            NDArray v = byName.get(e.getKey() + ".exp_avg_sq");
            NDArray t = byName.get(e.getKey() + ".step");
            if (m == null || v == null || t == null) {
                continue;
            }
            Shape expected = shapes.get(e.getKey());
            if (!m.getShape().equals(expected) || !v.getShape().equals(expected)) {
                throw new IllegalArgumentException(
                        "optimiser state of "
                                + e.getKey()
                                + " has shape "
                                + m.getShape()
                                + ", the parameter "
                                + expected);
            }
            means.put(e.getValue(), copy(m));
            variances.put(e.getValue(), copy(v));
            steps.put(e.getValue(), (int) t.toType(DataType.INT64, false).toLongArray()[0]);
        }
    }

    private NDArray copy(NDArray a) {
        NDArray c = state.create(a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape());
        return c;
    }

    /** Updates taken by the most-updated parameter. */
    public int steps() {
        return steps.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private void clearState() {
        means.values().forEach(NDArray::close);
        variances.values().forEach(NDArray::close);
        means.clear();
        variances.clear();
        steps.clear();
    }

    /** Frees the moments and the manager that holds them. */
    @Override
    public void close() {
        clearState();
        state.close();
    }

    /** Builds a {@link ResumableAdam}. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private ParameterTracker learningRate;
        private float beta1 = 0.9f;
        private float beta2 = 0.999f;
        private float epsilon = 1e-8f;

        @Override
        protected Builder self() {
            return this;
        }

        public Builder setLearningRateTracker(ParameterTracker tracker) {
            this.learningRate = tracker;
            return this;
        }

        public Builder optBetas(float b1, float b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder optEpsilon(float eps) {
            epsilon = eps;
            return this;
        }

        public ResumableAdam build() {
            if (learningRate == null) {
                throw new IllegalArgumentException("must set a learning-rate tracker");
            }
            return new ResumableAdam(this);
        }
    }
}
