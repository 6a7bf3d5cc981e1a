package io.scenestream.model.train;

import ai.djl.ndarray.NDManager;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.model.Task;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.MedianScaledDepth;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.model.nn.MtiNet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Evaluates a network on the first {@code count} samples of a source, in eval mode, as the field
 * reports it: predictions are made at the network's input resolution and resized (bilinear) to the
 * label resolution, and metrics are accumulated over every valid pixel of the set.
 */
public final class Evaluation {

    private Evaluation() {}

    /**
     * Metrics over a set, with how many frames they cover.
     *
     * @param classIou IoU of each class (NaN where a class is neither labelled nor predicted);
     *     empty without segmentation labels
     */
    public record Result(
            long frames, Map<String, Double> metrics, long nonFiniteFrames, double[] classIou) {

        public Result(long frames, Map<String, Double> metrics) {
            this(frames, metrics, 0, new double[0]);
        }

        /**
         * Null if every prediction was finite and every metric is a number; else what was not, in
         * words, for an error message.
         */
        public String failure() {
            if (nonFiniteFrames > 0) {
                return "the model's outputs are NaN or infinite on "
                        + nonFiniteFrames
                        + " of "
                        + frames
                        + " frames: its numbers are wrong on this machine or its weights are broken";
            }
            for (Map.Entry<String, Double> e : metrics.entrySet()) {
                if (!Double.isFinite(e.getValue())) {
                    return "metric " + e.getKey() + " is " + e.getValue();
                }
            }
            return null;
        }

        /**
         * Metric {@code key} (see {@link SegmentationMetrics#toMap} and {@link
         * DepthMetrics#toMap}).
         */
        public double get(String key) {
            Double v = metrics.get(key);
            if (v == null) {
                throw new IllegalArgumentException("no metric " + key + " in " + metrics.keySet());
            }
            return v;
        }
    }

    /**
     * @param labelHeight rows of the labels the metrics are computed at
     * @param labelWidth columns of the labels
     * @param each called with every sample and its prediction (for panels), may be null
     */
    public static Result run(
            MtiNet net,
            NDManager manager,
            SampleSource source,
            int count,
            int batch,
            int inputHeight,
            int inputWidth,
            int labelHeight,
            int labelWidth,
            BiConsumer<DenseSample, FramePrediction> each)
            throws IOException {
        Task semseg = null;
        for (Task t : net.getConfig().tasks()) {
            if (t.kind() == Task.Kind.SEGMENTATION && semseg == null) {
                semseg = t;
            }
        }
        SegmentationMetrics seg =
                semseg == null ? null : new SegmentationMetrics(semseg.channels());
        DepthMetrics depth = new DepthMetrics();
        MedianScaledDepth scaled = new MedianScaledDepth();
        long n = source.size() < 0 ? count : Math.min(count, source.size());
        long nonFinite = 0;
        try (MtiNetPredictor predictor =
                new MtiNetPredictor(net, manager, inputHeight, inputWidth, true)) {
            for (long start = 0; start < n; start += batch) {
                List<DenseSample> samples = new ArrayList<>();
                List<RgbFrame> frames = new ArrayList<>();
                for (long i = start; i < Math.min(n, start + batch); i++) {
                    DenseSample s = source.get(i, labelHeight, labelWidth);
                    samples.add(s);
                    frames.add(new RgbFrame(s.width(), s.height(), s.rgb()));
                }
                List<FramePrediction> predictions = predictor.predict(frames);
                for (int k = 0; k < samples.size(); k++) {
                    DenseSample s = samples.get(k);
                    FramePrediction p = predictions.get(k);
                    if (p.nonFinite() > 0) {
                        nonFinite++;
                    }
                    if (seg != null && s.semseg() != null && p.classes() != null) {
                        int[] cls = new int[p.classes().length];
                        for (int i = 0; i < cls.length; i++) {
                            cls[i] = p.classAt(i);
                        }
                        seg.update(cls, s.semseg());
                    }
                    if (s.depth() != null && p.depth() != null) {
                        depth.update(p.depth(), s.depth());
                        scaled.update(p.depth(), s.depth());
                    }
                    if (each != null) {
                        each.accept(s, p);
                    }
                }
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (seg != null && seg.pixels() > 0) {
            metrics.putAll(seg.toMap());
        }
        if (depth.validPixels() > 0) {
            metrics.putAll(depth.toMap());
            if (scaled.frames() > 0) {
                metrics.putAll(scaled.toMap());
            }
        }
        double[] classIou = new double[0];
        if (seg != null && seg.pixels() > 0) {
            classIou = new double[seg.numClasses()];
            for (int c = 0; c < classIou.length; c++) {
                classIou[c] = seg.iou(c);
            }
        }
        return new Result(n, metrics, nonFinite, classIou);
    }
}
