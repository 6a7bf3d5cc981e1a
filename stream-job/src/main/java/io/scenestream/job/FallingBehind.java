package io.scenestream.job;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Tells, from the local console's progress samples, when inference no longer keeps up with the
 * cameras: over the last {@code samples} samples the frames waiting in Kafka (sent, not yet
 * predicted) and the median capture-to-emit latency both grew, and that latency is now at least
 * {@code latencyMs}. With every frame kept however late ({@code inference.max-lag-ms=0}, the
 * default) such a backlog never drains and latency grows without bound; this says so once, with
 * what to do. Comparing with the sample {@code samples} back, not sample by sample, lets the
 * backlog move by a micro-batch either way meanwhile.
 */
final class FallingBehind {

    private final int samples;
    private final double latencyMs;
    private final ArrayDeque<double[]> history = new ArrayDeque<>();
    private boolean warned;

    /**
     * @param samples how many samples back the backlog and the latency must have been lower
     * @param latencyMs median latency from which a growing backlog is worth a warning
     */
    FallingBehind(int samples, double latencyMs) {
        if (samples < 1 || !(latencyMs > 0)) {
            throw new IllegalArgumentException("samples must be >= 1 and latency positive");
        }
        this.samples = samples;
        this.latencyMs = latencyMs;
    }

    /**
     * One progress sample.
     *
     * @param sent frames the cameras have sent so far
     * @param predicted predictions received so far
     * @param latencyP50Ms median latency of the predictions since the last sample; NaN if none
     * @param predictionsPerSecond predictions a second since the last sample (the warning gives
     *     their mean over the samples compared)
     * @param cameraFps the cameras' frame rate together; 0 or less when they send as fast as they
     *     can (a backlog is then the point)
     * @param maxLagMs {@code inference.max-lag-ms}: above 0 late frames are shed, and counted
     * @return the warning, the first time inference is seen falling behind; null otherwise
     */
    String sample(
            long sent,
            long predicted,
            double latencyP50Ms,
            double predictionsPerSecond,
            double cameraFps,
            long maxLagMs) {
        long backlog = sent - predicted;
        history.addLast(new double[] {backlog, latencyP50Ms, predictionsPerSecond});
        if (history.size() <= samples) {
            return null;
        }
        double[] before = history.removeFirst();
        if (warned
                || maxLagMs > 0
                || cameraFps <= 0
                || !(backlog > before[0])
                || !(latencyP50Ms > before[1])
                || !(latencyP50Ms >= latencyMs)) {
            return null;
        }
        warned = true;
        // The rate over the window, not one sample's (a micro-batch more or less).
        double rate = history.stream().mapToDouble(h -> h[2]).average().orElse(Double.NaN);
        return String.format(
                Locale.ROOT,
                "inference is falling behind the cameras: %d frames wait in Kafka and latency p50 is"
                        + " %.1f s and growing (%.1f predictions/s for cameras of %.1f frames/s"
                        + " together); every frame is kept however late (inference.max-lag-ms=0): shed"
                        + " late frames with -D inference.max-lag-ms=1000, or lower --fps, or give"
                        + " inference more cores",
                backlog,
                latencyP50Ms / 1000,
                rate,
                cameraFps);
    }
}
