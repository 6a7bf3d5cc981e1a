package io.scenestream.operators;

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
 */
public record SelfTrainingSettings(String studentCheckpoint, SelfTrainer.Settings trainer, int roundEvery,
        long roundIntervalMs, String updateKey) implements Serializable {

    public SelfTrainingSettings {
        if (studentCheckpoint == null || studentCheckpoint.isBlank()) {
            throw new IllegalArgumentException("self-training needs the student checkpoint");
        }
        if (roundEvery < 1 || roundIntervalMs < 1) {
            throw new IllegalArgumentException("self-training round trigger must be at least 1 frame and 1 ms");
        }
        updateKey = updateKey == null ? "" : updateKey;
    }
}
