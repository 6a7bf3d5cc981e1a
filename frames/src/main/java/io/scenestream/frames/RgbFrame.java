package io.scenestream.frames;

/**
 * A camera frame as the predictor takes it.
 *
 * @param width columns
 * @param height rows
 * @param rgb {@code height * width * 3} bytes, row-major, interleaved R G B
 */
public record RgbFrame(int width, int height, byte[] rgb) {

    public RgbFrame {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "frame size must be positive, got " + width + "x" + height);
        }
        if (rgb == null || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(
                    "a "
                            + width
                            + "x"
                            + height
                            + " RGB frame has "
                            + 3L * width * height
                            + " bytes, got "
                            + (rgb == null ? "none" : rgb.length));
        }
    }
}
