/**
 * Running a trained MTI-Net on frames: the batched predictor, engines and devices, libtorch's
 * threads and log level.
 */
package io.scenestream.model.inference;
