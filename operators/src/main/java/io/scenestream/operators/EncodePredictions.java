package io.scenestream.operators;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.proto.ConfidenceSummary;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.Timings;
import io.scenestream.kafka.serde.PredictionMaps;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Encodes a prediction's maps as PNG and the record as Protocol Buffers, stamping the emit time.
 * Chained to inference (see {@code SceneStreamJob}): the maps are not copied to another task, and
 * encoding runs on the inference thread between batches.
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
        Prediction.Builder b = Prediction.newBuilder()
                .setCameraId(r.cameraId).setSequence(r.sequence).setCaptureTimeUs(r.captureTimeUs)
                .setModelName(r.modelName).setModelVersion(r.modelVersion)
                .setWidth(r.width).setHeight(r.height);
        if (r.depthMm != null) {
            b.setDepthPng(ByteString.copyFrom(PredictionMaps.depthPngMm(r.depthMm, r.width, r.height)));
        }
        if (r.classes != null) {
            b.setSegmentationPng(ByteString.copyFrom(PredictionMaps.segmentationPng(r.classes, r.width, r.height)));
            b.setConfidence(ConfidenceSummary.newBuilder().setMeanMaxProbability(r.meanConfidence)
                    .setConfidentShare(r.confidentShare).setThreshold(r.confidenceThreshold));
        }
        long emitUs = System.currentTimeMillis() * 1000;
        b.setEmitTimeUs(emitUs).setTimings(Timings.newBuilder()
                .setQueueMs((r.decodeStartUs - r.captureTimeUs) / 1000f)
                .setDecodeMs(r.decodeMs)
                .setInferenceMs(r.inferenceMs)
                .setTotalMs((emitUs - r.captureTimeUs) / 1000f));
        lastLatencyMs = (emitUs - r.captureTimeUs) / 1000.0;
        return new SerializedPrediction(r.cameraId, r.sequence, r.modelVersion, b.build().toByteArray());
    }
}
