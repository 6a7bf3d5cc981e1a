package io.scenestream.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.SharedData;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.weights.StateDict;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java MTI-Net reproduces the reference PyTorch implementation, number for number: the
 * reference's weights, its input, and every output (final and deep supervision) within 1e-4.
 */
class MtiNetParityTest {

    private static final double TOLERANCE = 1e-4;

    private static Model model;
    private static MtiNet net;
    private static NDManager data;
    private static NDList io;
    private static NDList outputs;

    @BeforeAll
    static void runReference() throws IOException {
        Path ref = SharedData.path("mtinet-reference");
        model = Model.newInstance("parity");
        net = new MtiNet(MtiNetConfig.named("reference-tiny"));
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 3, 96, 128));
        model.setBlock(net);
        StateDict.load(net, ref.resolve("weights.npz"));
        data = model.getNDManager().newSubManager();
        try (InputStream in =
                new BufferedInputStream(Files.newInputStream(ref.resolve("io.npz")))) {
            io = NDList.decode(data, in);
        }
        outputs = net.forward(new ParameterStore(data, false), new NDList(io.get("input")), false);
    }

    @AfterAll
    static void close() {
        data.close();
        model.close();
    }

    @Test
    void parameterCountMatchesTheReference() {
        // 918,102 learnable values in the reference's small configuration.
        assertThat(StateDict.countLearnable(net)).isEqualTo(918_102L);
    }

    @Test
    void finalOutputsMatch() {
        List<Task> tasks = net.getConfig().tasks();
        for (int t = 0; t < tasks.size(); t++) {
            assertClose(tasks.get(t).name(), outputs.get(net.finalIndex(t)));
        }
    }

    @Test
    void deepSupervisionAtEveryScaleMatches() {
        List<Task> aux = net.getConfig().auxiliaryTasks();
        for (int s = 0; s < MtiNet.SCALES; s++) {
            for (int a = 0; a < aux.size(); a++) {
                assertClose(
                        "ds_scale_" + s + "_" + aux.get(a).name(),
                        outputs.get(net.deepSupervisionIndex(s, a)));
            }
        }
    }

    @Test
    void outputShapesAreDeclaredCorrectly() {
        Shape[] declared = net.getOutputShapes(new Shape[] {new Shape(2, 3, 96, 128)});
        assertThat(declared).hasSize(outputs.size());
        for (int i = 0; i < declared.length; i++) {
            assertThat(outputs.get(i).getShape()).as("output %d", i).isEqualTo(declared[i]);
        }
    }

    private static void assertClose(String key, NDArray actual) {
        NDArray expected = io.get(key);
        assertThat(actual.getShape()).as("shape of %s", key).isEqualTo(expected.getShape());
        float maxDiff = actual.sub(expected).abs().max().getFloat();
        assertThat((double) maxDiff)
                .as("max |java - reference| of %s", key)
                .isLessThanOrEqualTo(TOLERANCE);
    }
}
