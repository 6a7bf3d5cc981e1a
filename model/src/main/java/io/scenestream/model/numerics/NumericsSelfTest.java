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
     * @param probed whether the model carried a probe (else its kernels were compared with each other)
     * @param result the comparison that passed
     */
    public record Verdict(String model, Device device, KernelPath path, boolean probed, NumericsProbe.Mismatch result) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s on %s runs on %s: %s %s", model, device, path.description(),
                    probed ? "probe reproduced," : path == KernelPath.ONEDNN ? "no probe; oneDNN and native agree,"
                            : "no probe; outputs finite,", result);
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
    public static Verdict verify(Path file, String model, MtiNet net, NumericsProbe probe, NDManager manager)
            throws NumericsException {
        Device device = manager.getDevice();
        Verdict v;
        try {
            v = device.isGpu() ? onGpu(file, model, net, probe, manager) : onCpu(file, model, net, probe, manager);
        } catch (NumericsException e) {
            throw e;
        } catch (Exception e) {
            throw new NumericsException(file, "its numerics self-test could not run: " + e, e);
        }
        LOG.info("numerics self-test: {}", v);
        return v;
    }

    private static Verdict onCpu(Path file, String model, MtiNet net, NumericsProbe probe, NDManager manager)
            throws Exception {
        KernelPath path = Kernels.cpuPath();
        if (probe == null) {
            return withoutProbe(file, model, net, manager, path);
        }
        NumericsProbe.Mismatch first = probe.compare(probe.rerun(net, manager), 1);
        if (first.passes()) {
            return new Verdict(model, manager.getDevice(), path, true, first);
        }
        if (path == KernelPath.ONEDNN && Kernels.mode() == Kernels.Mode.AUTO) {
            NumericsProbe.Mismatch second =
                    Kernels.on(KernelPath.NATIVE, () -> probe.compare(probe.rerun(net, manager), 1));
            if (second.passes()) {
                Kernels.switchToNative(model + "'s probe fails on oneDNN (" + first + ") and passes on native");
                return new Verdict(model, manager.getDevice(), KernelPath.NATIVE, true, second);
            }
            throw refused(file, model, manager.getDevice(), "on " + KernelPath.ONEDNN.description() + ": " + first
                    + "; on " + KernelPath.NATIVE.description() + ": " + second);
        }
        throw refused(file, model, manager.getDevice(), "on " + path.description() + " (kernels "
                + (Kernels.mode() == Kernels.Mode.AUTO ? "chosen: " + Kernels.reason() : "forced by "
                + Kernels.PROPERTY + "=" + Kernels.mode().name().toLowerCase(Locale.ROOT)) + "): " + first);
    }

    /** No stored outputs: oneDNN and native must agree on the probe's input. */
    private static Verdict withoutProbe(Path file, String model, MtiNet net, NDManager manager, KernelPath path)
            throws Exception {
        LOG.warn("{} carries no numerics probe; comparing its kernels with each other instead (add a probe: "
                + "bin/scenestream-model probe --checkpoint FILE)", model);
        NumericsProbe reference = Kernels.on(KernelPath.NATIVE,
                () -> NumericsProbe.run(net, manager, NumericsProbe.SEED, NumericsProbe.ATOL, NumericsProbe.RTOL));
        if (path == KernelPath.NATIVE) {
            NumericsProbe.Mismatch self = reference.compare(reference, 1);
            if (!self.passes()) {
                throw refused(file, model, manager.getDevice(), "on " + path.description() + ": " + self);
            }
            return new Verdict(model, manager.getDevice(), path, false, self);
        }
        NumericsProbe.Mismatch m = reference.compare(reference.rerun(net, manager), 1);
        if (m.passes()) {
            return new Verdict(model, manager.getDevice(), path, false, m);
        }
        if (Kernels.mode() == Kernels.Mode.AUTO && reference.compare(reference, 1).passes()) {
            Kernels.switchToNative(model + " computes differently on oneDNN than on native (" + m + ")");
            return new Verdict(model, manager.getDevice(), KernelPath.NATIVE, false, reference.compare(reference, 1));
        }
        throw refused(file, model, manager.getDevice(), "oneDNN against native: " + m);
    }

    private static Verdict onGpu(Path file, String model, MtiNet net, NumericsProbe probe, NDManager manager)
            throws Exception {
        if (probe == null) {
            LOG.warn("{} carries no numerics probe; its numbers on {} are not checked (add a probe: "
                    + "bin/scenestream-model probe --checkpoint FILE)", model, manager.getDevice());
            NumericsProbe self = NumericsProbe.run(net, manager, NumericsProbe.SEED, NumericsProbe.ATOL, NumericsProbe.RTOL);
            NumericsProbe.Mismatch m = self.compare(self, 1);
            if (!m.passes()) {
                throw refused(file, model, manager.getDevice(), m.toString());
            }
            return new Verdict(model, manager.getDevice(), KernelPath.GPU, false, m);
        }
        NumericsProbe.Mismatch first = probe.compare(probe.rerun(net, manager), GPU_TOLERANCE_SCALE);
        if (first.passes()) {
            return new Verdict(model, manager.getDevice(), KernelPath.GPU, true, first);
        }
        Kernels.disableTf32();
        NumericsProbe.Mismatch second = probe.compare(probe.rerun(net, manager), 1);
        if (second.passes()) {
            LOG.warn("{} fails its probe on the GPU with TF32 ({}); TF32 is now off for this process", model, first);
            return new Verdict(model, manager.getDevice(), KernelPath.GPU_FP32, true, second);
        }
        throw refused(file, model, manager.getDevice(), "with TF32: " + first + "; without TF32: " + second);
    }

    private static NumericsException refused(Path file, String model, Device device, String what) {
        return new NumericsException(file, model + " computes wrong numbers on " + device + " of this machine ("
                + Kernels.processor() + "); its numerics probe does not reproduce " + what
                + ". Refusing to serve it.");
    }

    /**
     * The reference outputs for a new probe of {@code net}, from kernels known to be right: on a CPU
     * on oneDNN, cross-checked with native (a disagreement moves the process to native in auto mode
     * and fails otherwise); on a GPU with TF32 off.
     *
     * @throws NumericsException if oneDNN and native disagree and the kernels are forced to oneDNN
     */
    public static NumericsProbe newProbe(Path file, String model, MtiNet net, NDManager manager) throws NumericsException {
        try {
            if (manager.getDevice().isGpu()) {
                return Kernels.withoutTf32(
                        () -> NumericsProbe.run(net, manager, NumericsProbe.SEED, NumericsProbe.ATOL, NumericsProbe.RTOL));
            }
            NumericsProbe reference = Kernels.on(KernelPath.NATIVE,
                    () -> NumericsProbe.run(net, manager, NumericsProbe.SEED, NumericsProbe.ATOL, NumericsProbe.RTOL));
            if (Kernels.cpuPath() == KernelPath.ONEDNN) {
                NumericsProbe.Mismatch m = reference.compare(reference.rerun(net, manager), 1);
                if (!m.passes()) {
                    if (Kernels.mode() != Kernels.Mode.AUTO) {
                        throw refused(file, model, manager.getDevice(), "oneDNN against native: " + m);
                    }
                    Kernels.switchToNative(model + " computes differently on oneDNN than on native (" + m + ")");
                }
            }
            return reference;
        } catch (NumericsException e) {
            throw e;
        } catch (Exception e) {
            throw new NumericsException(file, "its numerics probe could not be computed: " + e, e);
        }
    }
}
