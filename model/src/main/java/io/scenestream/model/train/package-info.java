/**
 * Supervised training and evaluation: the trainer, its optimizer and learning-rate schedule, the
 * initialisation of the output layers.
 */
package io.scenestream.model.train;
