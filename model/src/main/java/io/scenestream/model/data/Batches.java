package io.scenestream.model.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.frames.DenseSample;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks {@link DenseSample}s into the network's input and the loss's labels.
 *
 * <p>An array made from a Java array lives in a direct buffer that DJL allocates for it and that
 * only a garbage collection frees; a trainer making a batch every step would leave hundreds of
 * megabytes of them waiting between collections, scattered among libtorch's own allocations. With
 * {@link Staging} the batches of a trainer are made in buffers it reuses instead.
 */
public final class Batches {

    private Batches() {}

    /**
     * Reused direct buffers, one per part of a batch (image, each task's labels), for one thread:
     * the arrays made from them share their memory, so a part must not be made again while the
     * previous batch's arrays are still in use (close them first, as a training step does).
     */
    public static final class Staging {
        private final Map<String, ByteBuffer> buffers = new HashMap<>();

        ByteBuffer get(String part, int bytes) {
            ByteBuffer b = buffers.get(part);
            if (b == null || b.capacity() < bytes) {
                b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
                buffers.put(part, b);
            }
            b.clear();
            b.limit(bytes);
            return b;
        }
    }

    /** The normalised images, (B, 3, H, W) float32, on {@code manager}. */
    public static NDArray images(NDManager manager, List<DenseSample> samples) {
        return images(manager, samples, null);
    }

    /** As {@link #images(NDManager, List)}, made in {@code staging}'s buffer if it is not null. */
    public static NDArray images(NDManager manager, List<DenseSample> samples, Staging staging) {
        DenseSample first = samples.get(0);
        int h = first.height();
        int w = first.width();
        int pixels = h * w;
        float[] data = new float[samples.size() * 3 * pixels];
        for (int b = 0; b < samples.size(); b++) {
            DenseSample s = sameSize(samples.get(b), h, w);
            ImageNormalization.toChw(s.rgb(), pixels, data, b * 3 * pixels);
        }
        Shape shape = new Shape(samples.size(), 3, h, w);
        if (staging == null) {
            return manager.create(data, shape);
        }
        ByteBuffer b = staging.get("images", data.length * Float.BYTES);
        b.asFloatBuffer().put(data);
        return manager.create(b, shape, DataType.FLOAT32);
    }

    /**
     * The labels of every auxiliary task of {@code config}, in its order: segmentation (B, H, W)
     * int32, depth (B, H, W) float32. A sample without a task's labels gets the ignore value.
     */
    public static NDList labels(NDManager manager, List<DenseSample> samples, MtiNetConfig config) {
        return labels(manager, samples, config, null);
    }

    /**
     * As {@link #labels(NDManager, List, MtiNetConfig)}, made in {@code staging}'s buffers if it is
     * not null.
     */
    public static NDList labels(
            NDManager manager, List<DenseSample> samples, MtiNetConfig config, Staging staging) {
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
                            Arrays.fill(v, b * pixels, (b + 1) * pixels, DenseSample.IGNORE);
                        } else {
                            System.arraycopy(src, 0, v, b * pixels, pixels);
                        }
                    }
                    if (staging == null) {
                        out.add(manager.create(v, shape));
                    } else {
                        ByteBuffer b = staging.get(t.name(), v.length * Integer.BYTES);
                        b.asIntBuffer().put(v);
                        out.add(manager.create(b, shape, DataType.INT32));
                    }
                }
                case DEPTH -> {
                    float[] v = new float[samples.size() * pixels];
                    for (int b = 0; b < samples.size(); b++) {
                        float[] src = sameSize(samples.get(b), h, w).depth();
                        if (src != null) {
                            System.arraycopy(src, 0, v, b * pixels, pixels);
                        }
                    }
                    if (staging == null) {
                        out.add(manager.create(v, shape));
                    } else {
                        ByteBuffer b = staging.get(t.name(), v.length * Float.BYTES);
                        b.asFloatBuffer().put(v);
                        out.add(manager.create(b, shape, DataType.FLOAT32));
                    }
                }
                default -> throw new IllegalStateException("no labels for task kind " + t.kind());
            }
        }
        return out;
    }

    private static DenseSample sameSize(DenseSample s, int h, int w) {
        if (s.height() != h || s.width() != w) {
            throw new IllegalArgumentException(
                    "sample "
                            + s.id()
                            + " is "
                            + s.height()
                            + "x"
                            + s.width()
                            + ", the batch is "
                            + h
                            + "x"
                            + w);
        }
        return s;
    }
}
