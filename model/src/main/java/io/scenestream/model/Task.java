package io.scenestream.model;

import java.util.Objects;

/**
 * A dense prediction task of the network: its name (as the reference names it, used in parameter
 * names and outputs), its kind (which decides loss, metrics and post-processing) and its number of
 * output channels.
 */
public record Task(String name, Kind kind, int channels) {

    /** What a task predicts. */
    public enum Kind {
        /** Per-pixel class logits; cross-entropy loss, mIoU. */
        SEGMENTATION,
        /** Per-pixel metric depth in metres, raw regression; L1 loss, RMSE. */
        DEPTH
    }

    /** Name of the semantic segmentation task in the reference. */
    public static final String SEMSEG = "semseg";

    /** Name of the depth task in the reference. */
    public static final String DEPTH = "depth";

    public Task {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("task name must be lower-case identifier: " + name);
        }
        if (channels <= 0) {
            throw new IllegalArgumentException("task " + name + " needs a positive channel count");
        }
        if (kind == Kind.DEPTH && channels != 1) {
            throw new IllegalArgumentException(
                    "depth task " + name + " has 1 channel, not " + channels);
        }
        if (kind == Kind.SEGMENTATION && channels < 2) {
            throw new IllegalArgumentException(
                    "segmentation task " + name + " needs at least 2 classes");
        }
    }

    /** Semantic segmentation into {@code classes} classes. */
    public static Task semseg(int classes) {
        return new Task(SEMSEG, Kind.SEGMENTATION, classes);
    }

    /** Monocular depth in metres. */
    public static Task depth() {
        return new Task(DEPTH, Kind.DEPTH, 1);
    }
}
