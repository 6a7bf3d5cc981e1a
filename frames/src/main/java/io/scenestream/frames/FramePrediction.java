package io.scenestream.frames;

/**
 * What MTI-Net sees in one frame, per pixel, row-major at {@code width x height}.
 *
 * @param width columns
 * @param height rows
 * @param depth metres, or null if the model has no depth task
 * @param classes segmentation class ids (0-based, unsigned bytes), or null if the model has no
 *     segmentation task
 * @param confidence maximum softmax probability of the segmentation, in [0, 1], or null with no
 *     segmentation task
 */
public record FramePrediction(
        int width, int height, float[] depth, byte[] classes, float[] confidence) {

    /** Class id of pixel {@code i}. */
    /**
     * How many values of the depth and confidence maps are NaN or infinite: a model whose numbers
     * are wrong, or whose weights are broken, gives such values; a right one never does.
     */
    public int nonFinite() {
        int n = 0;
        for (float[] map : new float[][] {depth, confidence}) {
            if (map != null) {
                for (float v : map) {
                    if (!Float.isFinite(v)) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    public int classAt(int i) {
        return classes[i] & 0xff;
    }

    /** Mean of the per-pixel confidence. */
    public double meanConfidence() {
        double sum = 0;
        for (float c : confidence) {
            sum += c;
        }
        return sum / confidence.length;
    }

    /** Share of pixels whose confidence is at least {@code threshold}. */
    public double confidentShare(float threshold) {
        int n = 0;
        for (float c : confidence) {
            if (c >= threshold) {
                n++;
            }
        }
        return (double) n / confidence.length;
    }
}
