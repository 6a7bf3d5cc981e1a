package io.scenestream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.scenestream.frames.SharedData;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.nn.Complexity;
import io.scenestream.model.nn.MtiNet;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDictTest {

    private static MtiNet tiny(Model model) {
        MtiNet net = new MtiNet(MtiNetConfig.named("reference-tiny"));
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
        model.setBlock(net);
        return net;
    }

    private static NDList referenceWeights(NDManager m) throws IOException {
        try (InputStream in =
                new BufferedInputStream(
                        Files.newInputStream(SharedData.path("mtinet-reference/weights.npz")))) {
            return NDList.decode(m, in);
        }
    }

    @Test
    void namesAreExactlyTheReferenceStateDict() throws IOException {
        try (Model model = Model.newInstance("names");
                NDManager m = NDManager.newBaseManager()) {
            MtiNet net = tiny(model);
            NDList ref = referenceWeights(m);
            Map<String, Parameter> params = StateDict.parameters(net);
            assertThat(params).hasSize(ref.size());
            for (NDArray a : ref) {
                assertThat(params).containsKey(a.getName());
                assertThat(params.get(a.getName()).getArray().getShape())
                        .as(a.getName())
                        .isEqualTo(a.getShape());
            }
        }
    }

    @Test
    void missingUnexpectedAndMisshapenNamesAreAllListedAndNothingIsLoaded() throws IOException {
        try (Model model = Model.newInstance("bad");
                NDManager m = NDManager.newBaseManager()) {
            MtiNet net = tiny(model);
            float[] before =
                    StateDict.parameters(net)
                            .get("backbone.conv1.weight")
                            .getArray()
                            .toFloatArray();
            NDList ref = referenceWeights(m);
            NDList broken = new NDList();
            for (NDArray a : ref) {
                switch (a.getName()) {
                    case "heads.depth.last_layer.3.bias" -> {} // drop: missing
                    case "scale_0.decoders.semseg.weight" -> {
                        NDArray wrong = m.zeros(new Shape(12, 8, 1, 1));
                        wrong.setName(a.getName());
                        broken.add(wrong);
                    }
                    default -> broken.add(a);
                }
            }
            NDArray extra = m.zeros(new Shape(3));
            extra.setName("heads.normals.last_layer.0.weight");
            broken.add(extra);

            assertThatThrownBy(() -> StateDict.load(net, broken, "broken.npz"))
                    .isInstanceOfSatisfying(
                            IncompatibleWeightsException.class,
                            e -> {
                                assertThat(e.getMissing())
                                        .singleElement()
                                        .asString()
                                        .startsWith("heads.depth.last_layer.3.bias");
                                assertThat(e.getUnexpected())
                                        .singleElement()
                                        .asString()
                                        .startsWith("heads.normals.last_layer.0.weight");
                                assertThat(e.getWrongShape())
                                        .singleElement()
                                        .asString()
                                        .contains("scale_0.decoders.semseg.weight")
                                        .contains("(13, 8, 1, 1)")
                                        .contains("(12, 8, 1, 1)");
                                assertThat(e.getMessage())
                                        .contains("broken.npz")
                                        .contains("1 missing")
                                        .contains("1 unexpected");
                            });
            assertThat(
                            StateDict.parameters(net)
                                    .get("backbone.conv1.weight")
                                    .getArray()
                                    .toFloatArray())
                    .as("no partial load")
                    .containsExactly(before);
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreRefused() {
        try (Model model = Model.newInstance("w18")) {
            MtiNet net = new MtiNet(MtiNetConfig.named("w18"));
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertThatThrownBy(
                            () ->
                                    StateDict.load(
                                            net, SharedData.path("mtinet-reference/weights.npz")))
                    .isInstanceOfSatisfying(
                            IncompatibleWeightsException.class,
                            e -> {
                                assertThat(e.getMessage())
                                        .contains("wrong shape")
                                        .contains("and ")
                                        .contains("more");
                                assertThat(e.getWrongShape())
                                        .anySatisfy(
                                                line ->
                                                        assertThat(line)
                                                                .startsWith(
                                                                        "backbone.stage4.0.branches.3.0.conv1.weight")
                                                                .contains("(144, 144, 3, 3)")
                                                                .contains("(32, 32, 3, 3)"));
                            });
        }
    }

    @Test
    void aFileThatIsNoNpzIsAClearError(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("weights.npz");
        Files.write(junk, "this is not a state dict".getBytes());
        try (Model model = Model.newInstance("junk")) {
            MtiNet net = tiny(model);
            assertThatThrownBy(() -> StateDict.load(net, junk))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(junk.toString());
        }
    }

    @Test
    void saveThenLoadIsExact(@TempDir Path dir) throws IOException {
        try (Model a = Model.newInstance("a");
                Model b = Model.newInstance("b")) {
            MtiNet src = tiny(a);
            StateDict.load(src, SharedData.path("mtinet-reference/weights.npz"));
            Path file = dir.resolve("copy.npz");
            StateDict.save(src, file);
            MtiNet dst = tiny(b);
            StateDict.load(dst, file);
            Map<String, Parameter> p = StateDict.parameters(src);
            Map<String, Parameter> q = StateDict.parameters(dst);
            for (String k : p.keySet()) {
                assertThat(q.get(k).getArray().toFloatArray())
                        .as(k)
                        .containsExactly(p.get(k).getArray().toFloatArray());
            }
        }
    }

    @Test
    void fullSizeW18MatchesThePapersSize() {
        // The reference README: NYUD setting (40 classes + depth), 8,578,179 parameters, backbone
        // 3,860,720; 17.14 GMAC per 480x640 frame, 4.57 at 256x320.
        try (Model model = Model.newInstance("w18")) {
            MtiNet net = new MtiNet(MtiNetConfig.named("w18", MtiNetConfig.nyud13(40)));
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 256, 320));
            assertThat(StateDict.countLearnable(net)).isEqualTo(8_578_179L);
            long backbone =
                    StateDict.parameters(net).entrySet().stream()
                            .filter(
                                    e ->
                                            e.getKey().startsWith("backbone.")
                                                    && e.getValue().requiresGradient())
                            .mapToLong(e -> e.getValue().getArray().getShape().size())
                            .sum();
            assertThat(backbone).isEqualTo(3_860_720L);
            double g480 = Complexity.macsPerFrame(net, model.getNDManager(), 480, 640) / 1e9;
            double g256 = Complexity.macsPerFrame(net, model.getNDManager(), 256, 320) / 1e9;
            assertThat(g480).isCloseTo(17.14, org.assertj.core.api.Assertions.within(0.2));
            assertThat(g256).isCloseTo(4.57, org.assertj.core.api.Assertions.within(0.06));
        }
    }
}
