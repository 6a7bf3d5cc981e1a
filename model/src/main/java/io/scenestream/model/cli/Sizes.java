package io.scenestream.model.cli;

import java.util.Locale;

/** Parses {@code HEIGHTxWIDTH} resolutions. */
public final class Sizes {

    private Sizes() {}

    /**
     * {@code HEIGHTxWIDTH}, both positive multiples of 32, as {height, width};
     * IllegalArgumentException otherwise.
     */
    public static int[] parse(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("size must be HEIGHTxWIDTH, got " + s);
        }
        int h;
        int w;
        try {
            h = Integer.parseInt(p[0].trim());
            w = Integer.parseInt(p[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size must be HEIGHTxWIDTH, got " + s);
        }
        if (h <= 0 || w <= 0 || h % 32 != 0 || w % 32 != 0) {
            throw new IllegalArgumentException(
                    "size " + s + ": height and width must be positive multiples of 32");
        }
        return new int[] {h, w};
    }
}
