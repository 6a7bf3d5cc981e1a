package io.scenestream.model.selftrain;

/**
 * How often the teacher labels a camera's frames, as online distillation adapts it: after a
 * labelled frame, the stride halves when the student agreed with the teacher less than {@code
 * lowAgreement} and doubles when it agreed more than {@code highAgreement}, within {@code [min,
 * max]} frames. A camera whose scene changes gets labelled often; a settled one rarely.
 *
 * @param min fewest frames between two labelled frames of a camera
 * @param max most frames between two labelled frames
 * @param lowAgreement below this agreement the stride halves
 * @param highAgreement above this agreement the stride doubles
 */
public record AdaptiveStride(int min, int max, double lowAgreement, double highAgreement) {

    public AdaptiveStride {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException(
                    "stride bounds must satisfy 1 <= min <= max, got " + min + ".." + max);
        }
        if (!(lowAgreement >= 0 && lowAgreement <= highAgreement && highAgreement <= 1)) {
            throw new IllegalArgumentException(
                    "agreement bounds must satisfy 0 <= low <= high <= 1, got "
                            + lowAgreement
                            + ".."
                            + highAgreement);
        }
    }

    /** Every 8 to 64 frames; halve below 80% agreement, double above 95%. */
    public static AdaptiveStride defaults() {
        return new AdaptiveStride(8, 64, 0.80, 0.95);
    }

    /** The stride of a camera before any labelled frame: the shortest, to learn the scene fast. */
    public int initial() {
        return min;
    }

    /**
     * The stride after a labelled frame on which the student agreed {@code agreement} with the
     * teacher.
     */
    public int next(int stride, double agreement) {
        if (agreement < lowAgreement) {
            return Math.max(min, stride / 2);
        }
        if (agreement > highAgreement) {
            return (int) Math.min(max, 2L * stride);
        }
        return Math.max(min, Math.min(max, stride));
    }
}
