package io.scenestream.job;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.nn.MtiNet;
import java.nio.file.Path;

/** Untrained {@code lite} checkpoints for the job's integration tests. */
public final class LiteCheckpoints {

    private LiteCheckpoints() {}

    /**
     * Writes a {@code lite} model named {@code name}, version 1, initialised from {@code seed}, for
     * {@code h x w}.
     */
    public static void save(Path file, String name, int seed, int h, int w) throws Exception {
        Engine.getInstance().setRandomSeed(seed);
        MtiNetConfig config = MtiNetConfig.named("lite");
        try (Model m = Model.newInstance(name)) {
            MtiNet net = new MtiNet(config);
            net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, h, w));
            Checkpoints.save(
                    file,
                    net,
                    CheckpointManifest.from(config)
                            .setModelName(name)
                            .setInputSize(h, w)
                            .optModelVersion(1)
                            .build());
        }
    }
}
