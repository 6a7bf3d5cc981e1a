package io.scenestream.model.numerics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.scenestream.model.Task;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A model's numerics probe: a fixed input and the outputs the model gave for it where it was made,
 * on kernels known to be right. Run again wherever the model is loaded, it tells whether this
 * machine's kernels compute the same function.
 *
 * <p>The input is a batch of {@link #INPUT} standard-normal values drawn from a seed (SplitMix64
 * and a Box-Muller transform in strict math, so every JVM draws the same numbers); a batch of two
 * makes libtorch run every convolution through the kernels that serve batches. The stored outputs
 * are the final map of every task, averaged over {@value #POOL}x{@value #POOL} cells (small enough
 * to travel with every model update; a wrong kernel moves whole regions of a map, not single
 * pixels). They are held as plain arrays: a probe owns no native memory.
 */
public final class NumericsProbe {

    /** The checkpoint entry holding a probe's outputs. */
    public static final String ENTRY = "probe.npz";

    /** The input's shape: two frames of 96x128. */
    public static final Shape INPUT = new Shape(2, 3, 96, 128);

    /** The seed of the input. */
    public static final long SEED = 20201023L;

    /** Side of the square cells the outputs are averaged over. */
    public static final int POOL = 4;

    /**
     * Absolute part of the tolerance. A trained model on oneDNN and on libtorch's native
     * convolutions, or on two processors, differs by about 5e-6 on these outputs (logits up to ~10,
     * depth in metres); oneDNN rounding to bfloat16 differs by 2e-3 to 5e-2, wrong kernels by more.
     */
    public static final double ATOL = 1e-3;

    /**
     * Relative part of the tolerance, times the largest magnitude of each output. An untrained
     * network's activations grow to 1e3-1e5 and cancel, and correct kernels then differ by up to
     * ~8e-4 of the output's scale.
     */
    public static final double RTOL = 1e-3;

    private final long seed;
    private final double atol;
    private final double rtol;
    private final List<String> names;
    private final List<Shape> shapes;
    private final List<float[]> values;

    NumericsProbe(
            long seed,
            double atol,
            double rtol,
            List<String> names,
            List<Shape> shapes,
            List<float[]> values) {
        if (names.isEmpty() || names.size() != shapes.size() || names.size() != values.size()) {
            throw new IllegalArgumentException(
                    "a probe needs as many outputs, shapes and names, at least one");
        }
        this.seed = seed;
        this.atol = atol;
        this.rtol = rtol;
        this.names = List.copyOf(names);
        this.shapes = List.copyOf(shapes);
        this.values = List.copyOf(values);
    }

    public long seed() {
        return seed;
    }

    public double atol() {
        return atol;
    }

    public double rtol() {
        return rtol;
    }

    /** Names of the stored outputs ({@code semseg}, {@code depth}: the model's final tasks). */
    public List<String> names() {
        return names;
    }

    static NDArray input(NDManager manager, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(INPUT.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(random);
        }
        return manager.create(v, INPUT);
    }

