package io.scenestream.model.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MtiNetLossTest {

    @Test
    void crossEntropyIgnoresVoidPixelsAndAveragesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Two classes, three pixels: logits (0, ln 3) -> p = (1/4, 3/4); labels 0, 1, void.
            float ln3 = (float) Math.log(3);
            NDArray logits = m.create(new float[] {0, 0, 0, ln3, ln3, ln3}, new Shape(1, 2, 1, 3));
            NDArray labels = m.create(new int[] {0, 1, 255}, new Shape(1, 1, 3));
            float expected = (float) ((-Math.log(0.25) - Math.log(0.75)) / 2);
            assertThat(MtiNetLoss.crossEntropy(logits, labels).getFloat())
                    .isCloseTo(expected, within(1e-6f));
            NDArray allVoid = m.create(new int[] {255, 255, 255}, new Shape(1, 1, 3));
            assertThat(MtiNetLoss.crossEntropy(logits, allVoid).getFloat()).isZero();
        }
    }

    @Test
    void l1CountsOnlyValidDepth() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pred = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
            NDArray gt = m.create(new float[] {2, 0, Float.NaN, 1}, new Shape(1, 1, 4));
            // |1 - 2| and |4 - 1| over 2 valid pixels.
            assertThat(MtiNetLoss.l1(pred, gt).getFloat()).isCloseTo(2f, within(1e-6f));
        }
    }

    @Test
    void everyScaleIsSupervisedAtLabelSizeAndWeighted() {
        MtiNetConfig config = MtiNetConfig.named("reference-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            // Predictions that are constant per map, so upsampling keeps them: every semseg map
            // predicts class 0 with logit 1 (others 0), every depth map predicts 2 m.
            NDList predictions = new NDList();
            predictions.add(constSemseg(m, 8, 8));
            predictions.add(m.full(new Shape(1, 1, 8, 8), 2f));
            for (int s = 0; s < 4; s++) {
                int size = 2 >> Math.min(s, 1);
                predictions.add(constSemseg(m, size, size));
                predictions.add(m.full(new Shape(1, 1, size, size), 2f));
            }
            NDList labels =
                    new NDList(
                            m.zeros(new Shape(1, 8, 8), ai.djl.ndarray.types.DataType.INT32),
                            m.full(new Shape(1, 8, 8), 3f));
            MtiNetLoss loss = new MtiNetLoss(config, Map.of("depth", 0.5f));
            Map<String, NDArray> terms = loss.terms(labels, predictions);
            assertThat(terms)
                    .hasSize(10)
                    .containsKeys("semseg", "depth", "scale_0_semseg", "scale_3_depth");
            double ce = -Math.log(Math.E / (Math.E + 12));
            for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                double expected = e.getKey().endsWith("semseg") ? ce : 0.5 * 1.0;
                assertThat((double) e.getValue().getFloat())
                        .as(e.getKey())
                        .isCloseTo(expected, within(1e-5));
            }
            assertThat((double) loss.evaluate(labels, predictions).getFloat())
                    .isCloseTo(5 * ce + 5 * 0.5, within(1e-4));
        }
    }

    private static NDArray constSemseg(NDManager m, int h, int w) {
        float[] v = new float[13 * h * w];
        for (int i = 0; i < h * w; i++) {
            v[i] = 1f;
        }
        return m.create(v, new Shape(1, 13, h, w));
    }
}
