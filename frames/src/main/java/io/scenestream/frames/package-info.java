/**
 * Frames, labelled samples and predictions as plain Java arrays, the currency of every module; no
 * DJL, so producers and the recorder carry no libtorch.
 */
package io.scenestream.frames;
