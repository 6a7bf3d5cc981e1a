package io.scenestream.model.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.scenestream.model.checkpoint.CheckpointException;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every load of a checkpoint reruns its probe; a model whose numbers are wrong here is refused. */
class NumericsSelfTestTest {

    private static final Path STUDENT = Path.of("checkpoints", "student-lite.ckpt.zip");
    private static final Path TEACHER = Path.of("checkpoints", "teacher-w18.ckpt.zip");

    @TempDir Path dir;

    @Test
    void shippedCheckpointsCarryProbesThatReproduce() throws Exception {
        for (Path file : new Path[] {STUDENT, TEACHER}) {
            try (NDManager m = NDManager.newBaseManager()) {
                LoadedCheckpoint lc = Checkpoints.load(file, m);
                assertThat(lc.manifest().probe()).as("%s's probe", file).isNotNull();
                assertThat(lc.numerics().probed()).isTrue();
                assertThat(lc.numerics().result().passes()).isTrue();
                assertThat(lc.numerics().result().error()).isLessThan(1e-4);
                assertThat(lc.numerics().path()).isEqualTo(Kernels.cpuPath());
                assertThat(lc.numerics().toString())
                        .contains(file.getFileName().toString(), "probe reproduced");
            }
        }
    }

    @Test
    void aCorruptedProbeIsRefusedNamingModelDeviceProcessorAndMismatch() throws Exception {
        Path bad = dir.resolve("bad-probe.ckpt.zip");
        rewriteProbe(
                STUDENT,
                bad,
                v -> {
                    for (int i = 0; i < v.length; i += 7) {
                        v[i] += 0.5f;
                    }
                    return v;
                });
        KernelPath before = Kernels.cpuPath();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Checkpoints.load(bad, m))
                    .isInstanceOf(NumericsException.class)
                    .hasMessageContaining("student v1 (bad-probe.ckpt.zip)")
                    .hasMessageContaining("cpu()")
                    .hasMessageContaining(Kernels.processor())
                    .hasMessageContaining("largest difference 0.5")
                    .hasMessageContaining("Refusing to serve it");
        }
        // A probe wrong on every path says nothing about the kernels: the process stays where it
        // was.
        assertThat(Kernels.cpuPath()).isEqualTo(before);
    }

    @Test
    void aProbeChangedWithoutItsManifestFailsItsChecksum() throws Exception {
        Path bad = dir.resolve("tampered.ckpt.zip");
        copyReplacing(
                STUDENT,
                bad,
                Map.of(
                        Checkpoints.PROBE,
                        bytes -> {
                            bytes[bytes.length / 2] ^= 1;
                            return bytes;
                        }));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Checkpoints.load(bad, m))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("probe.npz fails its checksum");
        }
    }

    @Test
    void aSavedCheckpointCarriesAProbeOfItsWeightsAsStored() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LoadedCheckpoint lc = Checkpoints.load(STUDENT, m);
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                Path out = dir.resolve("saved-" + type + ".ckpt.zip");
                CheckpointManifest written =
                        Checkpoints.save(
                                out,
                                lc.net(),
                                lc.manifest().toBuilder().optModelVersion(2).build(),
                                type,
                                null);
                assertThat(written.probe()).isNotNull();
                assertThat(written.probe().computedOn()).contains(Kernels.processor());
                LoadedCheckpoint back = Checkpoints.load(out, m);
                assertThat(back.numerics().probed()).isTrue();
                // float16 storage rounds the weights: the probe describes the rounded ones.
                assertThat(back.numerics().result().error()).as("%s", type).isLessThan(1e-4);
            }
        }
    }

    @Test
    void aCheckpointWithoutProbeGetsOneWithItsWeightsUnchanged() throws Exception {
        Path old = dir.resolve("old.ckpt.zip");
        copyWithout(STUDENT, old, Checkpoints.PROBE);
        Path probed = dir.resolve("probed.ckpt.zip");
        try (NDManager m = NDManager.newBaseManager()) {
            LoadedCheckpoint unprobed = Checkpoints.load(old, m);
            assertThat(unprobed.numerics().probed()).isFalse();
            assertThat(unprobed.numerics().result().passes()).isTrue();
            CheckpointManifest written = Checkpoints.withNewProbe(old, probed, m);
            assertThat(written.weightsSha256()).isEqualTo(unprobed.manifest().weightsSha256());
            assertThat(entry(probed, Checkpoints.WEIGHTS))
                    .isEqualTo(entry(STUDENT, Checkpoints.WEIGHTS));
            assertThat(Checkpoints.load(probed, m).numerics().probed()).isTrue();
        }
    }

    /**
     * {@code from} copied to {@code to} with its probe's outputs changed by {@code f}, manifest
     * made to match.
     */
    static void rewriteProbe(Path from, Path to, UnaryOperator<float[]> f) throws IOException {
        CheckpointManifest manifest = Checkpoints.readManifest(from);
        CheckpointManifest.Probe p = manifest.probe();
        byte[] probe;
        try (NDManager m = NDManager.newBaseManager()) {
            probe =
                    NumericsProbe.fromNpz(
                                    entry(from, Checkpoints.PROBE), p.seed(), p.atol(), p.rtol(), m)
                            .mapValues(f)
                            .toNpz(m);
        }
        CheckpointManifest changed =
                manifest.withProbe(
                        new CheckpointManifest.Probe(
                                p.seed(), p.atol(), p.rtol(), p.computedOn(), sha256(probe)));
        copyReplacing(
                from,
                to,
                Map.of(
                        Checkpoints.PROBE,
                        b -> probe,
                        Checkpoints.MANIFEST,
                        b -> changed.toJson().getBytes(StandardCharsets.UTF_8)));
    }

    private static void copyWithout(Path from, Path to, String dropped) throws IOException {
        CheckpointManifest manifest = Checkpoints.readManifest(from).withProbe(null);
        copyReplacing(
                from,
                to,
                Map.of(
                        dropped,
                        b -> null,
                        Checkpoints.MANIFEST,
                        b -> manifest.toJson().getBytes(StandardCharsets.UTF_8)));
    }

    private static void copyReplacing(Path from, Path to, Map<String, UnaryOperator<byte[]>> change)
            throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
                OutputStream os = Files.newOutputStream(to);
                ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] bytes;
                try (InputStream is = in.getInputStream(e)) {
                    bytes = is.readAllBytes();
                }
                if (change.containsKey(e.getName())) {
                    bytes = change.get(e.getName()).apply(bytes);
                }
                if (bytes != null) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(bytes);
                    out.closeEntry();
                }
            }
        }
    }

    static byte[] entry(Path zip, String name) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile());
                InputStream in = z.getInputStream(z.getEntry(name))) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
