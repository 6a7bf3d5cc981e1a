package io.scenestream.model.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import java.util.List;

/** Stacks {@link DenseSample}s into the network's input and the loss's labels. */
public final class Batches {

    private Batches() {}

    /** The normalised images, (B, 3, H, W) float32, on {@code manager}. */
    public static NDArray images(NDManager manager, List<DenseSample> samples) {
        DenseSample first = samples.get(0);
        int h = first.height();
        int w = first.width();
        int pixels = h * w;
        float[] data = new float[samples.size() * 3 * pixels];
        for (int b = 0; b < samples.size(); b++) {
            DenseSample s = sameSize(samples.get(b), h, w);
            ImageNormalization.toChw(s.rgb(), pixels, data, b * 3 * pixels);
        }
        return manager.create(data, new Shape(samples.size(), 3, h, w));
    }

    /**
     * The labels of every auxiliary task of {@code config}, in its order: segmentation (B, H, W)
     * int32, depth (B, H, W) float32. A sample without a task's labels gets the ignore value.
     */
    public static NDList labels(NDManager manager, List<DenseSample> samples, MtiNetConfig config) {
        DenseSample first = samples.get(0);
        int h = first.height();
        int w = first.width();
        int pixels = h * w;
        NDList out = new NDList();
        for (Task t : config.auxiliaryTasks()) {
            Shape shape = new Shape(samples.size(), h, w);
            switch (t.kind()) {
                case SEGMENTATION -> {
                    int[] v = new int[samples.size() * pixels];
                    for (int b = 0; b < samples.size(); b++) {
                        int[] src = sameSize(samples.get(b), h, w).semseg();
                        if (src == null) {
                            java.util.Arrays.fill(v, b * pixels, (b + 1) * pixels, DenseSample.IGNORE);
                        } else {
                            System.arraycopy(src, 0, v, b * pixels, pixels);
                        }
                    }
                    out.add(manager.create(v, shape));
                }
                case DEPTH -> {
                    float[] v = new float[samples.size() * pixels];
                    for (int b = 0; b < samples.size(); b++) {
                        float[] src = sameSize(samples.get(b), h, w).depth();
                        if (src != null) {
                            System.arraycopy(src, 0, v, b * pixels, pixels);
                        }
                    }
                    out.add(manager.create(v, shape));
                }
                default -> throw new IllegalStateException("no labels for task kind " + t.kind());
            }
        }
        return out;
    }

    private static DenseSample sameSize(DenseSample s, int h, int w) {
        if (s.height() != h || s.width() != w) {
            throw new IllegalArgumentException(
                    "sample " + s.id() + " is " + s.height() + "x" + s.width() + ", the batch is " + h + "x" + w);
        }
        return s;
    }
}
