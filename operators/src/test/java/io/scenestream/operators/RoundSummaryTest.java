package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoundSummaryTest {

    private static RoundSummary summary(
            String outcome, double candidate, double frozen, double firstLoss, String why) {
        return new RoundSummary(
                "", 3, 40, 2, outcome, 0.4, candidate, frozen, firstLoss, 2.5, 12.5, why, 0.2);
    }

    @Test
    void aRoundWithStepsTellsItsLoss() {
        RoundSummary r = summary(RoundSummary.ACCEPTED, 0.5, Double.NaN, 4.0, null);
        assertThat(r.check()).isFalse();
        assertThat(r.line())
                .isEqualTo(
                        "self-training round 3: v2 accepted, agreement 0.400 -> 0.500, loss 4.000"
                                + " -> 2.500, 12.5 s, adaptation 20% of the machine");
    }

    /** A candidate of BatchNorm statistics only had no step: a round, not a check. */
    @Test
    void aRoundWithoutStepsSaysSo() {
        RoundSummary r = summary(RoundSummary.ACCEPTED, 0.5, Double.NaN, Double.NaN, null);
        assertThat(r.check()).isFalse();
        assertThat(r.line())
                .isEqualTo(
                        "self-training round 3: v2 accepted, agreement 0.400 -> 0.500, no step"
                                + " (BatchNorm statistics of the new light), 12.5 s, adaptation 20%"
                                + " of the machine");
    }

    @Test
    void theFrozenStudentBackBetweenRoundsIsACheck() {
        RoundSummary r =
                summary(RoundSummary.FROZEN, Double.NaN, 0.45, Double.NaN, "it trails the frozen");
        assertThat(r.check()).isTrue();
        assertThat(r.line()).startsWith("self-training check 3: v2 is the frozen student again");
    }
}
