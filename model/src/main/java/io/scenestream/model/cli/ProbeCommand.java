package io.scenestream.model.cli;

import ai.djl.Model;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Adds a numerics probe to a checkpoint (or renews it): the weights, optimiser state and the rest
 * of the manifest are copied byte for byte; the probe's reference outputs come from kernels checked
 * here (libtorch's native convolutions, cross-checked with oneDNN).
 */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description =
                "Add a numerics probe to a checkpoint, weights unchanged; every load checks it.")
public class ProbeCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "the .ckpt.zip to probe")
    Path checkpoint;

    @Option(names = "--out", description = "the .ckpt.zip to write (default: replace --checkpoint)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path target = out != null ? out : checkpoint;
        try (Model djl = Model.newInstance("probe")) {
            CheckpointManifest m = Checkpoints.withNewProbe(checkpoint, target, djl.getNDManager());
            System.out.printf(
                    Locale.ROOT,
                    "wrote %s (%s v%d, weights sha256 %s unchanged; probe seed %d, "
                            + "tolerance %.0e + %.0e x scale, computed on %s)%n",
                    target,
                    m.modelName(),
                    m.modelVersion(),
                    m.weightsSha256(),
                    m.probe().seed(),
                    m.probe().atol(),
                    m.probe().rtol(),
                    m.probe().computedOn());
        }
        return 0;
    }
}
