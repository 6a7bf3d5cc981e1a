package io.scenestream.operators;

import java.io.Serializable;
import java.util.Locale;

/**
 * One self-training round as the job reports it to its client (the accumulator {@value
 * #ACCUMULATOR}): for the console of the local tools and adapt-eval's round history.
 *
 * @param scope the camera or group the round adapted for; empty when the fleet adapts as one
 * @param round the round's number (of its scope), from 1
 * @param pseudoLabels pseudo-labels received by the trainer when the round ended
 * @param version the serving version after the round
 * @param outcome {@link #ACCEPTED}, {@link #ROLLED_BACK}, {@link #FROZEN} or {@link #FAILED}
 * @param servingAgreement the serving student's agreement with the teacher on the check frames (the
 *     newest held out)
 * @param candidateAgreement the candidate's; NaN if the round failed
 * @param frozenAgreement the frozen student's; NaN when it was the serving one
 * @param firstLoss the loss of the round's first step; NaN for a check, or a round whose candidate
 *     had no step (the serving weights with the BatchNorm statistics of a new light)
 * @param lastLoss the loss of its last step
 * @param seconds how long the round took
 * @param why why the candidate did not serve, null if it did
 * @param machineShare the share of the machine's cores adaptation had taken by then (see {@link
 *     AdaptationBudget}); NaN without a budget
 */
public record RoundSummary(
        String scope,
        long round,
        long pseudoLabels,
        long version,
        String outcome,
        double servingAgreement,
        double candidateAgreement,
        double frozenAgreement,
        double firstLoss,
        double lastLoss,
        double seconds,
        String why,
        double machineShare)
        implements Serializable {

    /** The candidate serves. */
    public static final String ACCEPTED = "accepted";

    /** The candidate was rolled back. */
    public static final String ROLLED_BACK = "rolled back";

    /** The adapted students fell behind the frozen one, which serves again. */
    public static final String FROZEN = "frozen student again";

    /** The round failed; the serving student stays. */
    public static final String FAILED = "failed";

    /** Whether the candidate serves. */
    public boolean accepted() {
        return ACCEPTED.equals(outcome);
    }

    /** Name of the list accumulator of rounds. */
    public static final String ACCUMULATOR = "self-training-rounds";

    /** Name of the counter accumulator of key frames the teacher labelled. */
    public static final String LABELLED = "teacher-key-frames-labelled";

    /** Name of the counter accumulator of key frames the teacher skipped because it was busy. */
    public static final String SKIPPED_BUSY = "teacher-key-frames-skipped-busy";

    /** Name of the counter accumulator of pseudo-labels the trainer received. */
    public static final String RECEIVED = "self-training-pseudo-labels";

    /** Whether this was a check between rounds (no training), not a round. */
    public boolean check() {
        return Double.isNaN(firstLoss)
                && FROZEN.equals(outcome)
                && Double.isNaN(candidateAgreement);
    }

    /** The round in one line. */
    public String line() {
        String line = fleetLine();
        return scope == null || scope.isEmpty() ? line : scope + ": " + line;
    }

    private String fleetLine() {
        String share =
                Double.isNaN(machineShare)
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", adaptation %.0f%% of the machine",
                                100 * machineShare);
        if (FAILED.equals(outcome)) {
            return String.format(
                    Locale.ROOT,
                    "self-training round %d failed (%s); still v%d, %.1f s",
                    round,
                    why,
                    version,
                    seconds);
        }
        if (check()) {
            return String.format(
                    Locale.ROOT,
                    "self-training check %d: v%d is the frozen student again (%s), agreement"
                            + " serving %.3f, frozen %.3f, %.1f s%s",
                    round,
                    version,
                    why,
                    servingAgreement,
                    frozenAgreement,
                    seconds,
                    share);
        }
        // A round stopped before its check has no agreement to tell.
        String agreement =
                Double.isNaN(servingAgreement) && Double.isNaN(candidateAgreement)
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", agreement %.3f -> %.3f%s",
                                servingAgreement,
                                candidateAgreement,
                                Double.isNaN(frozenAgreement)
                                        ? ""
                                        : String.format(
                                                Locale.ROOT, " (frozen %.3f)", frozenAgreement));
        String loss =
                Double.isNaN(firstLoss)
                        ? ", no step (BatchNorm statistics of the new light)"
                        : String.format(Locale.ROOT, ", loss %.3f -> %.3f", firstLoss, lastLoss);
        return String.format(
                Locale.ROOT,
                "self-training round %d: %s%s%s, %.1f s%s",
                round,
                switch (outcome) {
                    case ACCEPTED -> "v" + version + " accepted";
                    case FROZEN -> "v" + version + " is the frozen student again (" + why + ")";
                    default -> "rolled back (" + why + "), still v" + version;
                },
                agreement,
                loss,
                seconds,
                share);
    }
}
