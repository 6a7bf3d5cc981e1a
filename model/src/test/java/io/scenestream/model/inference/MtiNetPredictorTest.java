package io.scenestream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.data.Batches;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MtiNetPredictorTest {

    private static Model model;
    private static MtiNet net;
    private static DenseSample a;
    private static DenseSample b;

    @BeforeAll
    static void load() throws Exception {
        model = Model.newInstance("predictor");
        net = new MtiNet(MtiNetConfig.named("reference-tiny"));
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 96, 128));
        model.setBlock(net);
        StateDict.load(net, SharedData.path("mtinet-reference/weights.npz"));
        NyudDataset nyud = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val");
        a = nyud.read("0001").resize(96, 128);
        b = nyud.read("0009").resize(96, 128);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static RgbFrame frame(DenseSample s) {
        return new RgbFrame(s.width(), s.height(), s.rgb());
    }

    @Test
    void predictionsEqualTheNetworkOutputs() {
        List<FramePrediction> p;
        try (MtiNetPredictor predictor =
                new MtiNetPredictor(net, model.getNDManager(), 96, 128, false)) {
            p = predictor.predict(List.of(frame(a), frame(b)));
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDList y =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(Batches.images(m, List.of(a, b))),
                            false);
            NDArray prob = y.get(0).softmax(1);
            float[] conf = prob.max(new int[] {1}).toFloatArray();
            long[] cls = prob.argMax(1).toLongArray();
            float[] depth = y.get(1).toFloatArray();
            int n = 96 * 128;
            for (int i = 0; i < 2; i++) {
                FramePrediction f = p.get(i);
                assertThat(f.width()).isEqualTo(128);
                assertThat(f.height()).isEqualTo(96);
                byte[] expectedClasses = new byte[n];
                for (int k = 0; k < n; k++) {
                    expectedClasses[k] = (byte) cls[i * n + k];
                }
                assertThat(f.classes()).containsExactly(expectedClasses);
                // The largest softmax probability, computed as 1 / sum(exp(logit - max)): equal up
                // to rounding.
                assertThat(f.confidence())
                        .containsExactly(
                                Arrays.copyOfRange(conf, i * n, (i + 1) * n),
                                org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(f.depth())
                        .containsExactly(Arrays.copyOfRange(depth, i * n, (i + 1) * n));
                assertThat(f.meanConfidence()).isBetween(1.0 / 13, 1.0);
            }
        }
    }

    @Test
    void framesOfAnySizeComeBackAtTheirSizeWhenAsked() {
        RgbFrame big = new RgbFrame(160, 120, DenseSample.class.cast(a.resize(120, 160)).rgb());
        try (MtiNetPredictor predictor =
                new MtiNetPredictor(net, model.getNDManager(), 96, 128, true)) {
            FramePrediction f = predictor.predict(List.of(big)).get(0);
            assertThat(f.width()).isEqualTo(160);
            assertThat(f.height()).isEqualTo(120);
            assertThat(f.depth()).hasSize(160 * 120);
            assertThat(f.classes()).hasSize(160 * 120);
        }
    }

    @Test
    void everyArrayOfABatchIsFreed() {
        int before = model.getNDManager().getManagedArrays().size();
        try (MtiNetPredictor predictor =
                new MtiNetPredictor(net, model.getNDManager(), 96, 128, true)) {
            for (int i = 0; i < 5; i++) {
                predictor.predict(List.of(frame(a), frame(b)));
            }
        }
        assertThat(model.getNDManager().getManagedArrays()).hasSize(before);
    }

    @Test
    void onePredictorPerThread() throws Exception {
        MtiNetPredictor mine = new MtiNetPredictor(net, model.getNDManager(), 96, 128, false);
        List<FramePrediction> here = mine.predict(List.of(frame(a)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> misuse = pool.submit(() -> mine.predict(List.of(frame(a))));
            assertThatThrownBy(misuse::get)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one per thread");
            // Two threads, each with its own predictor, get the same answers concurrently.
            List<Future<List<FramePrediction>>> results =
                    List.of(
                            pool.submit(
                                    () -> {
                                        try (MtiNetPredictor p =
                                                new MtiNetPredictor(
                                                        net,
                                                        model.getNDManager(),
                                                        96,
                                                        128,
                                                        false)) {
                                            return p.predict(List.of(frame(a)));
                                        }
                                    }),
                            pool.submit(
                                    () -> {
                                        try (MtiNetPredictor p =
                                                new MtiNetPredictor(
                                                        net,
                                                        model.getNDManager(),
                                                        96,
                                                        128,
                                                        false)) {
                                            return p.predict(List.of(frame(a)));
                                        }
                                    }));
            for (Future<List<FramePrediction>> r : results) {
                assertThat(r.get().get(0).depth()).containsExactly(here.get(0).depth());
                assertThat(r.get().get(0).classes()).containsExactly(here.get(0).classes());
            }
        } finally {
            pool.shutdownNow();
            mine.close();
        }
    }

    @Test
    void inputResolutionMustSuitTheNetwork() {
        assertThatThrownBy(() -> new MtiNetPredictor(net, model.getNDManager(), 100, 128, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiples of 32");
    }
}
