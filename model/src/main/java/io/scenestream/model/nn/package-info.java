/**
 * MTI-Net's blocks, one class per module of the paper: the HRNet backbone, initial task prediction,
 * multi-modal distillation, feature propagation and the high-resolution task heads.
 */
package io.scenestream.model.nn;
