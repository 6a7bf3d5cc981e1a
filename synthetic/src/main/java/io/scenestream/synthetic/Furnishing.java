package io.scenestream.synthetic;

import java.util.List;

/** How full the synthetic world's rooms are ({@link SceneGenerator}). */
public enum Furnishing {

    /**
     * Furniture with a few things on its tops and by the walls: what the shipped models were
     * trained on. Small objects cover about 2% of a frame.
     */
    SPARSE("sparse"),

    /**
     * As people live in rooms, and as NYU Depth v2 shows them: besides the furniture, stacks of
     * boxes, baskets, bags, clothes, heaters and fans stand by the walls; coats, towels, boards and
     * air conditioners hang on them; every top is crowded. Measured against nyud-mini by {@code
     * scenestream-model gap}, where small objects (the 13-class label {@code objects}) cover 24% of
     * a real frame.
     */
    LIVED_IN("lived-in");

    private final String specName;

    Furnishing(String specName) {
        this.specName = specName;
    }

    /** How data specifications name it. */
    public String specName() {
        return specName;
    }

    /** The furnishing called {@code name}; IllegalArgumentException naming the known. */
    public static Furnishing named(String name) {
        return SpecNames.lookup("rooms", name, List.of(values()), Furnishing::specName);
    }
}
