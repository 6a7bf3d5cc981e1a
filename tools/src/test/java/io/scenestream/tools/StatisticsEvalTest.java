package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The statistics evaluation scores the shipped student on a short shift: statistics pooled with a
 * prior of a million frames are the student's own, statistics of the new light's frames alone
 * change what it computes, and bad options are refused.
 */
class StatisticsEvalTest {

    private static final String STUDENT = "../model/checkpoints/student-lite.ckpt.zip";

    @Test
    void aHeavyPriorKeepsTheStudentsOwnStatistics() throws Exception {
        StatisticsEval e = new StatisticsEval();
        new CommandLine(e)
                .parseArgs(
                        "--checkpoint",
                        STUDENT,
                        "--schedule",
                        "day:8,warm-lamp:20",
                        "--frames",
                        "4",
                        "--prior",
                        "0,1000000",
                        "--every",
                        "4");
        List<StatisticsEval.Row> rows = e.run();
        assertThat(rows).hasSize(3);
        StatisticsEval.Row own = rows.get(0);
        StatisticsEval.Row alone = rows.get(1);
        StatisticsEval.Row heavy = rows.get(2);
        assertThat(own.frames()).isZero();
        assertThat(alone.frames()).isEqualTo(4);
        assertThat(alone.prior()).isZero();
        for (StatisticsEval.Row r : rows) {
            assertThat(r.rmseAfter()).isPositive().isFinite();
            assertThat(r.miouAfter()).isBetween(0.0, 1.0);
        }
        assertThat(heavy.rmseAfter()).isCloseTo(own.rmseAfter(), within(1e-3));
        assertThat(heavy.miouAfter()).isCloseTo(own.miouAfter(), within(1e-3));
        assertThat(heavy.rmseBefore()).isCloseTo(own.rmseBefore(), within(1e-3));
        assertThat(Math.abs(alone.rmseAfter() - own.rmseAfter()))
                .as("the warm lamp's statistics change the depth")
                .isGreaterThan(1e-3);
    }

    @Test
    void badOptionsAreRefused() {
        assertThat(
                        new CommandLine(new StatisticsEval())
                                .execute("--checkpoint", STUDENT, "--schedule", "day:10"))
                .isNotZero();
        assertThat(
                        new CommandLine(new StatisticsEval())
                                .execute("--checkpoint", STUDENT, "--frames", "1"))
                .isNotZero();
    }
}
