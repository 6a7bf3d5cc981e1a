package io.scenestream.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bridge between a DJL block tree and a PyTorch state dict: every parameter and BatchNorm
 * buffer under the reference implementation's name ({@code
 * backbone.stage2.0.fuse_layers.1.0.0.weight}).
 *
 * <p>This is the one place that knows how names map. A child block's PyTorch name is its DJL child
 * name without the insertion-order prefix DJL adds ({@code "03bn1"} is {@code bn1}), except inside
 * a {@link SequentialBlock}, whose children are named by position as in {@code nn.Sequential}.
 * DJL's parameter names map to PyTorch's as: weight, bias as they are; BatchNorm gamma, beta,
 * runningMean, runningVar to weight, bias, running_mean, running_var. The parity test checks the
 * whole mapping against the reference's weights.
 */
public final class StateDict {

    /** PyTorch's counter of BatchNorm updates; it has no DJL counterpart and is ignored. */
    private static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    private StateDict() {}

    /** Every parameter of {@code root} under its PyTorch name, in module order. */
    public static Map<String, Parameter> parameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        walk(root, "", out);
        return Collections.unmodifiableMap(out);
    }

    private static void walk(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + torchParameterName(p.getKey()), p.getValue());
        }
        boolean positional = block instanceof SequentialBlock;
        int i = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            String name = positional ? String.valueOf(i) : stripOrderPrefix(child.getKey(), i + 1);
            walk(child.getValue(), prefix + name + ".", out);
            i++;
        }
    }

    /** DJL names children {@code String.format("%02d%s", order, name)} with order from 1. */
    private static String stripOrderPrefix(String djlName, int order) {
        String p = String.format(Locale.ROOT, "%02d", order);
        if (!djlName.startsWith(p)) {
            throw new IllegalStateException(
                    "unexpected DJL child name " + djlName + " at position " + order);
        }
        return djlName.substring(p.length());
    }

    private static String torchParameterName(String djl) {
        return switch (djl) {
            case "weight", "bias" -> djl;
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> throw new IllegalStateException("no PyTorch name for DJL parameter " + djl);
        };
    }

    /**
     * Copies {@code weights} into the initialised block {@code root}, all or nothing.
     *
     * @param root an initialised block
     * @param weights named arrays, keyed by PyTorch names
     * @param source where the weights come from, for the error message
     * @throws IncompatibleWeightsException listing every missing, unexpected and mis-shaped name;
     *     nothing is loaded then
     */
    public static void load(Block root, NDList weights, String source) {
        Map<String, Parameter> params = parameters(root);
        Map<String, NDArray> byName = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (NDArray a : weights) {
            String name = a.getName();
            if (name == null || name.endsWith(NUM_BATCHES_TRACKED)) {
                continue;
            }
            if (params.containsKey(name)) {
                byName.put(name, a);
            } else {
                unexpected.add(name + " " + a.getShape());
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray a = byName.get(e.getKey());
            Shape expected = e.getValue().getArray().getShape();
            if (a == null) {
                missing.add(e.getKey() + " " + expected);
            } else if (!a.getShape().equals(expected)) {
                wrongShape.add(
                        e.getKey() + ": model has " + expected + ", weights have " + a.getShape());
            } else if (!a.getDataType().isFloating()) {
                wrongShape.add(
                        e.getKey() + ": weights are " + a.getDataType() + ", not floating point");
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            throw new IncompatibleWeightsException(source, missing, unexpected, wrongShape);
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray target = e.getValue().getArray();
            NDArray src = byName.get(e.getKey());
            float[] values =
                    src.getDataType() == DataType.FLOAT32 ? src.toFloatArray() : toFloat(src);
            target.set(FloatBuffer.wrap(values));
        }
    }

    private static float[] toFloat(NDArray a) {
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /**
     * Reads an {@code .npz} state dict and loads it into {@code root}; see {@link #load(Block,
     * NDList, String)}.
     */
    public static void load(Block root, Path npz) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
                InputStream in = new BufferedInputStream(Files.newInputStream(npz))) {
            NDList weights;
            try {
                weights = NDList.decode(manager, in);
            } catch (RuntimeException e) {
                throw new IOException(
                        "cannot read " + npz + " as an .npz state dict: " + e.getMessage(), e);
            }
            load(root, weights, npz.toString());
        }
    }

    /**
     * Writes every parameter of {@code root} under its PyTorch name as an {@code .npz} archive,
     * float32.
     */
    public static void save(Block root, OutputStream out) throws IOException {
        save(root, out, DataType.FLOAT32);
    }

    /**
     * Writes every parameter of {@code root} under its PyTorch name as an {@code .npz} archive.
     *
     * @param storage FLOAT32, or FLOAT16 to halve the size (loading converts back to float32)
     */
    public static void save(Block root, OutputStream out, DataType storage) throws IOException {
        if (storage != DataType.FLOAT32 && storage != DataType.FLOAT16) {
            throw new IllegalArgumentException(
                    "weights are stored as float32 or float16, not " + storage);
        }
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList list = new NDList();
            for (Map.Entry<String, Parameter> e : parameters(root).entrySet()) {
                NDArray src = e.getValue().getArray();
                NDArray copy = manager.create(src.toFloatArray(), src.getShape());
                if (storage != DataType.FLOAT32) {
                    copy = copy.toType(storage, false);
                }
                copy.setName(e.getKey());
                list.add(copy);
            }
            list.encode(out, NDList.Encoding.NPZ);
        }
    }

    /** {@link #save(Block, OutputStream)} to a file. */
    public static void save(Block root, Path npz) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(npz))) {
            save(root, out);
        }
    }

    /**
     * Total number of values in the learnable parameters (BatchNorm running statistics excluded).
     */
    public static long countLearnable(Block root) {
        long n = 0;
        for (Map.Entry<String, Parameter> e : parameters(root).entrySet()) {
            if (e.getValue().requiresGradient()) {
                n += e.getValue().getArray().getShape().size();
            }
        }
        return n;
    }
}
