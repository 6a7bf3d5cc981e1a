package io.scenestream.job;

import io.scenestream.model.inference.LibtorchLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the run commands' log goes, and their {@code --verbose} (a picocli mixin). SceneStream's
 * own lines (start-up summary, progress, adaptation, warnings to act on, errors) are printed on the
 * console by the commands themselves; the log of every library, at full detail, goes to a file in
 * the output folder, named on the console's first line. With {@code --verbose} it all stays on the
 * console, libtorch's warnings included.
 */
public final class ConsoleOptions {

    @Option(
            names = "--verbose",
            description =
                    "every library's log on the console, libtorch's warnings included "
                            + "(default: in OUT/scenestream.log)")
    boolean verbose;

    /**
     * Creates {@code out} and sends the log to {@code out/scenestream.log}, naming it on the
     * console's first line, or leaves it on standard error with {@code --verbose}. Call it before
     * anything logs: slf4j-simple reads its settings once, at the first logger.
     */
    public void setUp(Path out) throws IOException {
        Files.createDirectories(out);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        if (verbose) {
            System.setProperty(LibtorchLog.PROPERTY, "warning");
            return;
        }
        Path log = out.toAbsolutePath().resolve("scenestream.log");
        System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
        System.out.println("SceneStream: log in " + log);
    }
}
