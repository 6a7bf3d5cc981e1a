/**
 * Self-training rounds: pseudo-labels from the teacher's confident pixels, distillation into the
 * student, and the check that decides whether a candidate serves.
 */
package io.scenestream.model.selftrain;
