package io.scenestream.model.cli;

import io.scenestream.model.weights.IncompatibleWeightsException;
import java.io.IOException;
import picocli.CommandLine;

/**
 * Turns what a user got wrong (bad options, missing or incompatible files) into a one-line error
 * and exit code 2; anything else is a bug and keeps its stack trace.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    static final int USAGE = 2;

    @Override
    public int handleExecutionException(
            Exception ex, CommandLine cmd, CommandLine.ParseResult parse) throws Exception {
        if (ex instanceof IllegalArgumentException
                || ex instanceof IOException
                || ex instanceof IncompatibleWeightsException) {
            cmd.getErr().println(cmd.getCommandName() + ": error: " + ex.getMessage());
            return USAGE;
        }
        throw ex;
    }
}
