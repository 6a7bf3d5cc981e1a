package io.scenestream.synthetic;

import io.scenestream.frames.data.NyudDataset;
import java.util.List;

/** The 13 NYU classes as ids: the index of the name in {@link NyudDataset#CLASSES_13}. */
public final class SyntheticClasses {

    public static final int BED = 0;
    public static final int BOOKS = 1;
    public static final int CEILING = 2;
    public static final int CHAIR = 3;
    public static final int FLOOR = 4;
    public static final int FURNITURE = 5;
    public static final int OBJECTS = 6;
    public static final int PICTURE = 7;
    public static final int SOFA = 8;
    public static final int TABLE = 9;
    public static final int TV = 10;
    public static final int WALL = 11;
    public static final int WINDOW = 12;

    /** Number of classes. */
    public static final int COUNT = 13;

    private SyntheticClasses() {}

    /** Class names in id order (the NYU 13-class list). */
    public static List<String> names() {
        return NyudDataset.CLASSES_13;
    }

    static void check(int classId) {
        if (classId < 0 || classId >= COUNT) {
            throw new IllegalArgumentException(
                    "class id " + classId + " is not in 0.." + (COUNT - 1));
        }
    }
}
