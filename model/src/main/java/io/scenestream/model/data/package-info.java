/**
 * Samples into tensors: batching, prefetching and image normalisation for training and inference.
 */
package io.scenestream.model.data;
