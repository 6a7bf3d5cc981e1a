/**
 * MTI-Net's multi-task loss: cross-entropy for segmentation, L1 for depth, deep supervision of the
 * initial predictions at every scale.
 */
package io.scenestream.model.loss;
