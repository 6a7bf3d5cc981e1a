package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The synthetic world's benchmark times frames and refuses a bad size. */
class SyntheticBenchmarkTest {

    @Test
    void benchmarkMeasuresFramesPerSecond() {
        SyntheticBenchmark b = new SyntheticBenchmark();
        new CommandLine(b)
                .parseArgs("--size", "32x40", "--frames", "5", "--warmup", "1", "--domain", "haze");
        SyntheticBenchmark.Result r = b.run();
        assertThat(r.frames()).isEqualTo(5);
        assertThat(r.height()).isEqualTo(32);
        assertThat(r.fps()).isPositive();
        assertThat(r.medianMs()).isPositive();
        SyntheticBenchmark world = new SyntheticBenchmark();
        new CommandLine(world)
                .parseArgs(
                        "--size",
                        "32x40",
                        "--frames",
                        "3",
                        "--warmup",
                        "0",
                        "--rooms",
                        "lived-in",
                        "--look",
                        "photo",
                        "--camera",
                        "handheld");
        assertThat(world.run().frames()).isEqualTo(3);
        assertThat(
                        new CommandLine(new SyntheticBenchmark())
                                .execute("--size", "32x40", "--frames", "1", "--rooms", "tidy"))
                .isNotZero();
        assertThat(
                        new CommandLine(new SyntheticBenchmark())
                                .execute("--size", "32x", "--frames", "1"))
                .isNotZero();
    }
}
