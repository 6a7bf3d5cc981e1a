package io.scenestream.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.HrNetConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest: exact architecture round trip, normalised training values, validation. */
class CheckpointManifestTest {

    private static final Path FILE = Path.of("test.ckpt.zip");
    private static final String SHA = "ab".repeat(32);

    @Test
    void jsonRoundTripRebuildsACustomArchitectureExactly() throws CheckpointException {
        // Not a built-in configuration: an auxiliary task without a final output, odd backbone.
        MtiNetConfig custom =
                new MtiNetConfig(
                        "custom",
                        new HrNetConfig(
                                24, 16, 1, new int[] {8, 16, 32, 48}, new int[] {1, 2, 1}, 1),
                        List.of(Task.depth()),
                        List.of(Task.semseg(5), Task.depth()));
        CheckpointManifest m =
                CheckpointManifest.from(custom)
                        .setModelName("student")
                        .optModelVersion(12)
                        .setInputSize(96, 128)
                        .optClassNames(List.of("a", "b", "c", "d", "e"))
                        .build()
                        .withWeightsSha256(SHA);

        CheckpointManifest read = ManifestJson.parse(m.toJson(), FILE);

        assertThat(read).isEqualTo(m);
        assertThat(read.toConfig()).isEqualTo(custom);
        assertThat(read.toConfig().auxiliaryTasks()).containsExactly(Task.semseg(5), Task.depth());
        assertThat(read.inputHeight()).isEqualTo(96);
        assertThat(read.inputWidth()).isEqualTo(128);
    }

    @Test
    void trainingValuesAreNormalisedToWhatJsonGivesBack() throws CheckpointException {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("int", 3);
        nested.put("float", 0.1f);
        nested.put("nan", Double.NaN);
        nested.put("null", null);
        CheckpointManifest m =
                CheckpointManifest.from(MtiNetConfig.named("lite"))
                        .setModelName("student")
                        .setInputSize(480, 640)
                        .optTraining("seed", 42)
                        .optTraining("lr", 1e-3)
                        .optTraining("whole", 2.0)
                        .optTraining("ious", new double[] {0.5, 0.25})
                        .optTraining("steps", new int[] {1, 2})
                        .optTraining("kind", Task.Kind.DEPTH)
                        .optTraining("ok", true)
                        .optTraining("nested", nested)
                        .build()
                        .withWeightsSha256(SHA);

        assertThat(m.training())
                .containsEntry("seed", 42L)
                .containsEntry("lr", 1e-3)
                .containsEntry("whole", 2.0)
                .containsEntry("ious", List.of(0.5, 0.25))
                .containsEntry("steps", List.of(1L, 2L))
                .containsEntry("kind", "DEPTH")
                .containsEntry("ok", true);
        Map<String, Object> expectedNested = new LinkedHashMap<>();
        expectedNested.put("int", 3L);
        expectedNested.put("float", 0.1);
        expectedNested.put("nan", null);
        expectedNested.put("null", null);
        assertThat(m.training().get("nested")).isEqualTo(expectedNested);

        CheckpointManifest read = ManifestJson.parse(m.toJson(), FILE);
        assertThat(read).isEqualTo(m);
        assertThat(read.training().get("whole")).isInstanceOf(Double.class);
        assertThat(read.training().keySet())
                .containsExactly("seed", "lr", "whole", "ious", "steps", "kind", "ok", "nested");
    }

    @Test
    void trainingRejectsValuesThatAreNotJson() {
        CheckpointManifest.Builder b =
                CheckpointManifest.from(MtiNetConfig.named("lite"))
                        .setModelName("student")
                        .setInputSize(64, 64)
                        .optTraining("data", Map.of("root", Path.of("/data")));
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training.data.root");
    }

    @Test
    void builderNamesWhatIsMissing() {
        assertThatThrownBy(
                        () ->
                                CheckpointManifest.from(MtiNetConfig.named("lite"))
                                        .setInputSize(64, 64)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must set modelName");
        assertThatThrownBy(
                        () ->
                                CheckpointManifest.from(MtiNetConfig.named("lite"))
                                        .setModelName("s")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must set the input size");
    }

    @Test
    void builderDefaults() {
        Instant before = Instant.now().minusSeconds(1);
        CheckpointManifest m =
                CheckpointManifest.from(MtiNetConfig.named("lite"))
                        .setModelName("student")
                        .setInputSize(64, 64)
                        .build();
        assertThat(m.formatVersion()).isEqualTo(CheckpointManifest.FORMAT_VERSION);
        assertThat(m.modelVersion()).isEqualTo(1L);
        assertThat(m.classNames()).isEmpty();
        assertThat(m.training()).isEmpty();
        assertThat(m.weightsSha256()).isNull();
        assertThat(Instant.parse(m.createdAt())).isAfter(before);
    }

    @Test
    void validatesClassNamesAndInputSize() {
        CheckpointManifest.Builder b =
                CheckpointManifest.from(MtiNetConfig.named("lite")).setModelName("student");
        assertThatThrownBy(() -> b.setInputSize(64, 64).optClassNames(List.of("a", "b")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("semseg has 13 classes, but 2 class names");
        assertThatThrownBy(() -> b.setInputSize(60, 64).optClassNames(List.of()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiples of 32");
        assertThatThrownBy(() -> b.setInputSize(64, 64).optCreatedAt("yesterday").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void invalidManifestsNameTheField() {
        String json =
                CheckpointManifest.from(MtiNetConfig.named("reference-tiny"))
                        .setModelName("student")
                        .setInputSize(64, 64)
                        .build()
                        .withWeightsSha256(SHA)
                        .toJson();

        assertThatThrownBy(
                        () ->
                                ManifestJson.parse(
                                        json.replace("\"widths\"", "\"width_list\""), FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("test.ckpt.zip")
                .hasMessageContaining("missing field architecture.backbone.widths");
        assertThatThrownBy(
                        () ->
                                ManifestJson.parse(
                                        json.replace("\"segmentation\"", "\"instances\""), FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("architecture.tasks[0].kind is 'instances'");
        assertThatThrownBy(
                        () ->
                                ManifestJson.parse(
                                        json.replace(
                                                "\"model_version\": 1", "\"model_version\": 1.5"),
                                        FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model_version must be an integer");
        assertThatThrownBy(
                        () ->
                                ManifestJson.parse(
                                        json.replaceFirst(
                                                "\"widths\": \\[\\s*8", "\"widths\": [\"x\""),
                                        FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("architecture.backbone.widths[0] must be an integer");
        assertThatThrownBy(
                        () ->
                                ManifestJson.parse(
                                        json.replaceFirst(
                                                "\"input_size\": \\{[^}]*}", "\"input_size\": 7"),
                                        FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("input_size must be an object");
        assertThatThrownBy(() -> ManifestJson.parse(json.replace(SHA, "xyz"), FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> ManifestJson.parse("[1, 2]", FILE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void jsonUsesTheDocumentedKeys() {
        String json =
                CheckpointManifest.from(MtiNetConfig.named("reference-tiny"))
                        .setModelName("student")
                        .setInputSize(64, 64)
                        .build()
                        .withWeightsSha256(SHA)
                        .toJson();
        for (String key :
                Arrays.asList(
                        "format_version",
                        "model_name",
                        "model_version",
                        "architecture",
                        "config",
                        "backbone",
                        "stem_channels",
                        "modules_per_stage",
                        "auxiliary_tasks",
                        "class_names",
                        "input_size",
                        "created_at",
                        "training",
                        "weights_sha256")) {
            assertThat(json).contains("\"" + key + "\"");
        }
    }
}
