package io.scenestream.dashboard;

import io.scenestream.frames.viz.NyuPalette;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.PredictionMaps;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One camera as the dashboard sees it: its latest frame (and a few before it, to draw a prediction
 * over the frame it was made from), its latest prediction, rates and latencies over the last
 * samples, the model versions it has served, its last dead letters and pseudo-label. Everything is
 * bounded. Thread-safe: the reader thread writes, HTTP threads read.
 */
final class CameraState {

    /** Frames kept besides the latest, for overlays; fewer when they are large. */
    static final int RECENT_FRAMES = 8;

    static final long RECENT_FRAME_BYTES = 16 << 20;
    static final int DEAD_LETTERS_KEPT = 20;
    static final int VERSIONS_KEPT = 32;

    /** Predictions kept by sequence, so that a key frame's pseudo-label finds the student's. */
    static final int RECENT_PREDICTIONS = 64;

    static final long RECENT_PREDICTION_BYTES = 8 << 20;

    /** Pseudo-labels kept for the charts: agreement, labelled and depth shares over time. */
    static final int PSEUDO_LABEL_HISTORY = 240;

    /** Rates are measured over this much of the latest records' time. */
    static final long RATE_WINDOW_MS = 10_000;

    private final String id;
    private final Recent<Frame> recentFrames =
            new Recent<>(RECENT_FRAMES, RECENT_FRAME_BYTES, f -> f.getPayload().size());
    private final Samples frameTimes = new Samples(256);
    private final Samples predictionTimes = new Samples(512);
    private final Samples pseudoLabelTimes = new Samples(256);
    private final Recent<Prediction> recentPredictions =
            new Recent<>(
                    RECENT_PREDICTIONS,
                    RECENT_PREDICTION_BYTES,
                    p -> p.getSegmentationPng().size() + p.getDepthPng().size());
    private final ArrayDeque<Views.PseudoLabelPoint> pseudoLabelHistory = new ArrayDeque<>();
    private final ArrayDeque<Views.ServedVersion> served = new ArrayDeque<>();
    private final ArrayDeque<Views.DeadLetter> deadLetters = new ArrayDeque<>();
    private long frames;
    private Frame latestFrame;
    private long predictions;
    private Prediction latestPrediction;
    private long pseudoLabels;
    private Views.PseudoLabel lastPseudoLabel;
    private PseudoLabel keyFrame;
    private Prediction keyFramePrediction;
    private long deadLetterCount;
    private long lastRecordMs;
    private long changes;
    private long classesOfSequence = -1;
    private BitSet classes = new BitSet();

