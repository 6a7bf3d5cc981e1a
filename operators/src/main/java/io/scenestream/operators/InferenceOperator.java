package io.scenestream.operators;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.FramePrediction;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.inference.RgbFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs MTI-Net on frames in micro-batches: a batch goes to the model when it holds {@code
 * maxBatch} frames or its first frame has waited {@code maxDelayMs}. One model per parallel
 * instance, loaded in {@link #open} on the configured device and closed in {@link #close}.
 * Buffered frames are flushed before every checkpoint barrier and at the end of input, so none is
 * lost on recovery. Frames leave in the order they came, so a camera's order is kept.
 */
public class InferenceOperator extends AbstractStreamOperator<RawPrediction>
        implements OneInputStreamOperator<DecodedFrame, RawPrediction> {

    private static final long serialVersionUID = 1L;

    private final InferenceSettings settings;

    private transient Model model;
    private transient LoadedCheckpoint loaded;
    private transient MtiNetPredictor predictor;
    private transient List<DecodedFrame> buffer;
    private transient long timerGeneration;
    private transient Meter framesOut;
    private transient volatile int lastBatch;
    private transient volatile double lastInferenceMs;
    private transient volatile double lastLatencyMs;

    public InferenceOperator(InferenceSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        Device device = device();
        model = Model.newInstance("inference", device);
        loaded = Checkpoints.load(Path.of(settings.checkpoint()), model.getNDManager());
        predictor = new MtiNetPredictor(loaded.net(), model.getNDManager(), settings.inputHeight(),
                settings.inputWidth(), false);
        buffer = new ArrayList<>(settings.maxBatch());
        framesOut = getMetricGroup().meter("framesPerSecond", new MeterView(10));
        getMetricGroup().gauge("batchSize", () -> lastBatch);
        getMetricGroup().gauge("inferenceMsPerFrame", () -> lastInferenceMs);
        getMetricGroup().gauge("captureToInferredMs", () -> lastLatencyMs);
        getMetricGroup().gauge("modelVersion", () -> loaded.manifest().modelVersion());
        LOG.info("inference subtask {} runs {} v{} on {}", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                loaded.manifest().modelName(), loaded.manifest().modelVersion(), device);
    }

    private Device device() {
        String d = settings.device();
        if (d.equals("cpu")) {
            return Device.cpu();
        }
        if (d.startsWith("gpu:")) {
            return Device.gpu(Integer.parseInt(d.substring(4)));
        }
        Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos("gpu");
        for (ExternalResourceInfo info : gpus) {
            if (info.getProperty("index").isPresent()) {
                return Device.gpu(Integer.parseInt(info.getProperty("index").get()));
            }
        }
        int count = Engine.getInstance().getGpuCount();
        if (count == 0) {
            throw new IllegalStateException("device gpu requested but this task manager has no GPU");
        }
        return Device.gpu(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() % count);
    }

    @Override
    public void processElement(StreamRecord<DecodedFrame> element) throws Exception {
        buffer.add(element.getValue());
        if (buffer.size() >= settings.maxBatch()) {
            flush();
        } else if (buffer.size() == 1) {
            long generation = ++timerGeneration;
            long at = getProcessingTimeService().getCurrentProcessingTime() + settings.maxDelayMs();
            getProcessingTimeService().registerTimer(at, time -> {
                if (generation == timerGeneration && !buffer.isEmpty()) {
                    flush();
                }
            });
        }
    }

    private void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        timerGeneration++;
        List<RgbFrame> frames = new ArrayList<>(buffer.size());
        for (DecodedFrame f : buffer) {
            frames.add(new RgbFrame(f.width, f.height, f.rgb));
        }
        long start = System.nanoTime();
        List<FramePrediction> predictions = predictor.predict(frames);
        float perFrameMs = (System.nanoTime() - start) / 1e6f / frames.size();
        String name = loaded.manifest().modelName();
        long version = loaded.manifest().modelVersion();
        for (int i = 0; i < buffer.size(); i++) {
            DecodedFrame f = buffer.get(i);
            FramePrediction p = predictions.get(i);
            RawPrediction r = new RawPrediction();
            r.cameraId = f.cameraId;
            r.sequence = f.sequence;
            r.captureTimeUs = f.captureTimeUs;
            r.decodeStartUs = f.decodeStartUs;
            r.decodeMs = f.decodeMs;
            r.inferenceMs = perFrameMs;
            r.modelName = name;
            r.modelVersion = version;
            r.width = p.width();
            r.height = p.height();
            r.depthMm = p.depth() == null ? null : PredictionMaps.millimetres(p.depth());
            r.classes = p.classes();
            if (p.classes() != null) {
                r.meanConfidence = (float) p.meanConfidence();
                r.confidentShare = (float) p.confidentShare(settings.confidenceThreshold());
                r.confidenceThreshold = settings.confidenceThreshold();
            }
            lastLatencyMs = System.currentTimeMillis() - f.captureTimeUs / 1000.0;
            framesOut.markEvent();
            output.collect(new StreamRecord<>(r));
        }
        lastBatch = buffer.size();
        lastInferenceMs = perFrameMs;
        buffer.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (predictor != null) {
                predictor.close();
            }
            if (model != null) {
                model.close();
            }
        } finally {
            super.close();
        }
    }
}
