package io.scenestream.synthetic;

import io.scenestream.frames.DenseSample;
import java.util.List;

/** How the synthetic world's pictures are finished after rendering. */
public enum Look {

    /** As the renderer draws them: what the shipped models were trained on. */
    RENDERED("rendered"),

    /**
     * As a consumer camera's pictures come out: each frame gets its own exposure (darker on
     * average), contrast, sharpening or defocus, and JPEG compression ({@link PhotoFinish}).
     * Measured against nyud-mini by {@code scenestream-model gap}: real frames are darker, with
     * more contrast and texture than rendered ones.
     */
    PHOTO("photo");

    private final String specName;

    Look(String specName) {
        this.specName = specName;
    }

    /** How data specifications name it. */
    public String specName() {
        return specName;
    }

    /** The sample finished in this look; {@code key} seeds the frame's draws. */
    public DenseSample finish(DenseSample rendered, long key) {
        return this == RENDERED ? rendered : PhotoFinish.apply(rendered, key);
    }

    /** The look called {@code name}; IllegalArgumentException naming the known. */
    public static Look named(String name) {
        return SpecNames.lookup("look", name, List.of(values()), Look::specName);
    }
}
