/**
 * The model tools ({@code bin/scenestream-model}): train, evaluate, export, probe and the synthetic
 * world's commands under one name.
 */
package io.scenestream.model.cli;
