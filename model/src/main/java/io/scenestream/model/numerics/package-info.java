/**
 * Correct numbers on every machine: which CPU kernels libtorch uses, a convolution check before the
 * first network, and the probe every checkpoint carries and every load reruns.
 */
package io.scenestream.model.numerics;
