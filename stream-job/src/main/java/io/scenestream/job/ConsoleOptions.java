package io.scenestream.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The run commands' {@code --verbose} (a picocli mixin), and where their log goes ({@link ConsoleLog}). */
public final class ConsoleOptions {

    @Option(names = "--verbose", description = "every library's log on the console, libtorch's warnings included "
            + "(default: in OUT/scenestream.log)")
    boolean verbose;

    /**
     * Creates {@code out} and sends the log to {@code out/scenestream.log}, naming it on the
     * console's first line, or leaves it on the console with {@code --verbose}. Call it first.
     */
    public void setUp(Path out) throws IOException {
        Files.createDirectories(out);
        Path log = ConsoleLog.setUp(out, verbose);
        if (log != null) {
            System.out.println("SceneStream: log in " + log);
        }
    }
}
