package io.scenestream.model.numerics;

import io.scenestream.model.checkpoint.CheckpointException;
import java.nio.file.Path;

/**
 * A model whose numbers are wrong on this machine: its numerics probe does not reproduce on any
 * kernel path the process may use. The message names the model, the device, the processor, the
 * kernel paths tried and the size of the mismatch. A {@link CheckpointException}, so every caller
 * that refuses an unusable checkpoint refuses such a model too.
 */
public class NumericsException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    public NumericsException(Path file, String problem) {
        super(file, problem);
    }

    public NumericsException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
