package io.scenestream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.DenseSample;
import io.scenestream.model.data.Batches;
import io.scenestream.model.weights.StateDict;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets a net's BatchNorm running statistics to those of given frames (AdaBN, Li et al. 2016): the
 * mean and variance every BatchNorm sees over the frames (pooled over batches, each weighted by its
 * frames), replace what it kept from training. Inference normalises with the running statistics;
 * after a change of light they are the old light's, and a few steps on small batches move them only
 * by the backbone's momentum (0.01) a step: a model that learnt on the new light's batch statistics
 * is run at inference on the old light's.
 *
 * <p>A training-mode forward pass makes BatchNorm update its running statistics as {@code r' = r +
 * t (b - r)} with the batch's statistic {@code b} and the layer's momentum {@code t}. Each batch
 * runs from running statistics of zero, so that {@code r' = t b}; the first runs twice, and the
 * second pass, from the first's result, gives {@code t} for each layer ({@code r'' - r' = (1 - t)
 * r'}). Layers whose statistics no pass moves keep theirs. No weight changes, no gradient is
 * recorded.
 *
 * <p>With a prior ({@link #setFrom(Block, NDManager, List, int, double)}) the statistics the net
 * had count as that many frames of their own: the new ones are the pooled mean and variance of both
 * (Schneider et al. 2020, "Improving robustness against common corruptions by covariate shift
 * adaptation"), so that a few frames, all of one view, move the statistics only part of the way.
 */
public final class BatchNormStatistics {

    private static final String MEAN = "running_mean";
    private static final String VAR = "running_var";

    private BatchNormStatistics() {}

    /** One BatchNorm's running mean and variance. */
    private record Layer(String name, Parameter mean, Parameter var) {}

    /**
     * Replaces every BatchNorm's running statistics of {@code net} with those of {@code frames} (at
     * the net's input size), taken in batches of {@code batch}; at least one batch of two frames or
     * more. Arrays of the passes belong to a sub-manager of {@code manager}, closed here.
     *
     * @return the number of BatchNorm layers set
     */
    public static int setFrom(Block net, NDManager manager, List<DenseSample> frames, int batch) {
        return setFrom(net, manager, frames, batch, 0);
    }

    /**
     * As {@link #setFrom(Block, NDManager, List, int)}, the statistics the net had counting as
     * {@code prior} frames: each layer's new mean and variance are those of the mixture of its old
     * statistics, weighted {@code prior}, and the frames' pooled ones, weighted by their number. 0
     * replaces them.
     *
     * @param prior weight of the net's statistics, in frames, 0 or more
     * @return the number of BatchNorm layers set
     */
    public static int setFrom(
            Block net, NDManager manager, List<DenseSample> frames, int batch, double prior) {
        return setFrom(net, manager, frames, batch, prior, null);
    }

    /**
     * As {@link #setFrom(Block, NDManager, List, int, double)}, the prior being {@code
     * priorStatistics} (running means and variances by their state-dict names, e.g. a base model's)
     * where it has a layer's, the net's own statistics elsewhere.
     *
     * @param priorStatistics statistics by state-dict name, or null for the net's own
     * @return the number of BatchNorm layers set
     */
    public static int setFrom(
            Block net,
            NDManager manager,
            List<DenseSample> frames,
            int batch,
            double prior,
            Map<String, float[]> priorStatistics) {
        if (!(prior >= 0) || Double.isInfinite(prior)) {
            throw new IllegalArgumentException(
                    "the prior weight of BatchNorm statistics must be 0 or more frames; got "
                            + prior);
        }
        if (batch < 2 || frames.size() < 2) {
            throw new IllegalArgumentException(
                    "BatchNorm statistics need batches of two frames or more; got "
                            + frames.size()
                            + " frames in batches of "
                            + batch);
        }
        List<Layer> layers = layers(net);
        Map<String, float[]> start = read(layers);
        Map<String, float[]> zero = new LinkedHashMap<>();
        start.forEach((name, v) -> zero.put(name, new float[v.length]));
        List<List<DenseSample>> batches = new ArrayList<>();
        for (int i = 0; i + 1 < frames.size(); i += batch) {
            batches.add(frames.subList(i, Math.min(frames.size(), i + batch)));
        }
        Batches.Staging staging = new Batches.Staging();
        Map<String, Double> momentum = new LinkedHashMap<>();
        Map<String, double[]> sum = new LinkedHashMap<>();
        Map<String, double[]> squares = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager()) {
            for (int k = 0; k < batches.size(); k++) {
                write(layers, zero);
                Map<String, float[]> once = pass(net, m, batches.get(k), staging, layers);
                if (k == 0) {
                    Map<String, float[]> twice = pass(net, m, batches.get(k), staging, layers);
                    for (Layer l : layers) {
                        momentum.put(
                                l.name(),
                                momentum(
                                        once.get(l.name() + MEAN),
                                        once.get(l.name() + VAR),
                                        twice.get(l.name() + MEAN),
                                        twice.get(l.name() + VAR)));
                    }
                }
                for (Layer l : layers) {
                    double t = momentum.get(l.name());
                    if (!(t > 0 && t <= 1)) {
                        continue;
                    }
                    double[] mean = statistic(once.get(l.name() + MEAN), t);
                    double[] var = statistic(once.get(l.name() + VAR), t);
                    double[] s = sum.computeIfAbsent(l.name(), n -> new double[mean.length]);
                    double[] q = squares.computeIfAbsent(l.name(), n -> new double[mean.length]);
                    int w = batches.get(k).size();
                    for (int c = 0; c < mean.length; c++) {
                        s[c] += w * mean[c];
                        // E[x^2] of the batch, from its variance and mean
                        q[c] += w * (var[c] + mean[c] * mean[c]);
                    }
                }
            }
        }
        int counted = 0;
        for (int k = 0; k < batches.size(); k++) {
            counted += batches.get(k).size();
        }
        int set = 0;
        Map<String, float[]> pooled = new LinkedHashMap<>(start);
        for (Layer l : layers) {
            double[] s = sum.get(l.name());
            if (s == null) {
                continue;
            }
            double[] q = squares.get(l.name());
            float[] oldMean = priorOf(priorStatistics, start, l.name() + MEAN, s.length);
            float[] oldVar = priorOf(priorStatistics, start, l.name() + VAR, s.length);
            float[] mean = new float[s.length];
            float[] var = new float[s.length];
            double total = counted + prior;
            for (int c = 0; c < s.length; c++) {
                // sums of x and x^2 over the frames and the prior's frames
                double sx = s[c] + prior * oldMean[c];
                double sq = q[c] + prior * ((double) oldVar[c] + (double) oldMean[c] * oldMean[c]);
                double mu = sx / total;
                mean[c] = (float) mu;
                var[c] = (float) Math.max(0, sq / total - mu * mu);
            }
            pooled.put(l.name() + MEAN, mean);
            pooled.put(l.name() + VAR, var);
            set++;
        }
        write(layers, pooled);
        return set;
    }

    /** A statistic of the prior: {@code given}'s where it has one of the layer's size. */
    private static float[] priorOf(
            Map<String, float[]> given, Map<String, float[]> own, String name, int channels) {
        float[] v = given == null ? null : given.get(name);
        return v != null && v.length == channels ? v : own.get(name);
    }

    /** The BatchNorm layers of {@code net}, by the state-dict prefix of their statistics. */
    private static List<Layer> layers(Block net) {
        Map<String, Parameter> params = StateDict.parameters(net);
        List<Layer> out = new ArrayList<>();
        params.forEach(
                (name, p) -> {
                    if (name.endsWith(MEAN)) {
                        String prefix = name.substring(0, name.length() - MEAN.length());
                        Parameter var = params.get(prefix + VAR);
                        if (var != null) {
                            out.add(new Layer(prefix, p, var));
                        }
                    }
                });
        return out;
    }

    /** A training-mode pass over {@code frames}; the running statistics after it. */
    private static Map<String, float[]> pass(
            Block net,
            NDManager manager,
            List<DenseSample> frames,
            Batches.Staging staging,
            List<Layer> layers) {
        try (NDManager m = manager.newSubManager()) {
            NDList x = new NDList(Batches.images(m, frames, staging));
            net.forward(new ParameterStore(m, false), x, true);
        }
        return read(layers);
    }

    /**
     * A layer's momentum from its statistics after one pass from zero ({@code r1 = t b}) and after
     * a second pass over the same batch ({@code r2 = r1 + t (b - r1)}, so {@code r2 - r1 = (1 - t)
     * r1}): least squares over its channels; NaN where the pass left every statistic at zero. The
     * variances carry the signal: a channel that varies at all has one above zero.
     */
    private static double momentum(float[] m1, float[] v1, float[] m2, float[] v2) {
        double across = 0;
        double along = 0;
        for (float[][] s : new float[][][] {{m1, m2}, {v1, v2}}) {
            for (int c = 0; c < s[0].length; c++) {
                double first = s[0][c];
                double second = (double) s[1][c] - s[0][c];
                across += second * first;
                along += first * first;
            }
        }
        return along > 0 ? 1 - across / along : Double.NaN;
    }

    /** The batch's statistic {@code b} from {@code r1 = t b}. */
    private static double[] statistic(float[] r1, double t) {
        double[] out = new double[r1.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = r1[c] / t;
        }
        return out;
    }

    private static Map<String, float[]> read(List<Layer> layers) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Layer l : layers) {
            out.put(l.name() + MEAN, l.mean().getArray().toFloatArray());
            out.put(l.name() + VAR, l.var().getArray().toFloatArray());
        }
        return out;
    }

    private static void write(List<Layer> layers, Map<String, float[]> values) {
        for (Layer l : layers) {
            set(l.mean().getArray(), values.get(l.name() + MEAN));
            set(l.var().getArray(), values.get(l.name() + VAR));
        }
    }

    private static void set(NDArray array, float[] values) {
        array.set(FloatBuffer.wrap(values));
    }
}
