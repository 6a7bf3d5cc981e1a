package io.scenestream.model.selftrain;

import ai.djl.nn.Parameter;
import java.util.Locale;
import java.util.Map;

/**
 * Which of the student's parameters self-training updates; the others stay as they are (frozen: no
 * gradient, no optimiser state). Fewer parts make a step cheaper (no gradient flows into what is
 * frozen) and an adapted student a smaller difference from the shipped one.
 */
public enum TrainedParts {
    /** Every parameter. */
    ALL,
    /**
     * Everything but the backbone: MTI-Net's multi-scale multi-modal distillation, feature
     * propagation and task heads. The backbone's weights stay the shipped ones and no gradient
     * flows back into it (its BatchNorm running statistics follow the scene, as in every part: each
     * training step updates them).
     */
    HEADS,
    /**
     * The BatchNorm scale and shift of every layer (and, as in any training step, the running
     * statistics): a small part (0.3% of the student {@code lite}'s values) that re-centres
     * features to a new scene's light.
     */
    BATCHNORM;

    /** Whether {@code p}, under its state-dict name, is trained. */
    public boolean trains(String name, Parameter p) {
        return switch (this) {
            case ALL -> true;
            case HEADS -> !name.startsWith("backbone.");
            case BATCHNORM ->
                    p.getType() == Parameter.Type.GAMMA || p.getType() == Parameter.Type.BETA;
        };
    }

    /**
     * Freezes the parameters of {@code params} (state-dict name to parameter) that this does not
     * train; returns how many values are trained.
     */
    public long apply(Map<String, Parameter> params) {
        long trained = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (p.getType() == Parameter.Type.RUNNING_MEAN
                    || p.getType() == Parameter.Type.RUNNING_VAR) {
                continue;
            }
            boolean train = trains(e.getKey(), p);
            if (!train) {
                p.freeze(true);
            } else {
                trained += p.getArray().size();
            }
        }
        return trained;
    }

    /** {@code all}, {@code heads} or {@code batchnorm}, any case. */
    public static TrainedParts parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "trained parts must be all, heads or batchnorm, got " + s);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
