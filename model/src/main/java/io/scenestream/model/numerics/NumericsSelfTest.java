package io.scenestream.model.numerics;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.scenestream.model.nn.MtiNet;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a model's numbers where it is loaded: runs its {@link NumericsProbe} and compares with the
 * outputs stored where the model was made.
 *
 * <p>On a CPU in auto mode ({@link Kernels}): if the probe fails on oneDNN and passes on libtorch's
 * native convolutions, the process moves to native and the model serves; if it fails on both, or
 * the kernels are forced, the model is refused with a {@link NumericsException} naming the model,
 * the device, the processor and the mismatch. On a GPU, a probe that fails with TF32 allowed is run
 * again with TF32 off, which then stays off. A model without a probe is checked the other way
 * round: its outputs for the probe's input on oneDNN against native, which must agree.
 */
public final class NumericsSelfTest {

    private static final Logger LOG = LoggerFactory.getLogger(NumericsSelfTest.class);

    /** TF32 keeps 10 bits of mantissa: a GPU's tolerance is this many times a CPU's. */
    static final double GPU_TOLERANCE_SCALE = 20;

    private NumericsSelfTest() {}

    /**
     * What a self-test found: the kernel path the model runs on and its probe's agreement there.
     *
     * @param model the model, as named in messages ("teacher v1 (teacher-w18.ckpt.zip)")
     * @param device the device the model is on
     * @param path the kernel path it runs on
     * @param probed whether the model carried a probe (else its kernels were compared with each
     *     other)
     * @param result the comparison that passed
     */
    public record Verdict(
            String model,
            Device device,
            KernelPath path,
            boolean probed,
            NumericsProbe.Mismatch result) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s on %s runs on %s: %s %s",
                    model,
                    device,
                    path.description(),
                    probed
                            ? "probe reproduced,"
                            : "no stored probe; its float64 outputs reproduced,",
                    result);
        }
    }

    /**
     * Verifies {@code net} on the device of {@code manager}.
     *
     * @param file the model's file or source, for the error
     * @param model the model in words, for messages
     * @param probe the stored probe, or null if the model has none
     * @throws NumericsException if the model's numbers are wrong on every path the process may use
     */
    public static Verdict verify(
            Path file, String model, MtiNet net, NumericsProbe probe, NDManager manager)
            throws NumericsException {
        Device device = manager.getDevice();
        Verdict v;
        try {
            boolean stored = probe != null;
            NumericsProbe p = probe;
            if (!stored) {
                LOG.warn(
                        "{} carries no numerics probe; checking it against its own float64 outputs instead (add a "
                                + "probe: bin/scenestream-model probe --checkpoint FILE)",
                        model);
                p = newProbe(file, model, net, manager);
            }
            v =
                    device.isGpu()
                            ? onGpu(file, model, net, p, stored, manager)
                            : onCpu(file, model, net, p, stored, manager);
        } catch (NumericsException e) {
            throw e;
        } catch (Exception e) {
            throw new NumericsException(file, "its numerics self-test could not run: " + e, e);
        }
        LOG.info("numerics self-test: {}", v);
        return v;
    }

    private static Verdict onCpu(
            Path file,
            String model,
            MtiNet net,
            NumericsProbe probe,
            boolean stored,
            NDManager manager)
            throws Exception {
        KernelPath path = Kernels.cpuPath();
        NumericsProbe.Mismatch first = probe.compare(probe.rerun(net, manager), 1);
        if (first.passes()) {
            return new Verdict(model, manager.getDevice(), path, stored, first);
        }
        if (path == KernelPath.ONEDNN && Kernels.mode() == Kernels.Mode.AUTO) {
            NumericsProbe.Mismatch second =
                    Kernels.on(
                            KernelPath.NATIVE, () -> probe.compare(probe.rerun(net, manager), 1));
            if (second.passes()) {
                Kernels.switchToNative(
                        model + "'s probe fails on oneDNN (" + first + ") and passes on native");
                return new Verdict(model, manager.getDevice(), KernelPath.NATIVE, stored, second);
            }
            throw refused(
                    file,
                    model,
                    manager.getDevice(),
                    "on "
                            + KernelPath.ONEDNN.description()
                            + ": "
                            + first
                            + "; on "
                            + KernelPath.NATIVE.description()
                            + ": "
                            + second);
        }
        throw refused(
                file,
                model,
                manager.getDevice(),
                "on "
                        + path.description()
                        + " (kernels "
                        + (Kernels.mode() == Kernels.Mode.AUTO
                                ? "chosen: " + Kernels.reason()
                                : "forced by "
                                        + Kernels.PROPERTY
                                        + "="
                                        + Kernels.mode().name().toLowerCase(Locale.ROOT))
                        + "): "
                        + first);
    }

    private static Verdict onGpu(
            Path file,
            String model,
            MtiNet net,
            NumericsProbe probe,
            boolean stored,
            NDManager manager)
            throws Exception {
        NumericsProbe.Mismatch first =
                probe.compare(probe.rerun(net, manager), GPU_TOLERANCE_SCALE);
        if (first.passes()) {
            return new Verdict(model, manager.getDevice(), KernelPath.GPU, stored, first);
        }
        Kernels.disableTf32();
        NumericsProbe.Mismatch second = probe.compare(probe.rerun(net, manager), 1);
        if (second.passes()) {
            LOG.warn(
                    "{} fails its probe on the GPU with TF32 ({}); TF32 is now off for this process",
                    model,
                    first);
            return new Verdict(model, manager.getDevice(), KernelPath.GPU_FP32, stored, second);
        }
        throw refused(
                file,
                model,
                manager.getDevice(),
                "with TF32: " + first + "; without TF32: " + second);
    }

    private static NumericsException refused(Path file, String model, Device device, String what) {
        return new NumericsException(
                file,
                model
                        + " computes wrong numbers on "
                        + device
                        + " of this machine ("
                        + Kernels.processor()
                        + "); its numerics probe does not reproduce "
                        + what
                        + ". Refusing to serve it.");
    }

    /**
     * A new probe of {@code net} ({@link NumericsProbe#reference}): outputs in float64, tolerance
     * from the float32 noise on libtorch's native convolutions (on a GPU: with TF32 off).
     *
     * @throws NumericsException if the probe cannot be computed
     */
    public static NumericsProbe newProbe(Path file, String model, MtiNet net, NDManager manager)
            throws NumericsException {
        boolean gpu = manager.getDevice().isGpu();
        try {
            return NumericsProbe.reference(
                    net,
                    manager,
                    body -> {
                        try {
                            return gpu
                                    ? Kernels.withoutTf32(body)
                                    : Kernels.on(KernelPath.NATIVE, body);
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
        } catch (RuntimeException e) {
            throw new NumericsException(file, "its numerics probe could not be computed: " + e, e);
        }
    }
}
