/**
 * Reference weights: reading PyTorch state dicts and mapping them onto the DJL blocks by name and
 * shape.
 */
package io.scenestream.model.weights;
