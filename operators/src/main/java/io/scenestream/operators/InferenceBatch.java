package io.scenestream.operators;

import io.scenestream.frames.FramePrediction;
import io.scenestream.kafka.flink.DeadLetter;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.model.inference.MtiNetPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A micro-batch of the inference operator: the model that serves it, its frames and predictions,
 * the records that leave.
 */
final class InferenceBatch {

    final MtiNetPredictor predictor;
    final String name;
    final long version;

    /** The camera or group whose adapted parameters run the batch; empty for the fleet's. */
    final String scope;

    /** The records that were not frames, emitted with the batch. */
    final List<DeadLetter> deadLetters = new ArrayList<>();

    List<DecodedFrame> frames;
    List<FramePrediction> predictions;
    RawPrediction[] out;

    /** Beside the task: when the batch is decoded, predicted and encoded. */
    CompletableFuture<Void> done;

    InferenceBatch(MtiNetPredictor predictor, String name, long version, String scope) {
        this.predictor = predictor;
        this.name = name;
        this.version = version;
        this.scope = scope;
    }

    /**
     * Takes the frames among decoding results, in their order; the records that were not frames
     * become dead letters.
     */
    void takeDecoded(FrameDecoder.Result[] results) {
        frames = new ArrayList<>(results.length);
        for (FrameDecoder.Result r : results) {
            if (r.deadLetter() == null) {
                frames.add(r.frame());
            } else {
                deadLetters.add(r.deadLetter());
            }
        }
    }

    /** What the inference operator does to a batch, whichever thread it runs on. */
    interface Stages {
        /** Runs the batch's frames through its model and fills in its records but their maps. */
        void runModel(InferenceBatch b);

        /** Encodes one frame's maps and confidence summary into its record. */
        void encode(FramePrediction p, RawPrediction r);

        /**
         * Emits the batch's dead letters, then its predictions (and key frames) in order; on the
         * task's thread.
         */
        void emit(InferenceBatch b);
    }

    /**
     * How the inference operator runs its batches: decoding, the model and encoding on the task's
     * own thread with helpers ({@link OnTaskThread}, for a CPU), or beside it ({@link BesideTask},
     * for a GPU).
     */
    interface Execution {
        /** A record joined the operator's buffer. */
        void added(RawRecord record);

        /**
         * The buffered {@code records} go to the model as batch {@code b}; the operator clears its
         * buffer after the call, so they are read before it returns.
         */
        void run(InferenceBatch b, List<RawRecord> records) throws Exception;

        /**
         * Emits the batches beside the task that are done, oldest first, waiting until at most
         * {@code keep} remain.
         */
        void emitFinished(int keep) throws InterruptedException;

        /** Stops its threads; false if the model may still be running, so must not be closed. */
        boolean stop() throws InterruptedException;
    }
}
