package io.scenestream.model.train;

import ai.djl.training.tracker.Tracker;

/**
 * The reference's "poly" learning-rate schedule: {@code lr * (1 - step / total) ^ power}, reaching
 * zero after {@code total} updates.
 */
public final class PolyDecay implements Tracker {

    private final float base;
    private final int total;
    private final float power;

    public PolyDecay(float base, int total, float power) {
        if (total <= 0) {
            throw new IllegalArgumentException(
                    "poly decay needs a positive number of steps, got " + total);
        }
        this.base = base;
        this.total = total;
        this.power = power;
    }

    /**
     * @param numUpdate the 1-based update count DJL's optimisers pass
     */
    @Override
    public float getNewValue(int numUpdate) {
        double progress = Math.min(1.0, Math.max(0, numUpdate - 1) / (double) total);
        return (float) (base * Math.pow(1.0 - progress, power));
    }
}