    /** A standard-normal draw, the same on every JVM. */
    static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * v);
    }

    /**
     * The model's pooled final outputs for the probe's input, as a probe with this one's tolerance.
     */
    NumericsProbe rerun(MtiNet net, NDManager manager) {
        return run(net, manager, seed, atol, rtol, DataType.FLOAT32);
    }

    /**
     * A new probe of {@code net}: its outputs computed in float64 (libtorch's native convolutions;
     * oneDNN has no float64 kernels), so they depend on no float32 kernel. The tolerance's absolute
     * part grows to ten times the model's own float32 rounding noise, measured as the difference
     * between its float32 outputs on native kernels and the float64 ones: a trained model's noise
     * is about 1e-6 and leaves {@link #ATOL}; an untrained one's activations reach 1e5 and its
     * noise 1e-3 of that.
     *
     * @param float32Run runs {@code body} on the float32 kernels to measure the noise with
     */
    static NumericsProbe reference(
            MtiNet net,
            NDManager manager,
            Function<Callable<NumericsProbe>, NumericsProbe> float32Run) {
        NumericsProbe exact;
        try (NDManager m = manager.newSubManager()) {
            MtiNet wide = new MtiNet(net.getConfig());
            wide.initialize(m, DataType.FLOAT64, new Shape(1, 3, INPUT.get(2), INPUT.get(3)));
            Map<String, ai.djl.nn.Parameter> from = StateDict.parameters(net);
            Map<String, ai.djl.nn.Parameter> to = StateDict.parameters(wide);
            for (Map.Entry<String, ai.djl.nn.Parameter> e : from.entrySet()) {
                NDArray target = to.get(e.getKey()).getArray();
                target.set(
                        DoubleBuffer.wrap(
                                e.getValue()
                                        .getArray()
                                        .toType(DataType.FLOAT64, false)
                                        .toDoubleArray()));
            }
            exact = run(wide, m, SEED, ATOL, RTOL, DataType.FLOAT64);
        }
        NumericsProbe single =
                float32Run.apply(() -> run(net, manager, SEED, ATOL, RTOL, DataType.FLOAT32));
        double noise = 0;
        for (int i = 0; i < exact.values.size(); i++) {
            float[] a = exact.values.get(i);
            float[] b = single.values.get(i);
            for (int k = 0; k < a.length; k++) {
                noise = Math.max(noise, Math.abs(a[k] - b[k]));
            }
        }
        return new NumericsProbe(
                SEED, Math.max(ATOL, 10 * noise), RTOL, exact.names, exact.shapes, exact.values);
    }

    /**
     * Runs {@code net} (eval mode) on the probe input of {@code seed} and keeps its pooled final
     * outputs.
     */
    private static NumericsProbe run(
            MtiNet net, NDManager manager, long seed, double atol, double rtol, DataType type) {
        List<Task> tasks = net.getConfig().tasks();
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = manager.newSubManager()) {
            NDList out =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(input(m, seed).toType(type, false)),
                            false);
            for (int t = 0; t < tasks.size(); t++) {
                NDArray pooled = pool(out.get(net.finalIndex(t)));
                names.add(tasks.get(t).name());
                shapes.add(pooled.getShape());
                values.add(pooled.toType(DataType.FLOAT32, false).toFloatArray());
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return new NumericsProbe(seed, atol, rtol, names, shapes, values);
    }

    private static NDArray pool(NDArray x) {
        Shape s = x.getShape();
        long h = s.get(2) / POOL;
        long w = s.get(3) / POOL;
        return x.reshape(s.get(0), s.get(1), h, POOL, w, POOL)
                .mean(new int[] {5})
                .mean(new int[] {3});
    }

    /** How far {@code actual} (the same probe run here) is from this reference. */
    Mismatch compare(NumericsProbe actual, double toleranceScale) {
        Mismatch worst = null;
        for (int i = 0; i < names.size(); i++) {
            int j = actual.names.indexOf(names.get(i));
            if (j < 0 || !actual.shapes.get(j).equals(shapes.get(i))) {
                return new Mismatch(
                        names.get(i),
                        Double.POSITIVE_INFINITY,
                        0,
                        0,
                        "the model gives no output " + names.get(i) + " of shape " + shapes.get(i));
            }
            float[] ref = values.get(i);
            float[] got = actual.values.get(j);
            double scale = 0;
            for (float r : ref) {
                scale = Math.max(scale, Math.abs(r));
            }
            double tolerance = (atol + rtol * scale) * toleranceScale;
            double max = 0;
            int nonFinite = 0;
            for (int k = 0; k < ref.length; k++) {
                if (!Float.isFinite(got[k])) {
                    nonFinite++;
                    continue;
                }
                max = Math.max(max, Math.abs(got[k] - ref[k]));
            }
            double error = nonFinite > 0 ? Double.POSITIVE_INFINITY : max;
            Mismatch m = new Mismatch(names.get(i), error, tolerance, nonFinite, null);
            if (worst == null || m.excess() > worst.excess()) {
                worst = m;
            }
        }
        return worst;
    }

    /** The worst output of a comparison: its largest absolute difference against its tolerance. */
    public record Mismatch(
            String output, double error, double tolerance, int nonFinite, String problem) {

        public boolean passes() {
            return problem == null && nonFinite == 0 && error <= tolerance;
        }

        double excess() {
            return error - tolerance;
        }

        @Override
        public String toString() {
            if (problem != null) {
                return problem;
            }
            if (nonFinite > 0) {
                return String.format(
                        Locale.ROOT, "%d non-finite values (NaN or Inf) in %s", nonFinite, output);
            }
            return String.format(
                    Locale.ROOT,
                    "largest difference %.3g in %s (tolerance %.2g)",
                    error,
                    output,
                    tolerance);
        }
    }

    /** The stored outputs as an .npz archive, one array per output under its name. */
    public byte[] toNpz(NDManager manager) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            NDList list = new NDList();
            for (int i = 0; i < names.size(); i++) {
                NDArray a = m.create(values.get(i), shapes.get(i));
                a.setName(names.get(i));
                list.add(a);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.encode(out, NDList.Encoding.NPZ);
            return out.toByteArray();
        }
    }

    /**
     * A probe from the .npz of {@link #toNpz} and the seed and tolerance its manifest records.
     *
     * @throws IllegalArgumentException if the archive holds no float arrays
     */
    public static NumericsProbe fromNpz(
            byte[] npz, long seed, double atol, double rtol, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            NDList list = NDList.decode(m, new ByteArrayInputStream(npz));
            List<String> names = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            for (NDArray a : list) {
                if (a.getDataType() != DataType.FLOAT32 || a.getName() == null) {
                    throw new IllegalArgumentException(
                            "holds "
                                    + a.getName()
                                    + " of type "
                                    + a.getDataType()
                                    + "; a probe holds named float32 arrays");
                }
                names.add(a.getName());
                shapes.add(a.getShape());
                values.add(a.toFloatArray());
            }
            return new NumericsProbe(seed, atol, rtol, names, shapes, values);
        }
    }

    /**
     * This probe with its stored outputs replaced by {@code f} of them (tests corrupt a probe so).
     */
    public NumericsProbe mapValues(UnaryOperator<float[]> f) {
        List<float[]> v = new ArrayList<>();
        for (float[] a : values) {
            v.add(f.apply(a.clone()));
        }
        return new NumericsProbe(seed, atol, rtol, names, shapes, v);
    }
}
