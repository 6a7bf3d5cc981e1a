/**
 * Evaluation metrics as the field reports them, accumulated over a whole dataset (not averaged per
 * batch): mIoU and pixel accuracy for semantic segmentation, RMSE, absolute relative error and the
 * δ thresholds for depth. Each accumulator is mergeable, so that per-worker results can be
 * combined.
 */
package io.scenestream.model.metrics;
