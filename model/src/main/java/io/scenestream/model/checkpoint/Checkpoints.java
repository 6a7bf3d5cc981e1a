package io.scenestream.model.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.Task;
import io.scenestream.model.nn.HrNetConfig;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.numerics.Kernels;
import io.scenestream.model.numerics.NumericsProbe;
import io.scenestream.model.numerics.NumericsSelfTest;
import io.scenestream.model.weights.IncompatibleWeightsException;
import io.scenestream.model.weights.StateDict;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Saves and loads MTI-Net checkpoints. A checkpoint is one zip file (extension {@value #EXTENSION})
 * holding {@value #MANIFEST} (a {@link CheckpointManifest} as JSON) and {@value #WEIGHTS} (every
 * parameter and BatchNorm buffer under its PyTorch name, as {@link StateDict#save} writes it, so
 * the reference PyTorch code reads it too). The manifest records the SHA-256 of {@value #WEIGHTS};
 * loading checks it, and the zip's CRCs, before using anything.
 *
 * <p>Every reading method throws {@link CheckpointException}, naming the file and the problem, when
 * the file is missing, is not a SceneStream checkpoint, is truncated or damaged, has an invalid
 * manifest or one of a newer format version, lacks its weights, fails its checksum, or holds
 * weights or an architecture that do not fit.
 *
 * <p>One file: the checkpoint format (its zip entries, their checks, the probe and the self-test on
 * load) is written and read in one place, so that writer and reader cannot drift apart.
 */
public final class Checkpoints {

    /** Suggested file name extension of a checkpoint. */
    public static final String EXTENSION = ".ckpt.zip";

    /** Name of the manifest entry. */
    public static final String MANIFEST = "manifest.json";

    /** Name of the weights entry. */
    public static final String WEIGHTS = "weights.npz";

    /** Name of the numerics probe entry ({@link NumericsProbe}). */
    public static final String PROBE = NumericsProbe.ENTRY;

    /** Entry of the optimiser state, present in checkpoints written to resume training. */
    public static final String OPTIMIZER = "optimizer.npz";

    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

    private Checkpoints() {}

    /**
     * Writes {@code net}'s weights and {@code manifest} to {@code file}, atomically: the checkpoint
     * is written to a temporary file in the same directory, synced, then moved over {@code file},
     * so readers see the old checkpoint or the new one, never a partial file. Creates missing
     * parent directories.
     *
     * @param file the checkpoint to write; replaced if it exists
     * @param net an initialised network
     * @param manifest describes {@code net}; its architecture must equal {@code net}'s, its
     *     checksum is ignored
     * @return the manifest as written, with the SHA-256 of the weights
     * @throws IllegalArgumentException if the manifest's architecture is not {@code net}'s
     * @throws IOException if writing fails; {@code file} is then unchanged
     */
    public static CheckpointManifest save(Path file, MtiNet net, CheckpointManifest manifest)
            throws IOException {
        return save(file, net, manifest, DataType.FLOAT32, null);
    }

    /**
     * As {@link #save(Path, MtiNet, CheckpointManifest)}, with a choice of storage precision and
     * the optimiser's state for resuming training.
     *
     * @param weightsType FLOAT32, or FLOAT16 to halve the file (weights load back as float32)
     * @param optimizerState named arrays stored as {@value #OPTIMIZER}, or null for none
     */
    public static CheckpointManifest save(
            Path file,
            MtiNet net,
            CheckpointManifest manifest,
            DataType weightsType,
            NDList optimizerState)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(manifest, "manifest");
        if (!manifest.toConfig().equals(net.getConfig())) {
            throw new IllegalArgumentException(
                    "the manifest describes another architecture than the network: "
                            + String.join(
                                    "; ",
                                    differences(
                                            manifest.toConfig(),
                                            net.getConfig(),
                                            "manifest",
                                            "network")));
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean moved = false;
        try {
            CheckpointManifest written;
            try (FileChannel channel =
                            FileChannel.open(
                                    tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    ZipOutputStream zip =
                            new ZipOutputStream(
                                    new BufferedOutputStream(
                                            Channels.newOutputStream(channel), 1 << 16))) {
                // The .npz is deflated already: store it as is.
                zip.setLevel(Deflater.NO_COMPRESSION);
                zip.putNextEntry(new ZipEntry(WEIGHTS));
                ByteArrayOutputStream weightBytes = new ByteArrayOutputStream(1 << 20);
                StateDict.save(net, weightBytes, weightsType);
                byte[] weights = weightBytes.toByteArray();
                zip.write(weights);
                zip.closeEntry();
                ProbeEntry probe = probeOf(target, manifest, net, weights, weightsType);
                zip.putNextEntry(new ZipEntry(PROBE));
                zip.write(probe.bytes);
                zip.closeEntry();
                if (optimizerState != null) {
                    zip.putNextEntry(new ZipEntry(OPTIMIZER));
                    OutputStream opt = new BufferedOutputStream(zip, 1 << 16);
                    optimizerState.encode(opt, NDList.Encoding.NPZ);
                    opt.flush();
                    zip.closeEntry();
                }
                written = manifest.withWeightsSha256(sha256Hex(weights)).withProbe(probe.info);

                zip.setLevel(Deflater.DEFAULT_COMPRESSION);
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(written.toJson().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.finish();
                zip.flush();
                channel.force(true);
            }
            try {
                Files.move(
                        tmp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            return written;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private record ProbeEntry(byte[] bytes, CheckpointManifest.Probe info) {}

    /**
     * A new probe of the weights as they are stored: with float16 storage the network's float32
     * weights are not what a reader gets, so the probe runs on a copy loaded from {@code weights}.
     */
    private static ProbeEntry probeOf(
            Path file,
            CheckpointManifest manifest,
            MtiNet net,
            byte[] weights,
            DataType weightsType)
            throws IOException {
        NDManager owner = net.getParameters().valueAt(0).getArray().getManager();
        String model = describe(manifest, file);
        try (NDManager m = owner.newSubManager()) {
            if (weightsType == DataType.FLOAT32) {
                return probeEntry(file, model, net, m);
            }
            MtiNet copy = new MtiNet(net.getConfig());
            copy.initialize(
                    m,
                    DataType.FLOAT32,
                    new Shape(1, 3, manifest.inputHeight(), manifest.inputWidth()));
            try {
                StateDict.load(copy, NDList.decode(m, new ByteArrayInputStream(weights)), WEIGHTS);
            } catch (IncompatibleWeightsException e) {
                throw new IllegalStateException(
                        "the weights just written do not load back: " + e.getMessage(), e);
            }
            return probeEntry(file, model, copy, m);
        }
    }

    /** A new probe of {@code net} as the entry's bytes and the manifest's description of it. */
    private static ProbeEntry probeEntry(Path file, String model, MtiNet net, NDManager m)
            throws IOException {
        NumericsProbe probe = NumericsSelfTest.newProbe(file, model, net, m);
        byte[] bytes = probe.toNpz(m);
        String computedOn =
                "float64 on "
                        + (m.getDevice().isGpu() ? m.getDevice().toString() : Kernels.processor());
        return new ProbeEntry(
                bytes,
                new CheckpointManifest.Probe(
                        probe.seed(), probe.atol(), probe.rtol(), computedOn, sha256Hex(bytes)));
    }

    /** The model in words for messages: name, version and file. */
    static String describe(CheckpointManifest manifest, Path file) {
        return manifest.modelName()
                + " v"
                + manifest.modelVersion()
                + " ("
                + file.getFileName()
                + ")";
    }

    private static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /**
     * A checkpoint as bytes (the same .ckpt.zip {@link #save} writes), e.g. to send a model over
     * Kafka or keep it in Flink state.
     */
    public static byte[] toBytes(
            MtiNet net, CheckpointManifest manifest, DataType weightsType, NDList optimizerState)
            throws IOException {
        Path tmp = Files.createTempFile("scenestream-", EXTENSION);
        try {
            save(tmp, net, manifest, weightsType, optimizerState);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Loads a checkpoint held in memory ({@link #toBytes}); as {@link #load(Path, NDManager,
     * MtiNetConfig)}.
     *
     * @param source names the bytes in error messages (e.g. "model update v3")
     */
    public static LoadedCheckpoint fromBytes(
            byte[] bytes, String source, NDManager manager, MtiNetConfig expected)
            throws CheckpointException {
        return staged(
                bytes,
                source,
                file -> {
                    LoadedCheckpoint lc = load(file, manager, expected);
                    return new LoadedCheckpoint(
                            Path.of(source), lc.manifest(), lc.net(), lc.numerics());
                });
    }

    /** The optimiser state within checkpoint bytes ({@link #toBytes}), or null if it has none. */
    public static NDList optimizerStateFromBytes(byte[] bytes, String source, NDManager manager)
            throws CheckpointException {
        return staged(bytes, source, file -> readOptimizerState(file, manager));
    }

    private interface FileReader<T> {
        T read(Path file) throws CheckpointException;
    }

    /**
     * {@code reader} applied to {@code bytes} written to a temporary file (the readers work on zip
     * files), errors naming {@code source} instead of that file.
     */
    private static <T> T staged(byte[] bytes, String source, FileReader<T> reader)
            throws CheckpointException {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("scenestream-", EXTENSION);
            Files.write(tmp, bytes);
            return reader.read(tmp);
        } catch (CheckpointException e) {
            throw new CheckpointException(Path.of(source), e.getProblem(), e);
        } catch (IOException e) {
            throw new CheckpointException(Path.of(source), "cannot be staged for reading: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /**
     * Reads only the manifest of {@code file}; the weights are neither read nor checked.
     *
     * @throws CheckpointException if the file is missing, not a checkpoint, damaged, or its
     *     manifest is invalid or of a newer format version
     */
    public static CheckpointManifest readManifest(Path file) throws CheckpointException {
        Objects.requireNonNull(file, "file");
        try (ZipFile zip = open(file)) {
            return manifest(zip, file);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e, e);
        }
    }

    /**
     * Reads {@code file}: checks the manifest and the weights' checksum, builds the network from
     * the manifest's architecture, initialises it for input (1, 3, trainH, trainW) and loads the
     * weights.
     *
     * <p>The network's parameters are created in a sub-manager of {@code manager}. The caller owns
     * {@code manager} and closes it when done with the network; that frees the parameters. If
     * loading fails, nothing is left in {@code manager}.
     *
     * @param file the checkpoint
     * @param manager the manager, on the device the network should run on
     * @throws CheckpointException if the file cannot be used, see {@link Checkpoints}
     */
    public static LoadedCheckpoint load(Path file, NDManager manager) throws CheckpointException {
        return load(file, manager, null);
    }

    /**
     * {@link #load(Path, NDManager)}, failing unless the checkpoint's architecture equals {@code
     * expected}; the message names every difference. The architecture is checked before anything is
     * built or read beyond the manifest.
     *
     * @param expected the required architecture; null accepts any
     * @throws CheckpointException if the architecture differs, or the file cannot be used
     */
    public static LoadedCheckpoint load(Path file, NDManager manager, MtiNetConfig expected)
            throws CheckpointException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(manager, "manager");
        try (ZipFile zip = open(file)) {
            CheckpointManifest manifest = manifest(zip, file);
            MtiNetConfig config = manifest.toConfig();
            if (expected != null && !config.equals(expected)) {
                throw new CheckpointException(
                        file,
                        "its architecture differs from the expected one: "
                                + String.join(
                                        "; ",
                                        differences(config, expected, "checkpoint", "expected")));
            }
            ZipEntry entry = zip.getEntry(WEIGHTS);
            if (entry == null) {
                throw new CheckpointException(
                        file, "it has no " + WEIGHTS + " (the weights are missing)");
            }
            verifyWeights(zip, entry, manifest.weightsSha256(), file);

            MtiNet net = new MtiNet(config);
            NDManager parameters = manager.newSubManager();
            NumericsSelfTest.Verdict verdict;
            boolean loaded = false;
            try {
                net.initialize(
                        parameters,
                        DataType.FLOAT32,
                        new Shape(1, 3, manifest.inputHeight(), manifest.inputWidth()));
                try (NDManager scratch = NDManager.newBaseManager(Device.cpu());
                        InputStream in =
                                new BufferedInputStream(zip.getInputStream(entry), 1 << 16)) {
                    NDList weights;
                    try {
                        weights = NDList.decode(scratch, in);
                    } catch (RuntimeException e) {
                        throw new CheckpointException(
                                file,
                                WEIGHTS + " is not a readable .npz archive: " + e.getMessage(),
                                e);
                    }
                    StateDict.load(net, weights, WEIGHTS);
                } catch (IncompatibleWeightsException e) {
                    throw new CheckpointException(file, e.getMessage(), e);
                }
                NumericsProbe probe = readProbe(zip, manifest, file, parameters);
                verdict =
                        NumericsSelfTest.verify(
                                file, describe(manifest, file), net, probe, parameters);
                loaded = true;
            } finally {
                if (!loaded) {
                    parameters.close();
                }
            }
            return new LoadedCheckpoint(file, manifest, net, verdict);
        } catch (CheckpointException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            throw new CheckpointException(file, "it is damaged or truncated: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e, e);
        }
    }

    /**
     * The probe the manifest announces, checked against its SHA-256; null if the manifest has none.
     */
    private static NumericsProbe readProbe(
            ZipFile zip, CheckpointManifest manifest, Path file, NDManager manager)
            throws CheckpointException {
        CheckpointManifest.Probe info = manifest.probe();
        if (info == null) {
            return null;
        }
        ZipEntry entry = zip.getEntry(PROBE);
        if (entry == null) {
            throw new CheckpointException(
                    file, "its manifest announces a numerics probe, but it has no " + PROBE);
        }
        byte[] bytes = readChecked(zip, entry, file);
        String actual = sha256Hex(bytes);
        if (!actual.equals(info.sha256())) {
            throw new CheckpointException(
                    file,
                    PROBE
                            + " fails its checksum: the manifest records SHA-256 "
                            + info.sha256()
                            + ", the probe hashes to "
                            + actual
                            + " (the file was modified or damaged)");
        }
        try {
            return NumericsProbe.fromNpz(bytes, info.seed(), info.atol(), info.rtol(), manager);
        } catch (RuntimeException e) {
            throw new CheckpointException(
                    file, PROBE + " is not a readable probe: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code out}: {@code in} with a new numerics probe computed here from its weights, and
     * everything else (weights, optimiser state, the rest of the manifest) as it was, byte for
     * byte. For checkpoints written before probes existed, or to renew a probe.
     *
     * @return the manifest written
     * @throws CheckpointException if {@code in} cannot be used, or its numbers are wrong here
     */
    public static CheckpointManifest withNewProbe(Path in, Path out, NDManager manager)
            throws IOException {
        LoadedCheckpoint lc = load(in, manager);
        try (NDManager m = manager.newSubManager();
                ZipFile zip = open(in)) {
            ProbeEntry probe = probeEntry(in, describe(lc.manifest(), in), lc.net(), m);
            byte[] bytes = probe.bytes();
            CheckpointManifest written = lc.manifest().withProbe(probe.info());
            Path target = out.toAbsolutePath();
            Files.createDirectories(target.getParent());
            Path tmp =
                    target.getParent()
                            .resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                try (ZipOutputStream z =
                        new ZipOutputStream(
                                new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                    for (String name : List.of(WEIGHTS, OPTIMIZER)) {
                        ZipEntry e = zip.getEntry(name);
                        if (e != null) {
                            z.setLevel(Deflater.NO_COMPRESSION);
                            z.putNextEntry(new ZipEntry(name));
                            try (InputStream data = zip.getInputStream(e)) {
                                data.transferTo(z);
                            }
                            z.closeEntry();
                        }
                    }
                    z.putNextEntry(new ZipEntry(PROBE));
                    z.write(bytes);
                    z.closeEntry();
                    z.setLevel(Deflater.DEFAULT_COMPRESSION);
                    z.putNextEntry(new ZipEntry(MANIFEST));
                    z.write(written.toJson().getBytes(StandardCharsets.UTF_8));
                    z.closeEntry();
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return written;
        }
    }

    /**
     * The optimiser state stored with {@code file}, on {@code manager}, or null if it has none.
     *
     * @throws CheckpointException if the file or the entry cannot be read
     */
    public static NDList readOptimizerState(Path file, NDManager manager)
            throws CheckpointException {
        try (ZipFile zip = open(file)) {
            ZipEntry entry = zip.getEntry(OPTIMIZER);
            if (entry == null) {
                return null;
            }
            try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                return NDList.decode(manager, in);
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(
                    file, OPTIMIZER + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static ZipFile open(Path file) throws CheckpointException {
        if (!Files.exists(file)) {
            throw new CheckpointException(file, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "not a regular file");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            if (startsLikeZip(file)) {
                throw new CheckpointException(
                        file,
                        "it is truncated or damaged: the zip archive cannot be read ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            throw new CheckpointException(
                    file, "not a SceneStream checkpoint: not a zip archive", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e, e);
        }
    }

    private static boolean startsLikeZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(ZIP_SIGNATURE.length), ZIP_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }

    private static CheckpointManifest manifest(ZipFile zip, Path file) throws CheckpointException {
        ZipEntry entry = zip.getEntry(MANIFEST);
        if (entry == null) {
            throw new CheckpointException(
                    file, "not a SceneStream checkpoint: the zip archive has no " + MANIFEST);
        }
        byte[] bytes = readChecked(zip, entry, file);
        String json;
        try {
            json =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, MANIFEST + " is not UTF-8 text", e);
        }
        return ManifestJson.parse(json, file);
    }

    /** An entry's bytes, its CRC checked. */
    private static byte[] readChecked(ZipFile zip, ZipEntry entry, Path file)
            throws CheckpointException {
        try (CheckedInputStream in =
                new CheckedInputStream(zip.getInputStream(entry), new CRC32())) {
            byte[] bytes = in.readAllBytes();
            checkCrc(entry, in.getChecksum().getValue(), file);
            return bytes;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(
                    file,
                    "it is damaged or truncated: cannot read "
                            + entry.getName()
                            + " ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    /** Reads the weights entry once, checking its CRC and its SHA-256 against the manifest. */
    private static void verifyWeights(ZipFile zip, ZipEntry entry, String expectedSha, Path file)
            throws CheckpointException {
        MessageDigest sha = sha256();
        try (CheckedInputStream in =
                new CheckedInputStream(
                        new DigestInputStream(zip.getInputStream(entry), sha), new CRC32())) {
            in.transferTo(OutputStream.nullOutputStream());
            checkCrc(entry, in.getChecksum().getValue(), file);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(
                    file,
                    "it is damaged or truncated: cannot read "
                            + WEIGHTS
                            + " ("
                            + e.getMessage()
                            + ")",
                    e);
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expectedSha)) {
            throw new CheckpointException(
                    file,
                    WEIGHTS
                            + " fails its checksum: the manifest records SHA-256 "
                            + expectedSha
                            + ", the weights hash to "
                            + actual
                            + " (the file was modified or damaged)");
        }
    }

    private static void checkCrc(ZipEntry entry, long actual, Path file)
            throws CheckpointException {
        if (entry.getCrc() != -1 && entry.getCrc() != actual) {
            throw new CheckpointException(file, "it is damaged: CRC error in " + entry.getName());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Every difference between two architectures, as "what: a has x, b has y". */
    static List<String> differences(MtiNetConfig a, MtiNetConfig b, String aName, String bName) {
        List<String> out = new ArrayList<>();
        differ(out, "configuration name", a.name(), b.name(), aName, bName);
        HrNetConfig x = a.backbone();
        HrNetConfig y = b.backbone();
        differ(out, "backbone stem channels", x.stemChannels(), y.stemChannels(), aName, bName);
        differ(out, "backbone stage-1 planes", x.stage1Planes(), y.stage1Planes(), aName, bName);
        differ(out, "backbone stage-1 blocks", x.stage1Blocks(), y.stage1Blocks(), aName, bName);
        differ(
                out,
                "backbone widths",
                Arrays.toString(x.widths()),
                Arrays.toString(y.widths()),
                aName,
                bName);
        differ(
                out,
                "backbone modules per stage",
                Arrays.toString(x.modulesPerStage()),
                Arrays.toString(y.modulesPerStage()),
                aName,
                bName);
        differ(
                out,
                "backbone blocks per branch",
                x.blocksPerBranch(),
                y.blocksPerBranch(),
                aName,
                bName);
        differ(out, "tasks", describe(a.tasks()), describe(b.tasks()), aName, bName);
        differ(
                out,
                "auxiliary tasks",
                describe(a.auxiliaryTasks()),
                describe(b.auxiliaryTasks()),
                aName,
                bName);
        return out;
    }

    private static void differ(
            List<String> out, String what, Object x, Object y, String aName, String bName) {
        if (!x.equals(y)) {
            out.add(what + ": " + aName + " has " + x + ", " + bName + " has " + y);
        }
    }

    private static String describe(List<Task> tasks) {
        List<String> s = new ArrayList<>();
        for (Task t : tasks) {
            s.add(
                    t.name()
                            + " ("
                            + t.kind().name().toLowerCase(Locale.ROOT)
                            + ", "
                            + t.channels()
                            + ")");
        }
        return s.toString();
    }
}
