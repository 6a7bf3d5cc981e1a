/**
 * The model benchmark ({@code bin/scenestream-model benchmark}): milliseconds a frame by model,
 * size, batch and kernel path.
 */
package io.scenestream.model.bench;
