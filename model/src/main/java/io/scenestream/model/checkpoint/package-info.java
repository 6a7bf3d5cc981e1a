/**
 * Model checkpoints: one zip file per checkpoint holding a JSON manifest (architecture, class
 * names, training input size, provenance, weights checksum) and the weights as a PyTorch-named
 * {@code .npz} state dict. {@link io.scenestream.model.checkpoint.Checkpoints} saves and loads
 * them; every reading failure is a {@link io.scenestream.model.checkpoint.CheckpointException}.
 */
package io.scenestream.model.checkpoint;
