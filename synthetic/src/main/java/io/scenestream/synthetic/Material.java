package io.scenestream.synthetic;

/**
 * How a primitive's surface looks: the procedural texture applied to its base colour and how glossy
 * it is. The class label is separate (a wooden table and a wooden cabinet share a material).
 */
public enum Material {
    /** Flat paint or lacquer with subtle mottling. */
    PAINT(0.04, 24),
    /** Wood with grain along the longest side of the piece. */
    WOOD(0.06, 24),
    /** Woven upholstery: fine noise and soft large-scale variation. */
    FABRIC(0, 1),
    /** Smooth leather: soft variation and a broad sheen. */
    LEATHER(0.08, 12),
    /** Brushed metal: streaks and a sharp highlight. */
    METAL(0.35, 48),
    /** Matte plastic with a small highlight. */
    PLASTIC(0.1, 32),
    /** Glazed ceramic or glass: strong highlight. */
    CERAMIC(0.3, 64),
    /** A book: coloured spine with title bands, cream page edges on the faces up and down. */
    BOOK(0.03, 16),
    /** A switched-off screen: almost black, glossy. */
    SCREEN(0.5, 96),
    /** Bedding and pillows: pale fabric with folds. */
    BEDDING(0, 1),
    /** A light fixture: glows with the light's colour, not lit. */
    EMISSIVE(0, 1);

    final double specular;
    final int shininess;

    Material(double specular, int shininess) {
        this.specular = specular;
        this.shininess = shininess;
    }
}
