package io.scenestream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import io.scenestream.frames.DenseSample;
import io.scenestream.model.data.Batches;
import io.scenestream.model.nn.Layers;
import io.scenestream.model.weights.StateDict;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchNormStatisticsTest {

    private static final int SIDE = 16;

    /** Frames of noise around a colour that differs from frame to frame. */
    private static List<DenseSample> frames(int n) {
        SplittableRandom random = new SplittableRandom(5);
        List<DenseSample> out = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            byte[] rgb = new byte[SIDE * SIDE * 3];
            for (int i = 0; i < rgb.length; i++) {
                int base = 40 + 30 * (i % 3) + 7 * f;
                rgb[i] = (byte) Math.min(255, base + random.nextInt(60));
            }
            out.add(new DenseSample("f" + f, SIDE, SIDE, rgb, null, null));
        }
        return out;
    }

    /**
     * Two BatchNorms of different momentum, the second after a fixed affine map (x 3 + 1) of the
     * first's output: the first ends with the mean and variance of the frames' normalised pixels
     * per channel, computed here over all frames at once; the second with mean 1 and variance 9
     * (the first normalises each batch). Their scale and shift stay as they were.
     */
    @Test
    void runningStatisticsBecomeThoseOfTheFrames() {
        List<DenseSample> frames = frames(10);
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net =
                    new SequentialBlock()
                            .add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM))
                            .add(
                                    new LambdaBlock(
                                            x -> new NDList(x.singletonOrThrow().mul(3).add(1))))
                            .add(Layers.batchNorm(Layers.HEAD_BN_MOMENTUM));
            net.initialize(m, DataType.FLOAT32, new Shape(4, 3, SIDE, SIDE));
            Map<String, Parameter> params = StateDict.parameters(net);
            params.forEach(
                    (name, p) -> {
                        if (name.endsWith("running_mean")) {
                            p.getArray().set(FloatBuffer.wrap(new float[] {5, -5, 2}));
                        }
                    });
            float[] gamma = params.get("0.weight").getArray().toFloatArray();

            assertThat(BatchNormStatistics.setFrom(net, m, frames, 4)).isEqualTo(2);

            NDArray images = Batches.images(m, frames);
            double[] mean = new double[3];
            double[] var = new double[3];
            for (int c = 0; c < 3; c++) {
                double[] moments = moments(images, c);
                mean[c] = moments[0];
                var[c] = moments[1] - mean[c] * mean[c];
            }
            float[] runningMean = params.get("0.running_mean").getArray().toFloatArray();
            float[] runningVar = params.get("0.running_var").getArray().toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertThat(runningMean[c])
                        .as("mean %d", c)
                        .isCloseTo((float) mean[c], within(1e-3f));
                assertThat((double) runningVar[c])
                        .as("variance %d", c)
                        .isCloseTo(var[c], within(1e-2 * var[c]));
            }
            float[] secondMean = params.get("2.running_mean").getArray().toFloatArray();
            float[] secondVar = params.get("2.running_var").getArray().toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertThat(secondMean[c]).isCloseTo(1f, within(1e-3f));
                assertThat(secondVar[c]).isCloseTo(9f, within(0.02f));
            }
            assertThat(params.get("0.weight").getArray().toFloatArray()).containsExactly(gamma);
        }
    }

    /**
     * With a prior of 30 frames the old statistics (mean 5, -5, 2; variance 4) and the 10 frames'
     * pixels are pooled as one mixture: the mean moves a quarter of the way, and the variance is
     * the mixture's, the spread between the two means included.
     */
    @Test
    void aPriorPoolsTheOldStatisticsWithTheFrames() {
        List<DenseSample> frames = frames(10);
        double prior = 30;
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net =
                    new SequentialBlock().add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));
            net.initialize(m, DataType.FLOAT32, new Shape(4, 3, SIDE, SIDE));
            Map<String, Parameter> params = StateDict.parameters(net);
            float[] oldMean = {5, -5, 2};
            params.get("0.running_mean").getArray().set(FloatBuffer.wrap(oldMean));
            params.get("0.running_var").getArray().set(FloatBuffer.wrap(new float[] {4, 4, 4}));

            assertThat(BatchNormStatistics.setFrom(net, m, frames, 4, prior)).isEqualTo(1);

            NDArray images = Batches.images(m, frames);
            float[] runningMean = params.get("0.running_mean").getArray().toFloatArray();
            float[] runningVar = params.get("0.running_var").getArray().toFloatArray();
            for (int c = 0; c < 3; c++) {
                double[] moments = moments(images, c);
                double mean = moments[0];
                double square = moments[1];
                double pooledMean = (prior * oldMean[c] + frames.size() * mean) / (prior + 10);
                double pooledSquare =
                        (prior * (4 + oldMean[c] * (double) oldMean[c]) + frames.size() * square)
                                / (prior + 10);
                double pooledVar = pooledSquare - pooledMean * pooledMean;
                assertThat((double) runningMean[c])
                        .as("mean %d", c)
                        .isCloseTo(pooledMean, within(1e-3));
                assertThat((double) runningVar[c])
                        .as("variance %d", c)
                        .isCloseTo(pooledVar, within(1e-2 * pooledVar));
                // a quarter of the way from the old mean
                assertThat(Math.abs(runningMean[c] - oldMean[c]))
                        .isCloseTo((float) Math.abs(mean - oldMean[c]) / 4, within(1e-3f));
            }
            assertThatThrownBy(() -> BatchNormStatistics.setFrom(net, m, frames, 4, -1))
                    .hasMessageContaining("prior weight");
        }
    }

    /** The mean of channel {@code c}'s pixels over all images, and the mean of their squares. */
    private static double[] moments(NDArray images, int c) {
        float[] v = images.get(":, " + c).toFloatArray();
        double s = 0;
        double q = 0;
        for (float x : v) {
            s += x;
            q += x * (double) x;
        }
        return new double[] {s / v.length, q / v.length};
    }

    @Test
    void fewerThanTwoFramesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net =
                    new SequentialBlock().add(Layers.batchNorm(Layers.BACKBONE_BN_MOMENTUM));
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, SIDE, SIDE));
            assertThatThrownBy(() -> BatchNormStatistics.setFrom(net, m, frames(1), 4))
                    .hasMessageContaining("need batches of two frames or more; got 1 frames");
        }
    }
}
