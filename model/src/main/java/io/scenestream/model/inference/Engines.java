package io.scenestream.model.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Engine switches that DJL leaves to the caller. */
public final class Engines {

    private Engines() {}

    /**
     * Turns autograd recording off on the calling thread. libtorch keeps grad mode per thread and
     * DJL turns it off only on the thread that created the engine, so every inference thread calls
     * this once before its first forward pass; training turns it back on inside its
     * GradientCollector.
     */
    public static void disableGradients() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }
}