    CameraState(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    synchronized void onFrame(Frame f, long recordMs) {
        frames++;
        latestFrame = f;
        recentFrames.put(f.getSequence(), f);
        frameTimes.add(f.getCaptureTimeUs() > 0 ? f.getCaptureTimeUs() / 1000 : recordMs, 1);
        touched(recordMs);
    }

    synchronized void onPrediction(Prediction p, long recordMs) {
        predictions++;
        latestPrediction = p;
        recentPredictions.put(p.getSequence(), p);
        if (keyFrame != null
                && keyFramePrediction == null
                && keyFrame.getSequence() == p.getSequence()) {
            keyFramePrediction = p;
        }
        long emitMs = p.getEmitTimeUs() > 0 ? p.getEmitTimeUs() / 1000 : recordMs;
        predictionTimes.add(emitMs, latencyMs(p, recordMs));
        Views.ServedVersion last = served.peekLast();
        if (last == null
                || last.version() != p.getModelVersion()
                || !last.model().equals(p.getModelName())) {
            served.addLast(
                    new Views.ServedVersion(
                            p.getModelName(), p.getModelVersion(), emitMs, p.getSequence()));
            while (served.size() > VERSIONS_KEPT) {
                served.removeFirst();
            }
        }
        touched(recordMs);
    }

    synchronized void onPseudoLabel(PseudoLabel p, long recordMs) {
        pseudoLabels++;
        keyFrame = p;
        keyFramePrediction = recentPredictions.get(p.getSequence());
        pseudoLabelHistory.addLast(
                new Views.PseudoLabelPoint(
                        recordMs,
                        p.getSequence(),
                        p.getStudentVersion(),
                        Views.finite(p.getConfidentShare()),
                        Views.finite(p.getConsistentDepthShare()),
                        Views.finite(p.getStudentAgreement())));
        while (pseudoLabelHistory.size() > PSEUDO_LABEL_HISTORY) {
            pseudoLabelHistory.removeFirst();
        }
        long t = p.getCaptureTimeUs() > 0 ? p.getCaptureTimeUs() / 1000 : recordMs;
        pseudoLabelTimes.add(recordMs, 1);
        lastPseudoLabel =
                new Views.PseudoLabel(
                        p.getSequence(),
                        t,
                        p.getTeacherName(),
                        p.getTeacherVersion(),
                        p.getStudentName(),
                        p.getStudentVersion(),
                        p.getWidth(),
                        p.getHeight(),
                        Views.finite(p.getConfidentShare()),
                        Views.finite(p.getConsistentDepthShare()),
                        Views.finite(p.getStudentAgreement()));
        touched(recordMs);
    }

    synchronized void onDeadLetter(Views.DeadLetter d) {
        deadLetterCount++;
        deadLetters.addLast(d);
        while (deadLetters.size() > DEAD_LETTERS_KEPT) {
            deadLetters.removeFirst();
        }
        touched(d.timeMs());
    }

    private void touched(long recordMs) {
        lastRecordMs = Math.max(lastRecordMs, recordMs);
        changes++;
    }

    /**
     * Capture to emission: the prediction's own total, else its emission time less its capture
     * time, else its record's timestamp less its capture time; NaN when none is known.
     */
    static double latencyMs(Prediction p, long recordMs) {
        if (p.hasTimings() && p.getTimings().getTotalMs() > 0) {
            return p.getTimings().getTotalMs();
        }
        if (p.getCaptureTimeUs() > 0 && p.getEmitTimeUs() > 0) {
            return (p.getEmitTimeUs() - p.getCaptureTimeUs()) / 1000.0;
        }
        if (p.getCaptureTimeUs() > 0 && recordMs > 0) {
            return recordMs - p.getCaptureTimeUs() / 1000.0;
        }
        return Double.NaN;
    }

    /** Counts changes: the events stream sends one when it moved. */
    synchronized long changes() {
        return changes;
    }

    synchronized long lastRecordMs() {
        return lastRecordMs;
    }

    synchronized Frame latestFrame() {
        return latestFrame;
    }

    synchronized Prediction latestPrediction() {
        return latestPrediction;
    }

    /** The last pseudo-labelled key frame (with its images), or null. */
    synchronized PseudoLabel keyFrame() {
        return keyFrame;
    }

    /** The student's prediction of the last key frame, or null when it was not read. */
    synchronized Prediction keyFramePrediction() {
        return keyFramePrediction;
    }

    /** The frame of {@code sequence} if it is still kept, else null. */
    synchronized Frame frame(long sequence) {
        return recentFrames.get(sequence);
    }

    /** The latencies kept, ms, without unknown ones. */
    synchronized double[] latencies() {
        return Arrays.stream(predictionTimes.values()).filter(Double::isFinite).toArray();
    }

    /**
     * Predictions per second over the last {@link #RATE_WINDOW_MS} of their emission times; 0 once
     * the camera has been silent for twice that long by {@code nowMs}.
     */
    synchronized double predictionsPerSecond(long nowMs) {
        return live(nowMs) ? predictionTimes.ratePerSecond(RATE_WINDOW_MS) : 0;
    }

    /** Whether the camera's latest record is recent enough for its rates to hold now. */
    private boolean live(long nowMs) {
        return nowMs - lastRecordMs <= 2 * RATE_WINDOW_MS;
    }

    synchronized long deadLetterCount() {
        return deadLetterCount;
    }

    synchronized String servingVersion() {
        return latestPrediction == null
                ? null
                : latestPrediction.getModelName() + " v" + latestPrediction.getModelVersion();
    }

    /**
     * The classes present in the latest prediction's segmentation, decoded once per prediction;
     * empty when it has none or it cannot be decoded.
     */
    synchronized BitSet classesPresent() {
        Prediction p = latestPrediction;
        if (p == null || p.getSegmentationPng().isEmpty()) {
            return new BitSet();
        }
        if (classesOfSequence != p.getSequence()) {
            classesOfSequence = p.getSequence();
            BitSet present = new BitSet();
            try {
                for (byte c :
                        PredictionMaps.segmentation(
                                p.getSegmentationPng().toByteArray(),
                                p.getWidth(),
                                p.getHeight())) {
                    present.set(c & 0xff);
                }
                present.clear(NyuPalette.IGNORE);
            } catch (RuntimeException e) {
                present.clear();
            }
            classes = present;
        }
        return (BitSet) classes.clone();
    }

    /** The camera's summary, as {@code /api/cameras} lists it. */
    Map<String, Object> summary(long nowMs, NyuPalette palette) {
        BitSet present = classesPresent();
        synchronized (this) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("frames", frames);
            m.put("predictions", predictions);
            m.put("deadLetters", deadLetterCount);
            m.put("pseudoLabels", pseudoLabels);
            boolean live = live(nowMs);
            m.put(
                    "framesPerSecondIn",
                    live ? round(frameTimes.ratePerSecond(RATE_WINDOW_MS)) : 0.0);
            m.put(
                    "framesPerSecond",
                    live ? round(predictionTimes.ratePerSecond(RATE_WINDOW_MS)) : 0.0);
            double[] lat =
                    Arrays.stream(predictionTimes.values()).filter(Double::isFinite).toArray();
            m.put("latencyP50Ms", roundOrNull(Samples.quantile(lat, 0.5)));
            m.put("latencyP99Ms", roundOrNull(Samples.quantile(lat, 0.99)));
            m.put("lastFrameSequence", latestFrame == null ? null : latestFrame.getSequence());
            Prediction p = latestPrediction;
            m.put("lastSequence", p == null ? null : p.getSequence());
            m.put("model", p == null ? null : p.getModelName());
            m.put("modelVersion", p == null ? null : p.getModelVersion());
            m.put("width", p == null ? null : p.getWidth());
            m.put("height", p == null ? null : p.getHeight());
            m.put(
                    "confidence",
                    p == null || !p.hasConfidence()
                            ? null
                            : round(p.getConfidence().getMeanMaxProbability()));
            m.put(
                    "pseudoLabelsPerMinute",
                    round(pseudoLabelTimes.countSince(lastRecordMs - 60_000)));
            m.put(
                    "pseudoLabelShare",
                    predictions == 0 ? null : round((double) pseudoLabels / predictions));
            m.put("lastUpdateMs", lastRecordMs == 0 ? null : lastRecordMs);
            m.put(
                    "secondsSinceUpdate",
                    lastRecordMs == 0 ? null : round(Math.max(0, nowMs - lastRecordMs) / 1000.0));
            List<Map<String, Object>> legend = new ArrayList<>();
            for (int c = present.nextSetBit(0); c >= 0; c = present.nextSetBit(c + 1)) {
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("id", c);
                k.put("name", c < palette.size() ? palette.classNames().get(c) : "class " + c);
                k.put(
                        "color",
                        String.format(
                                "#%06x", c < palette.size() ? palette.rgb(c) : Pictures.UNKNOWN));
                legend.add(k);
            }
            m.put("classes", legend);
            return m;
        }
    }

