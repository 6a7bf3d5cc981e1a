/**
 * The job's Flink functions: keying and decoding frames, batched inference, encoding predictions,
 * the teacher, self-training, hot swap of model updates and dead letters.
 */
package io.scenestream.operators;
