package io.scenestream.model.numerics;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.scenestream.model.inference.LibtorchLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's choice of convolution kernels on the CPU, and the switch between them.
 *
 * <p>libtorch runs float32 convolutions on a CPU through oneDNN, whose kernels depend on the
 * processor's instruction sets; on some processors some of them compute wrong numbers. libtorch's
 * own convolutions (oneDNN off) are the safe path. The choice is libtorch's process-wide flag
 * ({@code at::globalContext().setUserEnabledMkldnn}), set here through JNA since DJL does not
 * expose it; it holds for every model of the process.
 *
 * <p>The setting {@value #PROPERTY} (system property) or {@value #ENV} (environment) picks:
 *
 * <ul>
 *   <li>{@code auto} (default): oneDNN if a check of convolutions of the model's channel counts,
 *       oneDNN against native on the same input, agrees; native otherwise. A model whose probe
 *       fails on oneDNN and passes on native moves the process to native too ({@link
 *       NumericsSelfTest}).
 *   <li>{@code onednn}: oneDNN, never switched: a model that fails its probe is refused.
 *   <li>{@code native}: libtorch's native convolutions.
 * </ul>
 */
public final class Kernels {

    /** System property naming the kernel mode. */
    public static final String PROPERTY = "scenestream.kernels";

    /** Environment variable naming the kernel mode, when the property is not set. */
    public static final String ENV = "SCENESTREAM_KERNELS";

    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    /** How the process chooses its CPU kernels. */
    public enum Mode {
        AUTO,
        ONEDNN,
        NATIVE;

        /** Parses {@code auto}, {@code onednn} or {@code native}, naming a wrong value. */
        public static Mode parse(String value, String source) {
            String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "", "auto" -> AUTO;
                case "onednn" -> ONEDNN;
                case "native" -> NATIVE;
                default ->
                        throw new IllegalArgumentException(
                                source + " must be auto, onednn or native, not '" + value + "'");
            };
        }
    }

    private static KernelPath cpuPath;
    private static String reason = "not chosen yet";
    private static Mode mode;
    private static Libtorch libtorch;
    private static boolean tf32Disabled;

    private Kernels() {}

    /** The configured mode ({@value #PROPERTY}, else {@value #ENV}, else auto). */
    public static synchronized Mode mode() {
        if (mode == null) {
            String p = System.getProperty(PROPERTY);
            mode = p != null ? Mode.parse(p, "-D" + PROPERTY) : Mode.parse(System.getenv(ENV), ENV);
        }
        return mode;
    }

    /**
     * The kernels the process's CPU convolutions run on; on first call chooses them as the mode
     * says (in auto mode, after the convolution check).
     */
    public static synchronized KernelPath cpuPath() {
        if (cpuPath == null) {
            choose();
        }
        return cpuPath;
    }

    /**
     * The process's CPU kernels if they have been chosen (a model was built), else null; chooses
     * nothing.
     */
    public static synchronized KernelPath chosen() {
        return cpuPath;
    }

    /** Why the process is on its CPU path, in words (for logs and the benchmark's header). */
    public static synchronized String reason() {
        cpuPath();
        return reason;
    }

    private static void choose() {
        Engine.getEngine("PyTorch");
        LibtorchLog.apply();
        try {
            lib();
        } catch (RuntimeException | LinkageError e) {
            cpuPath = KernelPath.ONEDNN;
            reason =
                    "libtorch's kernels cannot be switched here ("
                            + e.getMessage()
                            + "); models are still checked";
            LOG.warn("CPU kernels: {} ({})", cpuPath.description(), reason);
            return;
        }
        switch (mode()) {
            case ONEDNN -> set(KernelPath.ONEDNN, "forced by " + PROPERTY + "=onednn");
            case NATIVE -> set(KernelPath.NATIVE, "forced by " + PROPERTY + "=native");
            case AUTO -> {
                ConvolutionCheck.Result r = ConvolutionCheck.run(on -> lib().setOneDnn(on));
                if (r.agrees()) {
                    set(
                            KernelPath.ONEDNN,
                            "convolution check passed (oneDNN against native: " + r + ")");
                } else {
                    set(
                            KernelPath.NATIVE,
                            "oneDNN's convolutions are wrong on this processor (" + r + ")");
                    LOG.warn(
                            "oneDNN computes wrong convolutions on {} ({}); using libtorch's native "
                                    + "convolutions for every model of this process",
                            processor(),
                            r);
                }
            }
        }
        LOG.info("CPU kernels: {} ({})", cpuPath.description(), reason);
    }

    private static void set(KernelPath path, String why) {
        lib().setOneDnn(path == KernelPath.ONEDNN);
        cpuPath = path;
        reason = why;
    }

    /**
     * Moves the process to libtorch's native convolutions for good (auto mode only): a model's
     * probe failed on oneDNN and passed on native.
     */
    static synchronized void switchToNative(String why) {
        if (mode() != Mode.AUTO) {
            throw new IllegalStateException("kernels are forced to " + mode() + "; not switching");
        }
        if (cpuPath != KernelPath.NATIVE) {
            set(KernelPath.NATIVE, why);
            LOG.warn(
                    "switched every model of this process to {}: {}",
                    KernelPath.NATIVE.description(),
                    why);
        }
    }

    /**
     * Runs {@code body} with the CPU convolutions on {@code path} (ONEDNN or NATIVE), then puts the
     * process's path back. Other threads' convolutions meanwhile run on {@code path} too; for the
     * self-test and the benchmark, which compare the two.
     */
    public static synchronized <T> T on(KernelPath path, Callable<T> body) throws Exception {
        if (path != KernelPath.ONEDNN && path != KernelPath.NATIVE) {
            throw new IllegalArgumentException("CPU kernels are onednn or native, not " + path);
        }
        KernelPath before = cpuPath();
        lib().setOneDnn(path == KernelPath.ONEDNN);
        try {
            return body.call();
        } finally {
            lib().setOneDnn(before == KernelPath.ONEDNN);
        }
    }

    /**
     * Turns TF32 off for the GPU's convolutions and matrix products, for good (libtorch allows it).
     */
    static synchronized void disableTf32() {
        tf32Disabled = true;
        lib().allowTf32(false);
    }

    /** Runs {@code body} with TF32 off, then puts it back as it was. */
    static synchronized <T> T withoutTf32(Callable<T> body) throws Exception {
        lib().allowTf32(false);
        try {
            return body.call();
        } finally {
            lib().allowTf32(!tf32Disabled);
        }
    }

    /**
     * The processor's model name, as {@code /proc/cpuinfo} gives it, else the JVM's architecture.
     */
    public static String processor() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim()
                            + " ("
                            + Runtime.getRuntime().availableProcessors()
                            + " cores)";
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static synchronized Libtorch lib() {
        if (libtorch == null) {
            Engine.getEngine("PyTorch");
            libtorch = new Libtorch(Path.of(LibUtils.getLibtorchPath()));
        }
        return libtorch;
    }

    /** libtorch's global context switches, called through JNA by their C++ names. */
    private static final class Libtorch {
        private final Function globalContext;
        private final Function setUserEnabledMkldnn;
        private final Function setAllowTf32CuDnn;
        private final Function setAllowTf32CuBlas;

        Libtorch(Path dir) {
            Path so = dir.resolve("libtorch_cpu.so");
            NativeLibrary lib;
            try {
                lib =
                        NativeLibrary.getInstance(
                                Files.isRegularFile(so) ? so.toString() : "torch_cpu");
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException(
                        "cannot open libtorch's libtorch_cpu in "
                                + dir
                                + " to choose "
                                + "convolution kernels: "
                                + e.getMessage(),
                        e);
            }
            globalContext = lib.getFunction("_ZN2at13globalContextEv");
            setUserEnabledMkldnn = lib.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb");
            setAllowTf32CuDnn = lib.getFunction("_ZN2at7Context17setAllowTF32CuDNNEb");
            setAllowTf32CuBlas = lib.getFunction("_ZN2at7Context18setAllowTF32CuBLASEb");
        }

        private Pointer context() {
            return (Pointer) globalContext.invoke(Pointer.class, new Object[0]);
        }

        void setOneDnn(boolean on) {
            setUserEnabledMkldnn.invoke(Void.class, new Object[] {context(), on});
        }

        void allowTf32(boolean allow) {
            Pointer c = context();
            setAllowTf32CuDnn.invoke(Void.class, new Object[] {c, allow});
            setAllowTf32CuBlas.invoke(Void.class, new Object[] {c, allow});
        }
    }
}
