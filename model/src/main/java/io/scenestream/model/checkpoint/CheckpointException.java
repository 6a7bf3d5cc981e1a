package io.scenestream.model.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file cannot be used: it is missing, not a SceneStream checkpoint, truncated or
 * damaged, has an invalid or too new manifest, fails its checksum, or holds weights or an
 * architecture that do not fit. The message names the file and what is wrong; {@link #getFile()}
 * gives the file.
 */
public class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public CheckpointException(Path file, String problem) {
        super(describe(file, problem));
        this.file = file;
        this.problem = problem;
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(describe(file, problem), cause);
        this.file = file;
        this.problem = problem;
    }

    /** What is wrong, without the file's name. */
    public String getProblem() {
        return problem;
    }

    /** The checkpoint file the problem is in. */
    public Path getFile() {
        return file;
    }

    private static String describe(Path file, String problem) {
        return "checkpoint " + file + ": " + problem;
    }
}
