package io.scenestream.model.cli;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a deployable copy of a checkpoint: the weights (float32 or float16) and the manifest,
 * without the optimiser state a training checkpoint carries. With {@code --crossval} the manifest
 * also carries the K-fold figures of the recipe the weights were trained by ({@code crossval}'s
 * summary, under {@value #K_FOLD} of its training map), so that a checkpoint says how it fares on
 * real frames it never saw.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Copy a checkpoint for deployment: weights and manifest, no optimiser state.")
public class ExportCommand implements Callable<Integer> {

    @Option(
            names = "--checkpoint",
            required = true,
            description = "a .ckpt.zip (e.g. a run's last.ckpt.zip)")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "the .ckpt.zip to write")
    Path out;

    @Option(names = "--fp16", description = "store the weights as float16")
    boolean fp16;

    @Option(
            names = "--crossval",
            description =
                    "a crossval.json of the same recipe (model and name) whose K-fold figures "
                            + "the manifest carries")
    Path crossval;

    /** Key of the training map that holds the K-fold summary. */
    public static final String K_FOLD = "real_frames_k_fold";

    /** Parses {@code args} and exports; returns the written manifest. */
    public static CheckpointManifest run(String... args) throws Exception {
        ExportCommand cmd = new ExportCommand();
        new picocli.CommandLine(cmd).parseArgs(args);
        return cmd.export();
    }

    @Override
    public Integer call() throws Exception {
        export();
        return 0;
    }

    CheckpointManifest export() throws Exception {
        try (Model djl = Model.newInstance("export")) {
            LoadedCheckpoint lc = Checkpoints.load(checkpoint, djl.getNDManager());
            CheckpointManifest manifest = lc.manifest();
            if (crossval != null) {
                manifest =
                        manifest.toBuilder()
                                .optCreatedAt(manifest.createdAt())
                                .optTraining(K_FOLD, readCrossval(manifest))
                                .build();
            }
            CheckpointManifest written =
                    Checkpoints.save(
                            out,
                            lc.net(),
                            manifest,
                            fp16 ? DataType.FLOAT16 : DataType.FLOAT32,
                            null);
            System.out.printf(
                    Locale.ROOT,
                    "wrote %s (%s v%d, %s weights, sha256 %s)%n",
                    out,
                    written.modelName(),
                    written.modelVersion(),
                    fp16 ? "float16" : "float32",
                    written.weightsSha256());
            return written;
        }
    }

    /**
     * The summary in {@link #crossval}, checked to be of a model like the one exported: the same
     * architecture ({@code --model}) and name ({@code --name}, {@code student} when left out).
     */
    private Map<String, Object> readCrossval(CheckpointManifest manifest) throws IOException {
        Map<String, Object> doc;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = new Gson().fromJson(Files.readString(crossval), Map.class);
            doc = parsed;
        } catch (JsonParseException | ClassCastException e) {
            throw new IllegalArgumentException(
                    "--crossval " + crossval + " is not a JSON object: " + e.getMessage(), e);
        }
        if (doc == null
                || !(doc.get("metrics") instanceof Map<?, ?> metrics)
                || !metrics.containsKey("miou")
                || !(doc.get("train_options") instanceof List<?> options)) {
            throw new IllegalArgumentException(
                    "--crossval "
                            + crossval
                            + " is not the summary crossval writes (no metrics.miou or train_options)");
        }
        String model = Sources.trainOption(options, "--model", null);
        String name = Sources.trainOption(options, "--name", "student");
        if (!manifest.architecture().name().equals(model) || !manifest.modelName().equals(name)) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "--crossval %s cross-validated %s (%s), not this checkpoint's %s (%s)",
                            crossval,
                            name,
                            model,
                            manifest.modelName(),
                            manifest.architecture().name()));
        }
        return doc;
    }
}
