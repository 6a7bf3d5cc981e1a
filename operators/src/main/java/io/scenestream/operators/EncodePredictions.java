package io.scenestream.operators;

import com.google.protobuf.UnsafeByteOperations;
import io.scenestream.kafka.flink.SerializedPrediction;
import io.scenestream.kafka.proto.ConfidenceSummary;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.Timings;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Makes the Protocol Buffers record of a prediction whose maps the inference operator has encoded,
 * stamping the emit time. Chained to inference (see {@code SceneStreamJob}): nothing is copied to
 * another task.
 */
public class EncodePredictions extends RichMapFunction<RawPrediction, SerializedPrediction> {

    private static final long serialVersionUID = 1L;

    private transient volatile double lastLatencyMs;

    @Override
    public void open(OpenContext ctx) {
        getRuntimeContext().getMetricGroup().gauge("captureToEmitMs", () -> lastLatencyMs);
    }

    @Override
    public SerializedPrediction map(RawPrediction r) {
        Prediction.Builder b =
                Prediction.newBuilder()
                        .setCameraId(r.cameraId)
                        .setSequence(r.sequence)
                        .setCaptureTimeUs(r.captureTimeUs)
                        .setModelName(r.modelName)
                        .setModelVersion(r.modelVersion)
                        .setAdaptationScope(r.scope == null ? "" : r.scope)
                        .setWidth(r.width)
                        .setHeight(r.height);
        // The PNGs are the encoder's own fresh arrays, never written again: wrapped, not copied.
        if (r.depthPng != null) {
            b.setDepthPng(UnsafeByteOperations.unsafeWrap(r.depthPng));
        }
        if (r.segmentationPng != null) {
            b.setSegmentationPng(UnsafeByteOperations.unsafeWrap(r.segmentationPng));
            b.setConfidence(
                    ConfidenceSummary.newBuilder()
                            .setMeanMaxProbability(r.meanConfidence)
                            .setConfidentShare(r.confidentShare)
                            .setThreshold(r.confidenceThreshold));
        }
        long emitUs = System.currentTimeMillis() * 1000;
        b.setEmitTimeUs(emitUs)
                .setTimings(
                        Timings.newBuilder()
                                .setQueueMs((r.decodeStartUs - r.captureTimeUs) / 1000f)
                                .setDecodeMs(r.decodeMs)
                                .setInferenceMs(r.inferenceMs)
                                .setTotalMs((emitUs - r.captureTimeUs) / 1000f));
        lastLatencyMs = (emitUs - r.captureTimeUs) / 1000.0;
        return new SerializedPrediction(
                r.cameraId, r.sequence, r.modelVersion, b.build().toByteArray());
    }
}
