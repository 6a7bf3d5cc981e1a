package io.scenestream.operators;

import io.scenestream.model.data.DataSpec;
import io.scenestream.model.inference.TorchThreads;
import io.scenestream.model.selftrain.SelfTrainer;
import java.io.Serializable;

/**
 * How the student keeps learning online.
 *
 * @param studentCheckpoint the shipped student's {@code .ckpt.zip}: where training starts when the
 *     job has no state
 * @param trainer buffer sizes, steps per round, batch, learning rate
 * @param roundEvery a round starts after this many new training frames
 * @param roundIntervalMs or after this long, if any new frame came
 * @param updateKey key to sign updates with (HMAC-SHA256); empty for unsigned
 * @param sourceData labelled source-domain frames mixed into training against forgetting, as a data
 *     spec ({@code synthetic:day}, {@code nyud:PATH}); empty for none
 * @param sourceFrames how many such frames to keep
 * @param sourceShare chance that a training frame comes from them
 * @param niceness nice value (0..19) of the thread that runs the rounds, so that training uses the
 *     cores inference leaves idle and yields them to it; 0 leaves its priority
 * @param threads libtorch threads of that thread (see {@link TorchThreads}); 0 for libtorch's
 *     default
 * @param acceptTolerance agreement a candidate may lose against the serving student and still be
 *     accepted (see {@link SelfTrainer#acceptWithin}), in [0, 1)
 */
public record SelfTrainingSettings(
        String studentCheckpoint,
        SelfTrainer.Settings trainer,
        int roundEvery,
        long roundIntervalMs,
        String updateKey,
        String sourceData,
        int sourceFrames,
        double sourceShare,
        int niceness,
        int threads,
        double acceptTolerance)
        implements Serializable {

    /** Without source frames. */
    public SelfTrainingSettings(
            String studentCheckpoint,
            SelfTrainer.Settings trainer,
            int roundEvery,
            long roundIntervalMs,
            String updateKey) {
        this(studentCheckpoint, trainer, roundEvery, roundIntervalMs, updateKey, "", 0, 0, 0, 0, 0);
    }

    public SelfTrainingSettings {
        if (studentCheckpoint == null || studentCheckpoint.isBlank()) {
            throw new IllegalArgumentException("self-training needs the student checkpoint");
        }
        if (roundEvery < 1 || roundIntervalMs < 1) {
            throw new IllegalArgumentException(
                    "self-training round trigger must be at least 1 frame and 1 ms");
        }
        updateKey = updateKey == null ? "" : updateKey;
        sourceData = sourceData == null ? "" : sourceData;
        if (!sourceData.isEmpty()) {
            DataSpec.parse(sourceData);
        }
        if (sourceFrames < 0 || !(sourceShare >= 0 && sourceShare <= 1)) {
            throw new IllegalArgumentException(
                    "source frames must be >= 0 and their share in [0, 1]");
        }
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException(
                    "self-training nice value must be in 0..19, got " + niceness);
        }
        if (!(acceptTolerance >= 0 && acceptTolerance < 1)) {
            throw new IllegalArgumentException(
                    "acceptance tolerance must be in [0, 1), got " + acceptTolerance);
        }
        if (threads < 0) {
            throw new IllegalArgumentException(
                    "self-training threads must be >= 0 (0: libtorch's default), got " + threads);
        }
    }
}
