package io.scenestream.frames;

import java.util.Locale;

/**
 * A picture's width and height, and the one parser of the project's size options. Two spellings are
 * in use and each option says which: camera frames and maps are {@code WIDTHxHEIGHT}, as video
 * tools write them ({@code 320x256}); a model's input resolution is {@code HEIGHTxWIDTH}, in the
 * order of its tensors ({@code 256x320}).
 */
public record Size(int width, int height) {

    /** How a size is spelt. */
    public enum Order {
        WIDTH_BY_HEIGHT("WIDTHxHEIGHT"),
        HEIGHT_BY_WIDTH("HEIGHTxWIDTH");

        private final String spelling;

        Order(String spelling) {
            this.spelling = spelling;
        }

        @Override
        public String toString() {
            return spelling;
        }
    }

    public Size {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "a size needs a positive width and height, got " + width + " and " + height);
        }
    }

    /**
     * Parses {@code text} spelt in {@code order}; an {@link IllegalArgumentException} that names
     * {@code what} (an option) and the spelling otherwise.
     */
    public static Size parse(String text, Order order, String what) {
        String[] p =
                text == null ? new String[0] : text.trim().toLowerCase(Locale.ROOT).split("x", -1);
        if (p.length == 2) {
            try {
                int first = Integer.parseInt(p[0].trim());
                int second = Integer.parseInt(p[1].trim());
                if (first > 0 && second > 0) {
                    return order == Order.WIDTH_BY_HEIGHT
                            ? new Size(first, second)
                            : new Size(second, first);
                }
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new IllegalArgumentException(
                what + " must be " + order + " with positive integers, got '" + text + "'");
    }

    /**
     * This size, if both sides are multiples of {@code n}; an IllegalArgumentException naming
     * {@code what} otherwise.
     */
    public Size requireMultipleOf(int n, String what) {
        if (width % n != 0 || height % n != 0) {
            throw new IllegalArgumentException(
                    what
                            + " "
                            + height
                            + "x"
                            + width
                            + " (HEIGHTxWIDTH): height and width must be multiples of "
                            + n);
        }
        return this;
    }

    /** Spelt in {@code order}. */
    public String format(Order order) {
        return order == Order.WIDTH_BY_HEIGHT ? width + "x" + height : height + "x" + width;
    }
}
