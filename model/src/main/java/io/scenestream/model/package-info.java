/**
 * MTI-Net's configuration and tasks. The network lives in {@code nn}, its weights in {@code
 * weights} and {@code checkpoint}, its training in {@code train} and {@code selftrain}.
 */
package io.scenestream.model;
