package io.scenestream.model.cli;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a deployable copy of a checkpoint: the weights (float32 or float16) and the manifest,
 * without the optimiser state a training checkpoint carries.
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

    @Override
    public Integer call() throws Exception {
        try (Model djl = Model.newInstance("export")) {
            LoadedCheckpoint lc = Checkpoints.load(checkpoint, djl.getNDManager());
            CheckpointManifest written =
                    Checkpoints.save(
                            out,
                            lc.net(),
                            lc.manifest(),
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
        }
        return 0;
    }
}
