package io.scenestream.frames;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the project's shared data folder ({@code ../shared} beside the checkout). */
public final class SharedData {

    private SharedData() {}

    /** The file or folder {@code relative} under shared/; fails clearly when it is not there. */
    public static Path path(String relative) {
        String root = System.getProperty("scenestream.shared", "../shared");
        Path p = Paths.get(root).resolve(relative).normalize();
        if (!Files.exists(p)) {
            throw new IllegalStateException(
                    "shared data "
                            + p.toAbsolutePath()
                            + " is missing: tests read ../shared beside the checkout"
                            + " (set -Dscenestream.shared=DIR to point elsewhere)");
        }
        return p;
    }
}
