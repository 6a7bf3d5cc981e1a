package io.scenestream.dashboard;

import java.util.List;

/**
 * The topics the dashboard reads. {@link #DEFAULT} holds the job's default names (its {@code
 * topics.*} options); a job run with other names is read with the same names here.
 *
 * @param frames camera frames ({@code Frame} records)
 * @param predictions the job's predictions ({@code Prediction} records)
 * @param deadLetters records the job could not use, with their reason in headers
 * @param pseudoLabels the teacher's {@code PseudoLabel} records (self-training only)
 * @param modelUpdates the compacted topic of {@code ModelUpdate} records (self-training only)
 * @param rounds {@code SelfTrainingRound} records: every round's outcome (self-training only)
 */
public record DashboardTopics(
        String frames,
        String predictions,
        String deadLetters,
        String pseudoLabels,
        String modelUpdates,
        String rounds) {

    /** The job's default topic names. */
    public static final DashboardTopics DEFAULT =
            new DashboardTopics(
                    "frames",
                    "predictions",
                    "frames-dead-letters",
                    "pseudo-labels",
                    "model-updates",
                    "self-training-rounds");

    public DashboardTopics {
        for (String t :
                new String[] {
                    frames, predictions, deadLetters, pseudoLabels, modelUpdates, rounds
                }) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("every topic name must be set, got " + t);
            }
        }
    }

    /** The names, in the order of the components. */
    public List<String> all() {
        return List.of(frames, predictions, deadLetters, pseudoLabels, modelUpdates, rounds);
    }
}
