package io.scenestream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The model CLI gathers the model's commands and the synthetic world's renderer under one name. */
class ModelCliTest {

    @Test
    void syntheticCommandsAreSubcommandsOfTheModelCli() {
        CommandLine cli = new CommandLine(ModelCli.class);
        assertThat(cli.getSubcommands())
                .containsKeys("train", "evaluate", "probe", "synthetic-render");
    }
}
