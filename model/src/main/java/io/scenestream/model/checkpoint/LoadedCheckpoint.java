package io.scenestream.model.checkpoint;

import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.numerics.NumericsSelfTest;
import java.nio.file.Path;

/**
 * A checkpoint read by {@link Checkpoints#load}: its manifest and the network built from the
 * manifest's architecture, initialised and holding the checkpoint's weights, ready for {@code
 * forward}.
 *
 * <p>The network's parameters belong to the {@link ai.djl.ndarray.NDManager} passed to {@code
 * load}; the caller owns that manager and closes it when done with the network. This record holds
 * no native resources of its own.
 *
 * @param file the checkpoint file read
 * @param manifest its manifest
 * @param net the loaded network
 * @param numerics what its numerics self-test found: the kernel path it runs on here
 */
public record LoadedCheckpoint(
        Path file, CheckpointManifest manifest, MtiNet net, NumericsSelfTest.Verdict numerics) {

    /** The network's architecture. */
    public MtiNetConfig config() {
        return manifest.toConfig();
    }
}
