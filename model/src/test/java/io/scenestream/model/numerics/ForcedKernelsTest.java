package io.scenestream.model.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wrong kernels, forced: oneDNN at bfloat16 precision ({@code ONEDNN_DEFAULT_FPMATH_MODE=BF16}
 * makes its float32 convolutions round to bfloat16 on processors with bfloat16 instructions)
 * computes numbers off by 1e-2, as a faulty kernel would. Each case runs in a JVM of its own: the
 * setting is read once per process.
 */
class ForcedKernelsTest {

    private static final Path TEACHER = Path.of("checkpoints", "teacher-w18.ckpt.zip");

    @BeforeAll
    static void needsBfloat16() throws IOException {
        String flags = Files.readString(Path.of("/proc/cpuinfo"));
        assumeTrue(
                flags.contains("avx512_bf16") || flags.contains("amx_bf16"),
                "oneDNN computes in bfloat16 only on processors with AVX512-BF16 or AMX");
    }

    @Test
    void autoModeMovesToNativeKernelsAndServesRightNumbers() throws Exception {
        Run r = run("auto");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output)
                .contains("oneDNN computes wrong convolutions on " + Kernels.processor())
                .contains(
                        "SERVES teacher v1 (teacher-w18.ckpt.zip) on cpu() runs on libtorch's native convolutions, "
                                + "oneDNN off: probe reproduced");
    }

    @Test
    void forcedOneDnnIsRefusedWithTheClearError() throws Exception {
        Run r = run("onednn");
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

    private static Run run(String kernels) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-Xmx2g",
                                "-D" + Kernels.PROPERTY + "=" + kernels,
                                "-cp",
                                System.getProperty("java.class.path"),
                                LoadMain.class.getName(),
                                TEACHER.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ONEDNN_DEFAULT_FPMATH_MODE", "BF16");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
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
