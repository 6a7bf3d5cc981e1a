package io.scenestream.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scenestream.frames.SharedData;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.IncompatibleWeightsException;
import io.scenestream.model.weights.StateDict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving and loading checkpoints: a reference-tiny network with the reference's weights survives
 * the round trip exactly, and every kind of bad file is refused with a message naming the file and
 * the problem.
 */
class CheckpointsTest {

    private static final MtiNetConfig TINY = MtiNetConfig.named("reference-tiny");
    private static final List<String> NYU13 =
            List.of(
                    "bed",
                    "books",
                    "ceiling",
                    "chair",
                    "floor",
                    "furniture",
                    "objects",
                    "picture",
                    "sofa",
                    "table",
                    "tv",
                    "wall",
                    "window");

    @TempDir static Path fixtures;

    /** A valid reference-tiny checkpoint, for the tests that only read or damage one. */
    private static Path valid;

    private static CheckpointManifest written;

    @TempDir Path dir;

    @BeforeAll
    static void saveReferenceCheckpoint() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            MtiNet net = referenceNet(manager);
            valid = fixtures.resolve("tiny" + Checkpoints.EXTENSION);
            written = Checkpoints.save(valid, net, manifest(TINY));
        }
    }

    /** A reference-tiny network holding the reference's (trained-looking, non-default) weights. */
    private static MtiNet referenceNet(NDManager manager) throws IOException {
        MtiNet net = new MtiNet(TINY);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        StateDict.load(net, SharedData.path("mtinet-reference/weights.npz"));
        return net;
    }

    private static CheckpointManifest manifest(MtiNetConfig config) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dataset", "nyud-v2");
        data.put("split", "train");
        return CheckpointManifest.from(config)
                .setModelName("student")
                .optModelVersion(7)
                .setInputSize(64, 64)
                .optClassNames(NYU13)
                .optCreatedAt("2025-01-31T12:00:00Z")
                .optTraining("command", List.of("train", "--steps", "10"))
                .optTraining("seed", 42L)
                .optTraining("steps", 10L)
                .optTraining("data", data)
                .optTraining("evaluation", Map.of("miou", 0.4125, "rmse_m", 0.61))
                .build();
    }

    @Test
    void roundTripRestoresEveryParameterAndTheOutputs() throws IOException {
        Path file = dir.resolve("student" + Checkpoints.EXTENSION);
        try (NDManager original = NDManager.newBaseManager();
                NDManager loadedManager = NDManager.newBaseManager()) {
            MtiNet net = referenceNet(original);
            Checkpoints.save(file, net, manifest(TINY));

            LoadedCheckpoint loaded = Checkpoints.load(file, loadedManager, TINY);
            assertThat(loaded.file()).isEqualTo(file);
            assertThat(loaded.config()).isEqualTo(TINY);
            assertThat(loaded.net().getConfig()).isEqualTo(TINY);

            Map<String, Parameter> expected = StateDict.parameters(net);
            Map<String, Parameter> actual = StateDict.parameters(loaded.net());
            assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
            for (Map.Entry<String, Parameter> e : expected.entrySet()) {
                NDArray a = actual.get(e.getKey()).getArray();
                assertThat(a.getShape())
                        .as("shape of %s", e.getKey())
                        .isEqualTo(e.getValue().getArray().getShape());
                assertThat(a.toFloatArray())
                        .as("values of %s", e.getKey())
                        .isEqualTo(e.getValue().getArray().toFloatArray());
            }

            NDArray input = original.randomNormal(new Shape(2, 3, 64, 64));
            NDList before =
                    net.forward(new ParameterStore(original, false), new NDList(input), false);
            NDList after =
                    loaded.net()
                            .forward(
                                    new ParameterStore(loadedManager, false),
                                    new NDList(input.toDevice(loadedManager.getDevice(), true)),
                                    false);
            assertThat(after).hasSameSizeAs(before);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i).getShape())
                        .as("shape of output %d", i)
                        .isEqualTo(before.get(i).getShape());
                assertThat(after.get(i).toFloatArray())
                        .as("output %d", i)
                        .isEqualTo(before.get(i).toFloatArray());
            }
        }
    }

    @Test
    void weightsAreAStateDictUnderPyTorchNames() throws IOException {
        byte[] npz = entries(valid).get(Checkpoints.WEIGHTS);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList weights = NDList.decode(manager, new ByteArrayInputStream(npz));
            List<String> names = new ArrayList<>();
            weights.forEach(a -> names.add(a.getName()));
            MtiNet fresh = new MtiNet(TINY);
            fresh.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertThat(names).containsExactlyElementsOf(StateDict.parameters(fresh).keySet());
            assertThat(names)
                    .contains("heads.semseg.last_layer.0.weight", "scale_3.decoders.depth.bias");
            StateDict.load(fresh, weights, "weights.npz");
        }
    }

    @Test
    void manifestRoundTrips() throws IOException {
        CheckpointManifest read = Checkpoints.readManifest(valid);
        assertThat(read).isEqualTo(written);
        assertThat(read.formatVersion()).isEqualTo(CheckpointManifest.FORMAT_VERSION);
        assertThat(read.modelName()).isEqualTo("student");
        assertThat(read.modelVersion()).isEqualTo(7L);
        assertThat(read.toConfig()).isEqualTo(TINY);
        assertThat(read.classNames()).isEqualTo(NYU13);
        assertThat(read.inputHeight()).isEqualTo(64);
        assertThat(read.inputWidth()).isEqualTo(64);
        assertThat(read.createdAt()).isEqualTo("2025-01-31T12:00:00Z");
        assertThat(read.training())
                .containsEntry("command", List.of("train", "--steps", "10"))
                .containsEntry("seed", 42L)
                .containsEntry("data", Map.of("dataset", "nyud-v2", "split", "train"))
                .containsEntry("evaluation", Map.of("miou", 0.4125, "rmse_m", 0.61));
        assertThat(read.weightsSha256()).matches("[0-9a-f]{64}");
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("sub/student" + Checkpoints.EXTENSION);
        try (NDManager manager = NDManager.newBaseManager()) {
            MtiNet net = referenceNet(manager);
            Checkpoints.save(file, net, manifest(TINY));
            CheckpointManifest second =
                    Checkpoints.save(
                            file, net, manifest(TINY).toBuilder().optModelVersion(8).build());
            assertThat(Checkpoints.readManifest(file)).isEqualTo(second);
            assertThat(second.modelVersion()).isEqualTo(8L);
        }
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void saveRefusesAManifestOfAnotherArchitecture() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            MtiNet net = referenceNet(manager);
            CheckpointManifest w18 =
                    CheckpointManifest.from(MtiNetConfig.named("w18"))
                            .setModelName("student")
                            .setInputSize(64, 64)
                            .build();
            assertThatThrownBy(() -> Checkpoints.save(dir.resolve("x.ckpt.zip"), net, w18))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("backbone widths");
        }
        assertThat(dir.resolve("x.ckpt.zip")).doesNotExist();
    }

    // ---- bad files ----

    @Test
    void missingFile() {
        Path file = dir.resolve("nothing.ckpt.zip");
        assertRefused(file, "no such file");
    }

    @Test
    void directoryIsNotACheckpoint() {
        assertRefused(dir, "not a regular file");
    }

    @Test
    void garbageIsNotAZip() throws IOException {
        Path file = dir.resolve("garbage.ckpt.zip");
        Files.write(
                file,
                "this is not a checkpoint at all, just some text\n"
                        .repeat(100)
                        .getBytes(StandardCharsets.UTF_8));
        assertRefused(file, "not a zip archive");
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = dir.resolve("truncated.ckpt.zip");
        byte[] all = Files.readAllBytes(valid);
        Files.write(file, Arrays.copyOf(all, all.length / 2));
        assertRefused(file, "truncated");
    }

    @Test
    void flippedByteInTheWeightsIsDetected() throws IOException {
        // Inside the stored weights: a CRC error (or, on a block header, an unreadable entry).
        Path file = dir.resolve("flipped.ckpt.zip");
        byte[] all = Files.readAllBytes(valid);
        all[all.length / 2] ^= 0x5a;
        Files.write(file, all);
        assertRefused(file, "damaged");
        assertRefused(file, "weights.npz");
    }

    @Test
    void zipWithoutManifestIsNotACheckpoint() throws IOException {
        Path file = dir.resolve("nomanifest.ckpt.zip");
        rewrite(valid, file, e -> e.remove(Checkpoints.MANIFEST));
        assertRefused(file, "no manifest.json");
    }

    @Test
    void unparsableManifest() throws IOException {
        Path file = dir.resolve("badjson.ckpt.zip");
        rewrite(
                valid,
                file,
                e ->
                        e.put(
                                Checkpoints.MANIFEST,
                                "{\"format_version\": 1, \"model_name\": ".getBytes()));
        assertRefused(file, "manifest.json is not valid JSON");
    }

    @Test
    void manifestMissingAField() throws IOException {
        Path file = dir.resolve("noname.ckpt.zip");
        rewrite(
                valid,
                file,
                e ->
                        e.put(
                                Checkpoints.MANIFEST,
                                manifestJson(e)
                                        .replaceFirst("\"model_name\"", "\"modelname\"")
                                        .getBytes(StandardCharsets.UTF_8)));
        assertRefused(file, "missing field model_name");
    }

    @Test
    void manifestOfANewerFormatVersion() throws IOException {
        Path file = dir.resolve("v99.ckpt.zip");
        rewrite(
                valid,
                file,
                e ->
                        e.put(
                                Checkpoints.MANIFEST,
                                manifestJson(e)
                                        .replaceFirst(
                                                "\"format_version\": 1", "\"format_version\": 99")
                                        .getBytes(StandardCharsets.UTF_8)));
        assertRefused(file, "format version 99 is newer");
    }

    @Test
    void weightsMissing() throws IOException {
        Path file = dir.resolve("noweights.ckpt.zip");
        rewrite(valid, file, e -> e.remove(Checkpoints.WEIGHTS));
        assertThat(Checkpoints.readManifest(file)).isEqualTo(written);
        assertRefused(file, "no weights.npz");
    }

    @Test
    void tamperedWeightsFailTheChecksum() throws IOException {
        Path file = dir.resolve("tampered.ckpt.zip");
        rewrite(
                valid,
                file,
                e -> {
                    byte[] w = e.get(Checkpoints.WEIGHTS).clone();
                    w[w.length / 2] ^= 1;
                    e.put(Checkpoints.WEIGHTS, w);
                });
        assertRefused(file, "weights.npz fails its checksum");
    }

    @Test
    void weightsThatDoNotFitTheArchitecture() throws IOException {
        // The manifest claims 14 classes; the weights (checksum intact) have 13.
        Path file = dir.resolve("misfit.ckpt.zip");
        rewrite(
                valid,
                file,
                e ->
                        e.put(
                                Checkpoints.MANIFEST,
                                manifestJson(e)
                                        .replace("\"channels\": 13", "\"channels\": 14")
                                        .replaceAll(
                                                "(?s)\"class_names\": \\[.*?\\]",
                                                "\"class_names\": []")
                                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(Checkpoints.readManifest(file).toConfig().task(Task.SEMSEG).channels())
                .isEqualTo(14);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Checkpoints.load(file, manager))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("do not fit the model")
                    .hasMessageContaining("wrong shape")
                    .hasCauseInstanceOf(IncompatibleWeightsException.class);
        }
    }

    @Test
    void architectureOtherThanExpected() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Checkpoints.load(valid, manager, MtiNetConfig.named("w18")))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(valid.toString())
                    .hasMessageContaining("architecture differs")
                    .hasMessageContaining(
                            "configuration name: checkpoint has reference-tiny, expected has w18")
                    .hasMessageContaining(
                            "backbone widths: checkpoint has [8, 16, 24, 32], expected has [18, 36, 72, 144]")
                    .hasMessageNotContaining("tasks");
        }
    }

    private static void assertRefused(Path file, String problem) {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Checkpoints.load(file, manager))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(problem)
                    .satisfies(
                            e -> assertThat(((CheckpointException) e).getFile()).isEqualTo(file));
        }
    }

    private static String manifestJson(Map<String, byte[]> entries) {
        return new String(entries.get(Checkpoints.MANIFEST), StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> all = z.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** Copies the zip {@code src} to {@code dst}, with its entries changed by {@code edit}. */
    private static void rewrite(Path src, Path dst, Consumer<Map<String, byte[]>> edit)
            throws IOException {
        Map<String, byte[]> e = entries(src);
        edit.accept(e);
        try (OutputStream out = Files.newOutputStream(dst);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : e.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }
}
