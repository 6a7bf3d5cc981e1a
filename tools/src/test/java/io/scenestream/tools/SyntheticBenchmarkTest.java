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
        assertThat(
                        new CommandLine(new SyntheticBenchmark())
                                .execute("--size", "32x", "--frames", "1"))
                .isNotZero();
    }
}
