/**
 * Labelled data on disk and its augmentation: the NYUD layout (with its {@code .npy} depth maps),
 * sample sources for training and evaluation, photometric and geometric augmentation.
 */
package io.scenestream.frames.data;
