package io.scenestream.dashboard;

import java.util.Map;

/** What the dashboard keeps of records after it has read them: small, immutable values. */
final class Views {

    private Views() {}

    /** {@code v}, or null when it is not finite (JSON has no NaN). */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * A model version a camera's predictions came from, and when they began to.
     *
     * @param sinceMs epoch ms of the first prediction made with it
     * @param firstSequence that prediction's frame sequence
     */
    record ServedVersion(String model, long version, long sinceMs, long firstSequence) {}

    /**
     * A dead letter: a record the job could not use, with the reason the job gave in its headers.
     *
     * @param timeMs the dead letter's record timestamp, epoch ms
     * @param camera the camera it belongs to, or null when the record does not say
     */
    record DeadLetter(
            long timeMs,
            String camera,
            String reason,
            String message,
            String sourceTopic,
            String sourcePartition,
            String sourceOffset,
            int bytes) {}

    /** The last pseudo-label of a camera, without its images. */
    record PseudoLabel(
            long sequence,
            long timeMs,
            String teacher,
            long teacherVersion,
            String student,
            long studentVersion,
            int width,
            int height,
            Double confidentShare,
            Double consistentDepthShare,
            Double studentAgreement) {}

    /**
     * A pseudo-label as the charts show it.
     *
     * @param timeMs its record's timestamp, epoch ms
     * @param studentVersion the version of the student that served the key frame
     * @param confidentShare share of pixels the teacher labelled a class
     * @param consistentDepthShare share of pixels with a depth label
     * @param studentAgreement share of pixels where the student chose the teacher's class
     */
    record PseudoLabelPoint(
            long timeMs,
            long sequence,
            long studentVersion,
            Double confidentShare,
            Double consistentDepthShare,
            Double studentAgreement) {}

    /**
     * A self-training round, or a check between rounds that made the frozen student serve again.
     *
     * @param outcome {@code accepted}, {@code rolled back}, {@code frozen student again} or {@code
     *     failed}
     * @param version the version serving after it
     * @param machineShare the share of the machine adaptation had taken by then; null without a
     *     budget
     * @param budget the share it may take; null without a limit
     */
    record Round(
            String model,
            long round,
            long timeMs,
            String outcome,
            boolean check,
            long version,
            Double servingAgreement,
            Double candidateAgreement,
            Double frozenAgreement,
            Double firstLoss,
            Double lastLoss,
            double seconds,
            String why,
            long pseudoLabels,
            Double machineShare,
            Double budget,
            Map<String, Double> validation) {}

    /**
     * A model version published by self-training.
     *
     * @param status {@code accepted}, or {@code frozen} when the round fell back to the frozen
     *     student (the update's {@code frozen} validation figure is 1)
     * @param validation the update's validation figures
     */
    record ModelVersion(
            String model,
            long version,
            long createdMs,
            String status,
            Map<String, Double> validation,
            boolean signed,
            String sha256,
            int checkpointBytes) {}
}
