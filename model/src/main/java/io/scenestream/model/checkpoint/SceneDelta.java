package io.scenestream.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.weights.StateDict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What adapting a student to one camera's (or one group's) scene changed: the values of some of its
 * parameters, laid over the shared base student. A camera that adapts only its BatchNorm layers
 * holds 0.3% of the student {@code lite}, not a whole model.
 *
 * <p>On the wire and in state it is a zip archive like a checkpoint ({@value Checkpoints#MANIFEST}
 * and {@value Checkpoints#WEIGHTS}, optionally {@value Checkpoints#OPTIMIZER}), whose weights hold
 * only the changed parameters, under their state-dict names, and whose manifest (architecture,
 * name, version, input size, checksum of the weights) says in its training section which scope it
 * is for ({@value #SCOPE}) and which base version it lies on ({@value #BASE_VERSION}). It has no
 * numerics probe: the base it lies on was self-tested when it loaded, and a delta's values are
 * checked to be finite.
 *
 * @param manifest the delta's manifest: the adapted student's name and version
 * @param values the changed parameters by state-dict name, float32, on the reader's manager
 * @param optimizerState the optimiser's state of the trained parameters, or null
 */
public record SceneDelta(
        CheckpointManifest manifest, Map<String, NDArray> values, NDList optimizerState) {

    /** Training-section key of the camera or group a delta is for. */
    public static final String SCOPE = "scope";

    /** Training-section key of the base student's version a delta lies on. */
    public static final String BASE_VERSION = "base_version";

    /** The camera or group this delta is for. */
    public String scope() {
        return String.valueOf(manifest.training().getOrDefault(SCOPE, ""));
    }

    /** The base student's version this delta lies on. */
    public long baseVersion() {
        Object v = manifest.training().get(BASE_VERSION);
        return v instanceof Number n ? n.longValue() : -1;
    }

    /** Values in the delta, all parameters together. */
    public long size() {
        long n = 0;
        for (NDArray a : values.values()) {
            n += a.size();
        }
        return n;
    }

    /**
     * Copies the delta's values into {@code net}'s parameters of the same names (a network of the
     * architecture it was read against).
     */
    public void layOver(MtiNet net) {
        layOver(StateDict.parameters(net));
    }

    /**
     * As {@link #layOver(MtiNet)}, into the network's parameters by state-dict name ({@link
     * StateDict#parameters}), for a caller that lays deltas over one network again and again.
     */
    public void layOver(Map<String, Parameter> params) {
        values.forEach((name, a) -> a.copyTo(params.get(name).getArray()));
    }

    /**
     * Writes the parameters of {@code net} that {@code names} lists as a delta.
     *
     * @param manifest the adapted student's manifest; its training section should name {@value
     *     #SCOPE} and {@value #BASE_VERSION}
     * @param storage FLOAT16 for the wire, FLOAT32 for state
     * @param optimizerState the optimiser's state to keep with it, or null
     */
    public static byte[] toBytes(
            MtiNet net,
            CheckpointManifest manifest,
            Collection<String> names,
            DataType storage,
            NDList optimizerState)
            throws IOException {
        if (storage != DataType.FLOAT32 && storage != DataType.FLOAT16) {
            throw new IllegalArgumentException(
                    "deltas are stored as float32 or float16, not " + storage);
        }
        Map<String, Parameter> params = StateDict.parameters(net);
        byte[] weights;
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList list = new NDList();
            for (String name : names) {
                Parameter p = params.get(name);
                if (p == null) {
                    throw new IllegalArgumentException("the network has no parameter " + name);
                }
                NDArray src = p.getArray();
                NDArray copy = m.create(src.toFloatArray(), src.getShape());
                if (storage != DataType.FLOAT32) {
                    copy = copy.toType(storage, false);
                }
                copy.setName(name);
                list.add(copy);
            }
            weights = list.encode(NDList.Encoding.NPZ);
        }
        CheckpointManifest written = manifest.withWeightsSha256(sha256(weights));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(weights.length + 4096);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(Checkpoints.WEIGHTS));
            zip.write(weights);
            zip.closeEntry();
            if (optimizerState != null) {
                zip.putNextEntry(new ZipEntry(Checkpoints.OPTIMIZER));
                zip.write(optimizerState.encode(NDList.Encoding.NPZ));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry(Checkpoints.MANIFEST));
            zip.write(written.toJson().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a delta and checks it against the base network it is to lie over: the same
     * architecture, every parameter known with the same shape, every value finite, the weights'
     * checksum as the manifest records it.
     *
     * @param source names the bytes in error messages
     * @param manager owns the values read
     * @throws CheckpointException naming what is wrong
     */
    public static SceneDelta fromBytes(byte[] bytes, String source, NDManager manager, MtiNet base)
            throws CheckpointException {
        Path file = Path.of(source);
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (ZipException e) {
            throw new CheckpointException(file, "not a scene delta: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file, "it is damaged or truncated: " + e, e);
        }
        byte[] json = entries.get(Checkpoints.MANIFEST);
        byte[] weights = entries.get(Checkpoints.WEIGHTS);
        if (json == null || weights == null) {
            throw new CheckpointException(
                    file,
                    "not a scene delta: it needs "
                            + Checkpoints.MANIFEST
                            + " and "
                            + Checkpoints.WEIGHTS
                            + ", it has "
                            + entries.keySet());
        }
        CheckpointManifest manifest =
                ManifestJson.parse(new String(json, StandardCharsets.UTF_8), file);
        if (!manifest.toConfig().equals(base.getConfig())) {
            throw new CheckpointException(
                    file,
                    "its architecture differs from the base student's: "
                            + String.join(
                                    "; ",
                                    Checkpoints.differences(
                                            manifest.toConfig(),
                                            base.getConfig(),
                                            "delta",
                                            "base")));
        }
        String actual = sha256(weights);
        if (!actual.equals(manifest.weightsSha256())) {
            throw new CheckpointException(
                    file,
                    Checkpoints.WEIGHTS
                            + " fails its checksum: the manifest records SHA-256 "
                            + manifest.weightsSha256()
                            + ", the weights hash to "
                            + actual);
        }
        Map<String, Parameter> params = StateDict.parameters(base);
        NDManager own = manager.newSubManager();
        boolean ok = false;
        try {
            NDList list;
            try {
                list = NDList.decode(own, weights);
            } catch (RuntimeException e) {
                throw new CheckpointException(
                        file,
                        Checkpoints.WEIGHTS + " is not a readable .npz archive: " + e.getMessage(),
                        e);
            }
            List<String> wrong = new ArrayList<>();
            Map<String, NDArray> values = new LinkedHashMap<>();
            for (NDArray a : list) {
                Parameter p = params.get(a.getName());
                if (p == null) {
                    wrong.add(a.getName() + " is not a parameter of the student");
                } else if (!p.getArray().getShape().equals(a.getShape())) {
                    wrong.add(
                            a.getName()
                                    + " has shape "
                                    + a.getShape()
                                    + ", the student's "
                                    + p.getArray().getShape());
                } else {
                    NDArray f = a.toType(DataType.FLOAT32, false);
                    if (!f.isInfinite().logicalOr(f.isNaN()).none().getBoolean()) {
                        wrong.add(a.getName() + " has NaN or infinite values");
                    }
                    values.put(a.getName(), f.toDevice(p.getArray().getDevice(), false));
                }
            }
            if (!wrong.isEmpty()) {
                throw new CheckpointException(
                        file, "its values do not fit the student: " + String.join("; ", wrong));
            }
            NDList optimizer = null;
            byte[] opt = entries.get(Checkpoints.OPTIMIZER);
            if (opt != null) {
                optimizer = NDList.decode(own, opt);
            }
            ok = true;
            return new SceneDelta(manifest, Map.copyOf(values), optimizer);
        } finally {
            if (!ok) {
                own.close();
            }
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
