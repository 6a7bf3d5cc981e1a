package io.scenestream.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    private static final double EPS = 1e-12;

    // Three classes, ten pixels, the last one unlabelled (255).
    //   position   0  1  2  3  4  5  6  7  8  9
    //   label      0  0  0  0  1  1  1  2  2  255
    //   predicted  0  0  0  1  1  1  2  2  0  2
    // Confusion [label][predicted]:
    //   label 0: [3, 1, 0]
    //   label 1: [0, 2, 1]
    //   label 2: [1, 0, 1]
    // class 0: TP 3, FP 1 (pos 8), FN 1 (pos 3) -> 3/5 = 0.6
    // class 1: TP 2, FP 1 (pos 3), FN 1 (pos 6) -> 2/4 = 0.5
    // class 2: TP 1, FP 1 (pos 6), FN 1 (pos 8) -> 1/3
    // mIoU = (0.6 + 0.5 + 1/3) / 3 = 43/90; pixel accuracy = 6 correct / 9 labelled = 2/3.
    private static final int[] LABELS = {0, 0, 0, 0, 1, 1, 1, 2, 2, 255};
    private static final int[] PREDICTED = {0, 0, 0, 1, 1, 1, 2, 2, 0, 2};

    private static SegmentationMetrics example() {
        SegmentationMetrics m = new SegmentationMetrics(3);
        m.update(PREDICTED, LABELS);
        return m;
    }

    @Test
    void handComputedConfusionIousAndAccuracy() {
        SegmentationMetrics m = example();
        assertThat(m.confusion()).isDeepEqualTo(new long[][] {{3, 1, 0}, {0, 2, 1}, {1, 0, 1}});
        assertThat(m.pixels()).isEqualTo(9);
        assertThat(m.iou(0)).isCloseTo(0.6, within(EPS));
        assertThat(m.iou(1)).isCloseTo(0.5, within(EPS));
        assertThat(m.iou(2)).isCloseTo(1.0 / 3, within(EPS));
        assertThat(m.meanIou()).isCloseTo(43.0 / 90, within(EPS));
        assertThat(m.pixelAccuracy()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(m.toMap()).containsOnlyKeys("miou", "pixel_acc");
        assertThat(m.toMap().get("miou")).isCloseTo(43.0 / 90, within(EPS));
        assertThat(m.toMap().get("pixel_acc")).isCloseTo(2.0 / 3, within(EPS));
    }

    @Test
    void ignoredPixelsCountNowhereWhateverTheirPrediction() {
        SegmentationMetrics m = new SegmentationMetrics(3);
        // All unlabelled: nothing is counted.
        m.update(new int[] {0, 1, 2}, new int[] {255, 255, 255});
        assertThat(m.pixels()).isZero();
        assertThat(m.meanIou()).isNaN();
        assertThat(m.pixelAccuracy()).isNaN();

        // One labelled pixel, predicted right, among ignored ones predicted as other classes:
        // class 0 has IoU 1, classes 1 and 2 occur nowhere, so mIoU and accuracy are 1.
        m.update(new int[] {1, 0, 2}, new int[] {255, 0, 255});
        assertThat(m.pixels()).isEqualTo(1);
        assertThat(m.iou(0)).isEqualTo(1.0);
        assertThat(m.iou(1)).isNaN();
        assertThat(m.iou(2)).isNaN();
        assertThat(m.meanIou()).isEqualTo(1.0);
        assertThat(m.pixelAccuracy()).isEqualTo(1.0);
    }

    @Test
    void customIgnoreLabel() {
        SegmentationMetrics m = new SegmentationMetrics(2, -1);
        m.update(new int[] {0, 1, 1}, new int[] {-1, 1, 0});
        // class 0: TP 0, FN 1 -> 0; class 1: TP 1, FP 1 -> 1/2; mIoU 1/4, accuracy 1/2.
        assertThat(m.pixels()).isEqualTo(2);
        assertThat(m.meanIou()).isCloseTo(0.25, within(EPS));
        assertThat(m.pixelAccuracy()).isCloseTo(0.5, within(EPS));
        // 255 is an ordinary (invalid) label here.
        assertThatThrownBy(() -> m.update(new int[] {0}, new int[] {255}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("255");
        assertThatThrownBy(() -> new SegmentationMetrics(3, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classesAbsentFromLabelsAndPredictionsAreLeftOutOfTheMean() {
        // Four classes; class 3 occurs nowhere: its IoU is undefined and the mean is the 3-class
        // one.
        SegmentationMetrics m = new SegmentationMetrics(4);
        m.update(PREDICTED, LABELS);
        assertThat(m.iou(3)).isNaN();
        assertThat(m.meanIou()).isCloseTo(43.0 / 90, within(EPS));
    }

    @Test
    void aClassPredictedButNeverLabelledCountsAsZero() {
        // labels [0, 0], predicted [0, 1]: class 0 TP 1, FN 1 -> 1/2; class 1 FP 1 -> 0;
        // class 2 absent. mIoU = (1/2 + 0) / 2 = 1/4.
        SegmentationMetrics m = new SegmentationMetrics(3);
        m.update(new int[] {0, 1}, new int[] {0, 0});
        assertThat(m.iou(0)).isCloseTo(0.5, within(EPS));
        assertThat(m.iou(1)).isEqualTo(0.0);
        assertThat(m.iou(2)).isNaN();
        assertThat(m.meanIou()).isCloseTo(0.25, within(EPS));
    }

    @Test
    void twoUpdatesEqualOneUpdateOfTheConcatenation() {
        // Positions 0-4 alone: class 0 TP 3, FN 1 -> 3/4; class 1 TP 1, FP 1 -> 1/2; mIoU 0.625.
        // Positions 5-9 alone: class 0 FP 1 -> 0; class 1 TP 1, FN 1 -> 1/2; class 2 TP 1, FP 1,
        // FN 1 -> 1/3; mIoU 5/18. The mean of the per-batch values, (0.625 + 5/18) / 2 = 0.4514,
        // is not the dataset's 43/90 = 0.4778.
        SegmentationMetrics m = new SegmentationMetrics(3);
        m.update(Arrays.copyOfRange(PREDICTED, 0, 5), Arrays.copyOfRange(LABELS, 0, 5));
        assertThat(m.meanIou()).isCloseTo(0.625, within(EPS));
        m.update(Arrays.copyOfRange(PREDICTED, 5, 10), Arrays.copyOfRange(LABELS, 5, 10));

        SegmentationMetrics whole = example();
        assertThat(m.confusion()).isDeepEqualTo(whole.confusion());
        assertThat(m.meanIou()).isCloseTo(43.0 / 90, within(EPS));
        assertThat(m.pixelAccuracy()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(m.pixels()).isEqualTo(9);
    }

    @Test
    void mergeAddsCounts() {
        SegmentationMetrics a = new SegmentationMetrics(3);
        a.update(Arrays.copyOfRange(PREDICTED, 0, 4), Arrays.copyOfRange(LABELS, 0, 4));
        SegmentationMetrics b = new SegmentationMetrics(3);
        b.update(Arrays.copyOfRange(PREDICTED, 4, 10), Arrays.copyOfRange(LABELS, 4, 10));
        a.merge(b);
        assertThat(a.confusion()).isDeepEqualTo(example().confusion());
        assertThat(a.meanIou()).isCloseTo(43.0 / 90, within(EPS));
        // b is unchanged.
        assertThat(b.pixels()).isEqualTo(5);

        assertThatThrownBy(() -> a.merge(new SegmentationMetrics(4)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.merge(new SegmentationMetrics(3, -1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetForgetsAndConfusionIsACopy() {
        SegmentationMetrics m = example();
        long[][] c = m.confusion();
        c[0][0] = 1000;
        assertThat(m.confusion()[0][0]).isEqualTo(3);
        m.reset();
        assertThat(m.pixels()).isZero();
        assertThat(m.confusion()).isDeepEqualTo(new long[3][3]);
        assertThat(m.meanIou()).isNaN();
        assertThat(m.numClasses()).isEqualTo(3);
        m.update(PREDICTED, LABELS);
        assertThat(m.meanIou()).isCloseTo(43.0 / 90, within(EPS));
    }

    @Test
    void outOfRangeValuesAreRejectedWithValueAndPositionAndNothingIsCounted() {
        SegmentationMetrics m = new SegmentationMetrics(3);
        assertThatThrownBy(() -> m.update(new int[] {0, 0, 0}, new int[] {0, 1, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 3")
                .hasMessageContaining("position 2");
        assertThatThrownBy(() -> m.update(new int[] {0, -1}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predicted class -1")
                .hasMessageContaining("position 1");
        assertThatThrownBy(() -> m.update(new int[] {0, 3}, new int[] {0, 255}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predicted class 3")
                .hasMessageContaining("position 1");
        assertThatThrownBy(() -> m.update(new int[] {0}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.iou(3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(m.pixels()).isZero();
    }

    @Test
    void ndArrayOverloadMatchesTheArrayOneAndLeaksNothing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Labels as uint8 (255 representable), predictions as int64, shape (1, 2, 5).
            NDArray labels;
            try (NDArray ints = manager.create(LABELS, new Shape(1, 2, 5))) {
                labels = ints.toType(DataType.UINT8, true);
            }
            NDArray predicted =
                    manager.create(
                            Arrays.stream(PREDICTED).asLongStream().toArray(), new Shape(1, 2, 5));
            assertThat(labels.getDataType()).isEqualTo(DataType.UINT8);
            assertThat(predicted.getDataType()).isEqualTo(DataType.INT64);
            int before = manager.getManagedArrays().size();

            SegmentationMetrics m = new SegmentationMetrics(3);
            m.update(predicted, labels);
            assertThat(m.confusion()).isDeepEqualTo(example().confusion());
            assertThat(manager.getManagedArrays()).hasSize(before);
            assertThat(labels.isReleased()).isFalse();
            assertThat(predicted.isReleased()).isFalse();

            // INT32 inputs need no conversion: they must not be closed either.
            NDArray labels32 = manager.create(LABELS, new Shape(2, 5));
            NDArray predicted32 = manager.create(PREDICTED, new Shape(2, 5));
            int before32 = manager.getManagedArrays().size();
            m.update(predicted32, labels32);
            assertThat(m.pixels()).isEqualTo(18);
            assertThat(manager.getManagedArrays()).hasSize(before32);
            assertThat(labels32.isReleased()).isFalse();
            assertThat(predicted32.isReleased()).isFalse();
            assertThat(labels32.toIntArray()).containsExactly(LABELS);

            NDArray other = manager.create(PREDICTED, new Shape(10));
            assertThatThrownBy(() -> m.update(other, labels32))
                    .isInstanceOf(IllegalArgumentException.class);
            NDArray floats = manager.create(new float[10], new Shape(2, 5));
            assertThatThrownBy(() -> m.update(floats, labels32))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(m.pixels()).isEqualTo(18);
        }
    }
}
