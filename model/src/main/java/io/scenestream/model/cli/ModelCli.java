package io.scenestream.model.cli;

import io.scenestream.synthetic.SyntheticRender;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The model module's command line: training, evaluation, cross-validation, export, probes, the
 * sim-to-real gap, synthetic renders.
 */
@Command(
        name = "scenestream-model",
        mixinStandardHelpOptions = true,
        subcommands = {
            TrainCommand.class,
            EvaluateCommand.class,
            ExportCommand.class,
            ProbeCommand.class,
            GapCommand.class,
            CrossValidateCommand.class,
            SyntheticRender.class
        },
        description = "MTI-Net tools of SceneStream.")
public final class ModelCli {

    private ModelCli() {}

    /**
     * A command line ready to execute, with the project's error handling (exit code 2 for user
     * errors).
     */
    public static CommandLine commandLine() {
        return new CommandLine(new ModelCli()).setExecutionExceptionHandler(new CliErrors());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
