package io.scenestream.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MedianScaledDepthTest {

    @Test
    void aPredictionTooDeepByAFactorHasThatScaleAndNoErrorOnceScaled() {
        MedianScaledDepth m = new MedianScaledDepth();
        float[] truth = {1f, 2f, 3f, 0f};
        m.update(new float[] {1.5f, 3f, 4.5f, 9f}, truth);
        m.update(new float[] {2f, 4f, 6f, 9f}, truth);
        m.update(new float[] {2.5f, 5f, 7.5f, 9f}, truth);
        assertThat(m.frames()).isEqualTo(3);
        // Frame scales 1.5, 2, 2.5: their median.
        assertThat(m.medianScale()).isCloseTo(2.0, within(1e-12));
        assertThat(m.rmse()).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void anErrorOfShapeStaysOnceScaled() {
        MedianScaledDepth m = new MedianScaledDepth();
        // Medians 2 and 3: scale 2/3.
        m.update(new float[] {2f, 2f, 4f}, new float[] {3f, 2f, 3f});
        assertThat(m.medianScale()).isCloseTo(2.0 / 3.0, within(1e-12));
        // Scaled by 3/2: 3, 3, 6 against 3, 2, 3: errors 0, 1, 3.
        assertThat(m.rmse()).isCloseTo(Math.sqrt((0 + 1 + 9) / 3.0), within(1e-6));
    }

    @Test
    void framesWithoutValidPixelsOrPositivePredictionsAreSkipped() {
        MedianScaledDepth m = new MedianScaledDepth();
        m.update(new float[] {1f, 2f}, new float[] {0f, Float.NaN});
        m.update(new float[] {-1f, -2f}, new float[] {1f, 2f});
        assertThat(m.frames()).isZero();
        assertThat(m.skippedFrames()).isEqualTo(2);
        assertThat(m.medianScale()).isNaN();
        assertThat(m.rmse()).isNaN();
    }
}
