package io.scenestream.tools;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.Size;
import io.scenestream.job.Jobs;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.inference.Engines;
import io.scenestream.model.nn.Complexity;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.numerics.KernelPath;
import io.scenestream.model.numerics.Kernels;
import io.scenestream.model.weights.StateDict;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Inference speed of the MTI-Net configurations: milliseconds per frame (median over timed runs
 * after warm-up), GMAC per frame and achieved GFLOP/s (2 FLOP per MAC), in eval mode, for each
 * configuration, batch size and resolution.
 */
@Command(
        name = "scenestream-model-benchmark",
        mixinStandardHelpOptions = true,
        description =
                "Time MTI-Net inference (eval mode) and print ms/frame, GMAC/frame and GFLOP/s.")
public class ModelBenchmark implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(Jobs.run(new ModelBenchmark(), "scenestream-model-benchmark", args));
    }

    @Option(
            names = "--models",
            split = ",",
            description = "configurations (default: ${DEFAULT-VALUE})")
    List<String> models = List.of("w18", "lite");

    @Option(
            names = "--batches",
            split = ",",
            description = "batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches = List.of(1, 4);

    @Option(
            names = "--sizes",
            split = ",",
            description = "HEIGHTxWIDTH, multiples of 32 (default: ${DEFAULT-VALUE})")
    List<String> sizes = List.of("256x320", "480x640");

    @Option(names = "--classes", description = "segmentation classes (default: ${DEFAULT-VALUE})")
    int classes = 13;

    @Option(names = "--warmup", description = "untimed runs first (default: ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--runs", description = "timed runs (default: ${DEFAULT-VALUE})")
    int runs = 5;

    @Option(
            names = "--kernels",
            split = ",",
            description =
                    "CPU convolution kernels to time: auto (the "
                            + "process's checked choice), onednn, native (default: ${DEFAULT-VALUE})")
    List<String> kernels = List.of("auto");

    /** One measured row. */
    public record Row(
            String model,
            String kernels,
            int batch,
            int height,
            int width,
            long params,
            double gmac,
            double msPerFrame) {
        public double gflops() {
            return 2 * gmac / (msPerFrame / 1000.0);
        }
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        out.printf(
                Locale.ROOT,
                "MTI-Net inference, eval mode, float32, OMP_NUM_THREADS=%s, allocator %s, median of %d runs after %d warm-up%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                System.getenv().getOrDefault("SCENESTREAM_MALLOC", "system"),
                runs,
                warmup);
        out.printf(
                Locale.ROOT,
                "processor %s; kernels: %s (%s)%n",
                Kernels.processor(),
                Kernels.cpuPath().description(),
                Kernels.reason());
        out.printf(
                Locale.ROOT,
                "%-15s %-8s %5s %9s %10s %8s %10s %10s%n",
                "model",
                "kernels",
                "batch",
                "size",
                "params",
                "GMAC/f",
                "ms/frame",
                "GFLOP/s");
        for (Row r : run()) {
            out.printf(
                    Locale.ROOT,
                    "%-15s %-8s %5d %9s %10d %8.2f %10.1f %10.1f%n",
                    r.model,
                    r.kernels,
                    r.batch,
                    r.height + "x" + r.width,
                    r.params,
                    r.gmac,
                    r.msPerFrame,
                    r.gflops());
        }
        return 0;
    }

    /** Runs every combination and returns the measurements. */
    public List<Row> run() {
        Engines.disableGradients();
        List<Row> rows = new ArrayList<>();
        for (String name : models) {
            MtiNetConfig config = MtiNetConfig.named(name, MtiNetConfig.nyud13(classes));
            try (Model model = Model.newInstance(name)) {
                MtiNet net = new MtiNet(config);
                Size first =
                        Size.parse(sizes.get(0), Size.Order.HEIGHT_BY_WIDTH, "--sizes")
                                .requireMultipleOf(32, "--sizes");
                net.initialize(
                        model.getNDManager(),
                        DataType.FLOAT32,
                        new Shape(1, 3, first.height(), first.width()));
                model.setBlock(net);
                long params = StateDict.countLearnable(net);
                for (String size : sizes) {
                    Size hw =
                            Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--sizes")
                                    .requireMultipleOf(32, "--sizes");
                    double gmac =
                            Complexity.macsPerFrame(
                                            net, model.getNDManager(), hw.height(), hw.width())
                                    / 1e9;
                    for (String k : kernels) {
                        KernelPath path = k.equals("auto") ? Kernels.cpuPath() : parseKernels(k);
                        for (int batch : batches) {
                            double ms =
                                    onKernels(
                                                    path,
                                                    () ->
                                                            time(
                                                                    net,
                                                                    model.getNDManager(),
                                                                    batch,
                                                                    hw.height(),
                                                                    hw.width()))
                                            / batch;
                            rows.add(
                                    new Row(
                                            name,
                                            path.id(),
                                            batch,
                                            hw.height(),
                                            hw.width(),
                                            params,
                                            gmac,
                                            ms));
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static KernelPath parseKernels(String k) {
        return switch (k) {
            case "onednn" -> KernelPath.ONEDNN;
            case "native" -> KernelPath.NATIVE;
            default ->
                    throw new IllegalArgumentException(
                            "--kernels takes auto, onednn or native, not '" + k + "'");
        };
    }

    private static double onKernels(KernelPath path, Callable<Double> body) {
        try {
            return Kernels.on(path, body);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double time(MtiNet net, NDManager parent, int batch, int h, int w) {
        double[] ms = new double[runs];
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(batch, 3, h, w));
            ParameterStore ps = new ParameterStore(m, false);
            for (int i = 0; i < warmup + runs; i++) {
                try (NDManager step = m.newSubManager()) {
                    x.tempAttach(step);
                    long t0 = System.nanoTime();
                    NDList out = net.forward(ps, new NDList(x), false);
                    // Force completion: read one value of each output.
                    for (NDArray o : out) {
                        o.get(0).flatten().get(0).getFloat();
                    }
                    double elapsed = (System.nanoTime() - t0) / 1e6;
                    if (i >= warmup) {
                        ms[i - warmup] = elapsed;
                    }
                }
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
