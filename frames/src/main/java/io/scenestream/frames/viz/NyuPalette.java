package io.scenestream.frames.viz;

import io.scenestream.frames.DenseSample;
import io.scenestream.frames.data.NyudDataset;
import java.awt.Color;
import java.util.List;

/**
 * Colours of the NYU Depth v2 label sets, one per 0-based class id, as {@code 0xRRGGBB}.
 *
 * <ul>
 *   <li>{@link #NYU13}: the 13-class colour map that NYUv2 13-class papers and code draw with (bed
 *       blue {@code (0, 0, 1)}, books orange-red, ceiling green, chair violet, floor yellow,
 *       furniture pink, objects cyan, picture steel blue, sofa maroon, table magenta, tv teal, wall
 *       orange, window beige), the fractions of that map scaled to 8 bits;
 *   <li>{@link #NYU40}: the NYU40 colour palette that ScanNet uses for the 40 NYU classes (wall
 *       light blue, floor light green, cabinet blue, bed light orange, ...).
 * </ul>
 *
 * <p>Both tables are written down from memory of those widely used maps, not copied from a file;
 * they are distinct, but where exact parity with another tool's figures matters, compare the
 * values. Two NYU40 colours are close by design of that palette: bookshelf {@code (148, 103, 189)}
 * and night stand {@code (146, 111, 194)}.
 *
 * <p>{@link DenseSample#IGNORE} (255, unlabelled) is black, {@link #IGNORE_RGB}; no class colour is
 * black. Immutable and thread-safe.
 */
public final class NyuPalette {

    /** The class id of unlabelled pixels, drawn in {@link #IGNORE_RGB}. */
    public static final int IGNORE = DenseSample.IGNORE;

    /** Colour of {@link #IGNORE} pixels: black. */
    public static final int IGNORE_RGB = 0x000000;

    /** The 40-class NYU label set (Gupta et al.), in class-id order (0-based: 0 is wall). */
    public static final List<String> CLASSES_40 =
            List.of(
                    "wall",
                    "floor",
                    "cabinet",
                    "bed",
                    "chair",
                    "sofa",
                    "table",
                    "door",
                    "window",
                    "bookshelf",
                    "picture",
                    "counter",
                    "blinds",
                    "desk",
                    "shelves",
                    "curtain",
                    "dresser",
                    "pillow",
                    "mirror",
                    "floor mat",
                    "clothes",
                    "ceiling",
                    "books",
                    "refrigerator",
                    "television",
                    "paper",
                    "towel",
                    "shower curtain",
                    "box",
                    "whiteboard",
                    "person",
                    "night stand",
                    "toilet",
                    "sink",
                    "lamp",
                    "bathtub",
                    "bag",
                    "otherstructure",
                    "otherfurniture",
                    "otherprop");

    /** The 13-class NYUv2 colour map, names {@link NyudDataset#CLASSES_13}. */
    public static final NyuPalette NYU13 =
            new NyuPalette(
                    "NYUv2-13",
                    NyudDataset.CLASSES_13,
                    new int[] {
                        rgb(0, 0, 255), // bed
                        rgb(233, 89, 48), // books
                        rgb(0, 218, 0), // ceiling
                        rgb(149, 0, 240), // chair
                        rgb(222, 241, 24), // floor
                        rgb(255, 206, 206), // furniture
                        rgb(0, 224, 229), // objects
                        rgb(106, 136, 204), // picture (painting)
                        rgb(117, 29, 41), // sofa
                        rgb(240, 35, 235), // table
                        rgb(0, 167, 156), // tv
                        rgb(249, 139, 0), // wall
                        rgb(225, 229, 194), // window
                    });

    /** The NYU40 colour palette (as ScanNet draws the 40 classes), names {@link #CLASSES_40}. */
    public static final NyuPalette NYU40 =
            new NyuPalette(
                    "NYU40",
                    CLASSES_40,
                    new int[] {
                        rgb(174, 199, 232), // wall
                        rgb(152, 223, 138), // floor
                        rgb(31, 119, 180), // cabinet
                        rgb(255, 187, 120), // bed
                        rgb(188, 189, 34), // chair
                        rgb(140, 86, 75), // sofa
                        rgb(255, 152, 150), // table
                        rgb(214, 39, 40), // door
                        rgb(197, 176, 213), // window
                        rgb(148, 103, 189), // bookshelf
                        rgb(196, 156, 148), // picture
                        rgb(23, 190, 207), // counter
                        rgb(178, 76, 76), // blinds
                        rgb(247, 182, 210), // desk
                        rgb(66, 188, 102), // shelves
                        rgb(219, 219, 141), // curtain
                        rgb(140, 57, 197), // dresser
                        rgb(202, 185, 52), // pillow
                        rgb(51, 176, 203), // mirror
                        rgb(200, 54, 131), // floor mat
                        rgb(92, 193, 61), // clothes
                        rgb(78, 71, 183), // ceiling
                        rgb(172, 114, 82), // books
                        rgb(255, 127, 14), // refrigerator
                        rgb(91, 163, 138), // television
                        rgb(153, 98, 156), // paper
                        rgb(140, 153, 101), // towel
                        rgb(158, 218, 229), // shower curtain
                        rgb(100, 125, 154), // box
                        rgb(178, 127, 135), // whiteboard
                        rgb(120, 185, 128), // person
                        rgb(146, 111, 194), // night stand
                        rgb(44, 160, 44), // toilet
                        rgb(112, 128, 144), // sink
                        rgb(96, 207, 209), // lamp
                        rgb(227, 119, 194), // bathtub
                        rgb(213, 92, 176), // bag
                        rgb(94, 106, 211), // otherstructure
                        rgb(82, 84, 163), // otherfurniture
                        rgb(100, 85, 144), // otherprop
                    });

    private final String name;
    private final List<String> classNames;
    private final int[] colors;

    private NyuPalette(String name, List<String> classNames, int[] colors) {
        if (classNames.size() != colors.length) {
            throw new IllegalStateException(
                    name + ": " + classNames.size() + " names, " + colors.length + " colours");
        }
        this.name = name;
        this.classNames = classNames;
        this.colors = colors;
    }

    /** {@link #NYU13} for 13 classes, {@link #NYU40} for 40; any other count is an error. */
    public static NyuPalette forClassCount(int classes) {
        return switch (classes) {
            case 13 -> NYU13;
            case 40 -> NYU40;
            default ->
                    throw new IllegalArgumentException(
                            "NYU palettes have 13 or 40 classes, not " + classes);
        };
    }

    /** Number of classes. */
    public int size() {
        return colors.length;
    }

    /** The class names, in class-id order. */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Colour of class {@code classId} as {@code 0xRRGGBB}; {@link #IGNORE_RGB} for {@link #IGNORE}.
     *
     * @throws IllegalArgumentException for any other id outside {@code 0 .. size() - 1}: a label
     *     map from another label set is a mistake to report, not to paint in a made-up colour
     */
    public int rgb(int classId) {
        if (classId >= 0 && classId < colors.length) {
            return colors[classId];
        }
        if (classId == IGNORE) {
            return IGNORE_RGB;
        }
        throw new IllegalArgumentException(
                name
                        + " has classes 0.."
                        + (colors.length - 1)
                        + " and "
                        + IGNORE
                        + " (ignore), not "
                        + classId);
    }

    /** {@link #rgb(int)} as a {@link Color}. */
    public Color color(int classId) {
        return new Color(rgb(classId));
    }

    @Override
    public String toString() {
        return name + " (" + colors.length + " classes)";
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }
}
