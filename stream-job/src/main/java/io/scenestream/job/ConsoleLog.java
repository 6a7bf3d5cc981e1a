package io.scenestream.job;

import io.scenestream.model.inference.LibtorchLog;
import java.nio.file.Path;

/**
 * Where the run commands' log goes. SceneStream's own lines (start-up summary, progress,
 * adaptation, warnings to act on, errors) are printed on the console by the commands themselves;
 * the log of every library, at full detail, goes to a file in the output folder, named on the
 * console's first line. With {@code --verbose} it all stays on the console, libtorch's warnings
 * included. Must run before the first logger is made: slf4j-simple reads its settings once.
 */
public final class ConsoleLog {

    private ConsoleLog() {}

    /**
     * Sends the log to {@code dir/scenestream.log}, or leaves it on standard error when
     * {@code verbose}.
     *
     * @return the log file, or null when verbose
     */
    public static Path setUp(Path dir, boolean verbose) {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        if (verbose) {
            System.setProperty(LibtorchLog.PROPERTY, "warning");
            return null;
        }
        Path log = dir.toAbsolutePath().resolve("scenestream.log");
        System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
        System.setProperty(LibtorchLog.PROPERTY, System.getProperty(LibtorchLog.PROPERTY, "error"));
        return log;
    }
}
