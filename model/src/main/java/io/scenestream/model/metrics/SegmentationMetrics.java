package io.scenestream.model.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Semantic segmentation metrics over a whole dataset, from a confusion matrix of pixel counts.
 *
 * <p>Every call to {@code update} adds its pixels to one confusion matrix; the metrics are computed
 * from the totals, so an image contributes in proportion to its labelled pixels and the result does
 * not depend on how the dataset is split into batches. Row {@code l}, column {@code p} of the
 * matrix counts pixels labelled {@code l} and predicted {@code p}.
 *
 * <p>Pixels whose label is the ignore label ({@link #IGNORE_LABEL}, 255, unless chosen otherwise)
 * are skipped: they count nowhere, neither as labelled pixels nor in any class. Every other label
 * and every predicted class must lie in {@code [0, numClasses)}.
 *
 * <p>All metrics are fractions in {@code [0, 1]} (an mIoU of 53% is {@code 0.53}), or NaN where
 * they are undefined. Not thread-safe: give each thread its own instance and {@link #merge} them.
 */
public final class SegmentationMetrics {

    /** The label of unlabelled pixels in the reference datasets (NYUD-v2, PASCAL-Context). */
    public static final int IGNORE_LABEL = 255;

    /** {@link #toMap()} key of {@link #meanIou()}. */
    public static final String MIOU = "miou";

    /** {@link #toMap()} key of {@link #pixelAccuracy()}. */
    public static final String PIXEL_ACC = "pixel_acc";

    private final int numClasses;
    private final int ignoreLabel;

    /** {@code confusion[label][predicted]}. */
    private final long[][] confusion;

    /**
     * An empty accumulator for {@code numClasses} classes, ignoring label {@value #IGNORE_LABEL}.
     */
    public SegmentationMetrics(int numClasses) {
        this(numClasses, IGNORE_LABEL);
    }

    /**
     * An empty accumulator for {@code numClasses} classes.
     *
     * @param numClasses number of classes, at least 1; classes are {@code 0 .. numClasses-1}
     * @param ignoreLabel the label of pixels to skip; must not be a class
     */
    public SegmentationMetrics(int numClasses, int ignoreLabel) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("need at least one class, not " + numClasses);
        }
        if (ignoreLabel >= 0 && ignoreLabel < numClasses) {
            throw new IllegalArgumentException(
                    "ignore label " + ignoreLabel + " is one of the " + numClasses + " classes");
        }
        this.numClasses = numClasses;
        this.ignoreLabel = ignoreLabel;
        this.confusion = new long[numClasses][numClasses];
    }

    /**
     * Adds one or more images, given as flat pixel arrays in the same order.
     *
     * <p>The arrays are checked before anything is counted: on an exception nothing is added.
     * Predicted classes are checked at every position, ignored pixels included.
     *
     * @param predicted predicted class of each pixel
     * @param labels ground-truth class of each pixel, or the ignore label
     * @throws IllegalArgumentException if the lengths differ, or a label (other than the ignore
     *     label) or a predicted class lies outside {@code [0, numClasses)}; the message names the
     *     value and its position
     */
    public void update(int[] predicted, int[] labels) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(labels, "labels");
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException(
                    predicted.length + " predicted pixels but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            int p = predicted[i];
            if (p < 0 || p >= numClasses) {
                throw new IllegalArgumentException(
                        "predicted class "
                                + p
                                + " at position "
                                + i
                                + " is not in [0, "
                                + numClasses
                                + ")");
            }
            int l = labels[i];
            if (l != ignoreLabel && (l < 0 || l >= numClasses)) {
                throw new IllegalArgumentException(
                        "label "
                                + l
                                + " at position "
                                + i
                                + " is not in [0, "
                                + numClasses
                                + ") nor the ignore label "
                                + ignoreLabel);
            }
        }
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l != ignoreLabel) {
                confusion[l][predicted[i]]++;
            }
        }
    }

    /**
     * Adds class maps held as NDArrays, as {@link #update(int[], int[])} on their flattened values.
     * Neither array is modified or closed, and every array made here is closed before returning.
     *
     * @param predictedClasses predicted class of each pixel (for instance the argmax over the class
     *     axis), of any integer data type
     * @param labels ground-truth class map of the same shape, of any integer data type
     * @throws IllegalArgumentException if the shapes differ or a data type is not an integer type,
     *     besides the cases of {@link #update(int[], int[])}
     */
    public void update(NDArray predictedClasses, NDArray labels) {
        Objects.requireNonNull(predictedClasses, "predictedClasses");
        Objects.requireNonNull(labels, "labels");
        if (!predictedClasses.getShape().equals(labels.getShape())) {
            throw new IllegalArgumentException(
                    "predicted classes have shape "
                            + predictedClasses.getShape()
                            + " but labels have shape "
                            + labels.getShape());
        }
        update(toInts(predictedClasses, "predicted classes"), toInts(labels, "labels"));
    }

    private static int[] toInts(NDArray a, String what) {
        DataType type = a.getDataType();
        if (!type.isInteger()) {
            throw new IllegalArgumentException(what + " must be an integer class map, not " + type);
        }
        if (type == DataType.INT32) {
            return a.toIntArray();
        }
        try (NDArray ints = a.toType(DataType.INT32, false)) {
            return ints.toIntArray();
        }
    }

    /** Adds the counts of {@code other}, which must have the same classes and ignore label. */
    public void merge(SegmentationMetrics other) {
        Objects.requireNonNull(other, "other");
        if (other.numClasses != numClasses || other.ignoreLabel != ignoreLabel) {
            throw new IllegalArgumentException(
                    "cannot merge metrics of "
                            + other.numClasses
                            + " classes (ignore "
                            + other.ignoreLabel
                            + ") into metrics of "
                            + numClasses
                            + " classes (ignore "
                            + ignoreLabel
                            + ")");
        }
        long[][] add = other.confusion();
        for (int l = 0; l < numClasses; l++) {
            for (int p = 0; p < numClasses; p++) {
                confusion[l][p] += add[l][p];
            }
        }
    }

    /** Forgets every pixel added so far. */
    public void reset() {
        for (long[] row : confusion) {
            Arrays.fill(row, 0L);
        }
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** The label of skipped pixels. */
    public int ignoreLabel() {
        return ignoreLabel;
    }

    /** Number of labelled (not ignored) pixels added so far. */
    public long pixels() {
        long n = 0;
        for (long[] row : confusion) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /** A copy of the confusion matrix, {@code [label][predicted]}. */
    public long[][] confusion() {
        long[][] copy = new long[numClasses][];
        for (int l = 0; l < numClasses; l++) {
            copy[l] = confusion[l].clone();
        }
        return copy;
    }

    /**
     * Intersection over union of class {@code c}: TP / (TP + FP + FN), where TP counts pixels
     * labelled and predicted {@code c}, FP pixels predicted {@code c} but labelled otherwise, FN
     * pixels labelled {@code c} but predicted otherwise (ignored pixels nowhere).
     *
     * @return the IoU in {@code [0, 1]}, or NaN when {@code c} occurs neither in the labels nor in
     *     the predictions
     */
    public double iou(int c) {
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException("class " + c + " is not in [0, " + numClasses + ")");
        }
        long union = union(c);
        return union == 0 ? Double.NaN : (double) confusion[c][c] / union;
    }

    /** TP + FP + FN of class {@code c}. */
    private long union(int c) {
        long labelled = 0;
        long predicted = 0;
        for (int k = 0; k < numClasses; k++) {
            labelled += confusion[c][k];
            predicted += confusion[k][c];
        }
        return labelled + predicted - confusion[c][c];
    }

    /**
     * Mean IoU over the classes with a non-zero union, that is the classes that occur in the labels
     * or in the predictions; a class absent from both has no IoU and does not count (it neither
     * lowers the mean as a 0 nor raises it as a 1). A class predicted but never labelled counts,
     * with IoU 0.
     *
     * @return the mean in {@code [0, 1]}, or NaN when no pixel has been added
     */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < numClasses; c++) {
            long union = union(c);
            if (union != 0) {
                sum += (double) confusion[c][c] / union;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Correctly classified pixels over labelled pixels, in {@code [0, 1]}; NaN when there are none.
     */
    public double pixelAccuracy() {
        long correct = 0;
        for (int c = 0; c < numClasses; c++) {
            correct += confusion[c][c];
        }
        long total = pixels();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /**
     * The headline metrics for reports, as fractions, in this order: {@value #MIOU} ({@link
     * #meanIou()}), {@value #PIXEL_ACC} ({@link #pixelAccuracy()}). Unmodifiable.
     */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MIOU, meanIou());
        m.put(PIXEL_ACC, pixelAccuracy());
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "SegmentationMetrics" + toMap() + " over " + pixels() + " pixels";
    }
}
