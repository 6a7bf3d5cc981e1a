package io.scenestream.model.cli;

import io.scenestream.model.bench.ModelBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The model module's command line: {@code benchmark}, and the training and evaluation commands. */
@Command(
        name = "scenestream-model",
        mixinStandardHelpOptions = true,
        subcommands = {ModelBenchmark.class, io.scenestream.model.synthetic.SyntheticBenchmark.class,
            io.scenestream.model.synthetic.SyntheticRender.class},
        description = "MTI-Net tools of SceneStream.")
public final class ModelCli {

    private ModelCli() {}

    public static void main(String[] args) {
        int code = new CommandLine(new ModelCli()).execute(args);
        System.exit(code);
    }
}
