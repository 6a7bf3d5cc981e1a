package io.scenestream.operators;

import io.scenestream.model.inference.TorchThreads;
import java.io.Serializable;

/**
 * How an inference operator runs its model.
 *
 * @param checkpoint path of the model's {@code .ckpt.zip}, readable on every task manager
 * @param inputHeight model input rows (multiple of 32)
 * @param inputWidth model input columns (multiple of 32)
 * @param maxBatch largest micro-batch
 * @param maxDelayMs longest a frame waits for its batch to fill
 * @param device {@code cpu}, {@code gpu} (the slot's GPU external resource, else subtask index
 *     modulo the GPUs) or {@code gpu:N}
 * @param confidenceThreshold probability at which a pixel counts as confident in the summary
 * @param keyFrameEvery every n-th frame of a camera is offered to the teacher as a key frame (the
 *     teacher's shortest stride); 0 for none (no self-training)
 * @param updateKey key that model updates must be signed with (HMAC-SHA256); empty accepts unsigned
 *     updates
 * @param threads libtorch threads of the inference thread (see {@link TorchThreads}); 0 for
 *     libtorch's default (all cores, or {@code OMP_NUM_THREADS})
 * @param codecThreads threads that decode a batch's frames and encode its maps as PNG, the
 *     operator's own included (with {@code overlapCodecs}, threads of their own); 0 for as many as
 *     the batch has frames, at most the machine's cores
 * @param overlapCodecs decode frames as they arrive and encode a batch's PNGs while the model runs
 *     the next batch, on {@code codecThreads} threads of their own, rather than just before and
 *     after the model: for a model on a GPU, where the operator's cores are idle while it runs (see
 *     {@link #overlapByDefault})
 * @param maxLagMs frames older than this when they reach the operator (processing time less the
 *     record's timestamp) are shed: never decoded or inferred, counted; 0 keeps every frame,
 *     however late (a camera that outpaces inference then waits in Kafka, and latency grows)
 * @param scope which cameras adapt together: a camera's frames run with the adapted parameters of
 *     its camera or group when self-training publishes them ({@link AdaptationScope})
 */
public record InferenceSettings(
        String checkpoint,
        int inputHeight,
        int inputWidth,
        int maxBatch,
        long maxDelayMs,
        String device,
        float confidenceThreshold,
        int keyFrameEvery,
        String updateKey,
        int threads,
        int codecThreads,
        boolean overlapCodecs,
        long maxLagMs,
        AdaptationScope scope)
        implements Serializable {

    public static final int DEFAULT_MAX_BATCH = 4;
    public static final long DEFAULT_MAX_DELAY_MS = 50;
    public static final String DEFAULT_DEVICE = "cpu";
    public static final float DEFAULT_CONFIDENCE_THRESHOLD = 0.9f;

    /**
     * A builder: the checkpoint and the resolution are required, the rest has the defaults above.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link InferenceSettings}; {@code setX} are required, {@code optX} optional. */
    public static final class Builder {
        private String checkpoint;
        private int inputHeight;
        private int inputWidth;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private long maxDelayMs = DEFAULT_MAX_DELAY_MS;
        private String device = DEFAULT_DEVICE;
        private float confidenceThreshold = DEFAULT_CONFIDENCE_THRESHOLD;
        private int keyFrameEvery;
        private String updateKey = "";
        private int threads;
        private int codecThreads;
        private Boolean overlapCodecs;
        private long maxLagMs;
        private AdaptationScope scope = AdaptationScope.FLEET;

        private Builder() {}

        public Builder setCheckpoint(String checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        public Builder setResolution(int inputHeight, int inputWidth) {
            this.inputHeight = inputHeight;
            this.inputWidth = inputWidth;
            return this;
        }

        public Builder optBatch(int maxBatch, long maxDelayMs) {
            this.maxBatch = maxBatch;
            this.maxDelayMs = maxDelayMs;
            return this;
        }

        public Builder optDevice(String device) {
            this.device = device;
            return this;
        }

        public Builder optConfidenceThreshold(float confidenceThreshold) {
            this.confidenceThreshold = confidenceThreshold;
            return this;
        }

        public Builder optKeyFrameEvery(int keyFrameEvery) {
            this.keyFrameEvery = keyFrameEvery;
            return this;
        }

        public Builder optUpdateKey(String updateKey) {
            this.updateKey = updateKey;
            return this;
        }

        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder optCodecThreads(int codecThreads) {
            this.codecThreads = codecThreads;
            return this;
        }

        /** Null: {@link #overlapByDefault} for the device. */
        public Builder optOverlapCodecs(Boolean overlapCodecs) {
            this.overlapCodecs = overlapCodecs;
            return this;
        }

        /** Sheds frames older than this; 0 (the default) keeps every frame. */
        public Builder optMaxLagMs(long maxLagMs) {
            this.maxLagMs = maxLagMs;
            return this;
        }

        public Builder optScope(AdaptationScope scope) {
            this.scope = scope;
            return this;
        }

        public InferenceSettings build() {
            return new InferenceSettings(
                    checkpoint,
                    inputHeight,
                    inputWidth,
                    maxBatch,
                    maxDelayMs,
                    device,
                    confidenceThreshold,
                    keyFrameEvery,
                    updateKey,
                    threads,
                    codecThreads,
                    overlapCodecs != null ? overlapCodecs : overlapByDefault(device),
                    maxLagMs,
                    scope);
        }
    }

    /**
     * Whether decoding and encoding overlap the model unless configured: on a GPU, yes (the
     * operator's thread only waits for the device meanwhile); on a CPU, no (libtorch's threads take
     * the cores, and codecs beside them slow its parallel regions).
     */
    public static boolean overlapByDefault(String device) {
        return device != null && device.startsWith("gpu");
    }

    public InferenceSettings {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException("must set a model checkpoint");
        }
        if (inputHeight <= 0 || inputWidth <= 0 || inputHeight % 32 != 0 || inputWidth % 32 != 0) {
            throw new IllegalArgumentException(
                    "model resolution must be positive multiples of 32, got "
                            + inputHeight
                            + "x"
                            + inputWidth);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxBatch);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException(
                    "batch delay must not be negative, got " + maxDelayMs);
        }
        if (device == null || !device.matches("cpu|gpu|gpu:\\d+")) {
            throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + device);
        }
        if (!(confidenceThreshold > 0 && confidenceThreshold <= 1)) {
            throw new IllegalArgumentException(
                    "confidence threshold must be in (0, 1], got " + confidenceThreshold);
        }
        if (keyFrameEvery < 0) {
            throw new IllegalArgumentException(
                    "key-frame interval must not be negative, got " + keyFrameEvery);
        }
        if (maxLagMs < 0) {
            throw new IllegalArgumentException(
                    "max lag must not be negative (0: keep every frame), got " + maxLagMs);
        }
        updateKey = updateKey == null ? "" : updateKey;
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "inference threads must be >= 0 (0: libtorch's default), got " + threads);
        }
        if (codecThreads < 0) {
            throw new IllegalArgumentException(
                    "codec threads must be >= 0 (0: one per frame of a batch, at most the "
                            + "cores), got "
                            + codecThreads);
        }
    }

    /** The threads that decode a batch and encode its maps on a machine of {@code cores} cores. */
    public int codecThreadsOn(int cores) {
        return codecThreads > 0 ? codecThreads : Math.max(1, Math.min(maxBatch, cores));
    }
}
