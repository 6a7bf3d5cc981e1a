package io.scenestream.model.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Wrong kernels, forced: oneDNN at bfloat16 precision ({@code ONEDNN_DEFAULT_FPMATH_MODE=BF16})
 * rounds its float32 convolutions to bfloat16 where it has kernels for that (on AMX: Intel Xeon),
 * and computes numbers off by 1e-2, as a faulty kernel would. Elsewhere the setting may change
 * nothing (an AMD EPYC Zen 4 with AVX512-BF16 keeps its float32 kernels): each machine is first
 * asked, by a convolution computed both ways in a JVM with the setting, whether oneDNN is wrong
 * there; where it is not, there is no fault to detect and the cases are skipped, saying so. Each
 * case runs in a JVM of its own: the setting is read once per process.
 */
class ForcedKernelsTest {

    private static final Path TEACHER = Path.of("checkpoints", "teacher-w18.ckpt.zip");

    /** oneDNN's largest difference from native under the setting, measured once. */
    private static Double difference;

    /** Skips the case, saying why, where the setting leaves oneDNN right. */
    private static void assumeTheSettingMakesOneDnnWrong() throws Exception {
        if (difference == null) {
            difference = measureDifference();
            System.out.println(
                    "oneDNN with ONEDNN_DEFAULT_FPMATH_MODE=BF16 on "
                            + Kernels.processor()
                            + ": largest difference "
                            + difference
                            + " of the output's scale against native");
        }
        assumeTrue(
                !(difference <= ConvolutionCheck.RELATIVE_TOLERANCE),
                "ONEDNN_DEFAULT_FPMATH_MODE=BF16 leaves oneDNN's convolutions right on "
                        + Kernels.processor()
                        + " (largest difference "
                        + difference
                        + " of the output's scale against native, tolerance "
                        + ConvolutionCheck.RELATIVE_TOLERANCE
                        + "): no wrong kernels to detect");
    }

    private static double measureDifference() throws Exception {
        Run r = run(ConvolutionMain.class, "onednn");
        assertThat(r.exit).as(r.output).isZero();
        Matcher m = Pattern.compile("RELATIVE DIFFERENCE (\\S+)").matcher(r.output);
        assertThat(m.find()).as(r.output).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void autoModeMovesToNativeKernelsAndServesRightNumbers() throws Exception {
        assumeTheSettingMakesOneDnnWrong();
        Run r = run(LoadMain.class, "auto", TEACHER.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output)
                .contains("oneDNN computes wrong convolutions on " + Kernels.processor())
                .contains(
                        "SERVES teacher v1 (teacher-w18.ckpt.zip) on cpu() runs on libtorch's native convolutions, "
                                + "oneDNN off: probe reproduced");
    }

    @Test
    void forcedOneDnnIsRefusedWithTheClearError() throws Exception {
        assumeTheSettingMakesOneDnnWrong();
        Run r = run(LoadMain.class, "onednn", TEACHER.toString());
        assertThat(r.exit).as(r.output).isEqualTo(3);
        assertThat(r.output)
                .contains("REFUSED")
                .contains(
                        "teacher v1 (teacher-w18.ckpt.zip) computes wrong numbers on cpu() of this machine ("
                                + Kernels.processor()
                                + ")")
                .contains("kernels forced by scenestream.kernels=onednn")
                .contains("Refusing to serve it");
        // How wrong depends on the processor: about 0.03 where bfloat16 rounding is all that is
        // wrong, 0.8 where oneDNN's kernels are wrong outright, NaN or Inf where they overflow
        // (both
        // seen on AMD EPYC Zen 5). Named, and beyond the probe's tolerance, either way.
        Matcher difference =
                Pattern.compile(
                                "largest difference (\\d+\\.\\d+) in (semseg|depth) \\(tolerance (\\d+\\.\\d+)\\)")
                        .matcher(r.output);
        Matcher nonFinite =
                Pattern.compile("(\\d+) non-finite values \\(NaN or Inf\\) in (semseg|depth)")
                        .matcher(r.output);
        if (difference.find()) {
            assertThat(Double.parseDouble(difference.group(1)))
                    .as(r.output)
                    .isGreaterThan(Double.parseDouble(difference.group(3)));
        } else {
            assertThat(nonFinite.find()).as(r.output).isTrue();
            assertThat(Long.parseLong(nonFinite.group(1))).as(r.output).isPositive();
        }
    }

    private record Run(int exit, String output) {}

    private static Run run(Class<?> main, String kernels, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-Xmx2g",
                                "-D" + Kernels.PROPERTY + "=" + kernels,
                                "-cp",
                                System.getProperty("java.class.path"),
                                main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ONEDNN_DEFAULT_FPMATH_MODE", "BF16");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * One convolution of the teacher's widest branch (144 channels, 3x3, a batch of 16) on random
     * inputs, computed with oneDNN and with libtorch's native kernels: prints the largest
     * difference relative to the largest output value.
     */
    public static final class ConvolutionMain {
        public static void main(String[] args) throws Exception {
            try (NDManager m = NDManager.newBaseManager()) {
                m.getEngine().setRandomSeed(5);
                NDArray x = m.randomNormal(new Shape(16, 144, 16, 20));
                NDArray w = m.randomNormal(0, 1 / 36f, new Shape(144, 144, 3, 3), DataType.FLOAT32);
                NDArray a = Kernels.on(KernelPath.ONEDNN, () -> convolve(x, w));
                NDArray n = Kernels.on(KernelPath.NATIVE, () -> convolve(x, w));
                float difference = a.sub(n).abs().max().getFloat() / n.abs().max().getFloat();
                System.out.println("RELATIVE DIFFERENCE " + difference);
            }
        }

        /** {@code x} convolved with {@code w}: stride 1, padding 1, no bias. */
        private static NDArray convolve(NDArray x, NDArray w) {
            Shape one = new Shape(1, 1);
            return Conv2d.conv2d(x, w, null, one, one, one, 1).singletonOrThrow();
        }
    }

    /** Loads a checkpoint: prints SERVES and the verdict, or REFUSED and the error (exit 3). */
    public static final class LoadMain {
        public static void main(String[] args) throws Exception {
            try (NDManager m = NDManager.newBaseManager()) {
                LoadedCheckpoint lc = Checkpoints.load(Path.of(args[0]), m);
                System.out.println("SERVES " + lc.numerics());
            } catch (NumericsException e) {
                System.out.println("REFUSED " + e.getMessage());
                System.exit(3);
            }
        }
    }
}