    /** The summary with the versions served, the last dead letters and the last pseudo-label. */
    Map<String, Object> detail(long nowMs, NyuPalette palette) {
        Map<String, Object> m = summary(nowMs, palette);
        synchronized (this) {
            m.put("served", new ArrayList<>(served));
            List<Views.DeadLetter> dl = new ArrayList<>(deadLetters);
            Collections.reverse(dl);
            m.put("recentDeadLetters", dl);
            m.put("lastPseudoLabel", lastPseudoLabel);
            m.put(
                    "keyFramePrediction",
                    keyFramePrediction == null
                            ? null
                            : Map.of(
                                    "sequence", keyFramePrediction.getSequence(),
                                    "model", keyFramePrediction.getModelName(),
                                    "version", keyFramePrediction.getModelVersion()));
            m.put("pseudoLabelHistory", new ArrayList<>(pseudoLabelHistory));
            Prediction p = latestPrediction;
            if (p != null && p.hasTimings()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("queueMs", round(p.getTimings().getQueueMs()));
                t.put("decodeMs", round(p.getTimings().getDecodeMs()));
                t.put("inferenceMs", round(p.getTimings().getInferenceMs()));
                t.put("totalMs", round(p.getTimings().getTotalMs()));
                m.put("lastTimings", t);
            }
        }
        return m;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static Double roundOrNull(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }
}
