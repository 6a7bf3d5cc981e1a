package io.scenestream.model.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch's own log level: the C++ warnings it prints on standard error (an unsupported NNPACK on
 * every convolution, deprecation notes) say nothing a user can act on. c10 compares every message
 * with its {@code FLAGS_caffe2_log_level}; this sets that flag, through JNA, from the system
 * property {@value #PROPERTY}: {@code info}, {@code warning} or {@code error} (the default).
 */
public final class LibtorchLog {

    /** System property naming libtorch's log level. */
    public static final String PROPERTY = "scenestream.libtorch.log-level";

    private static final Logger LOG = LoggerFactory.getLogger(LibtorchLog.class);
    private static boolean applied;

    private LibtorchLog() {}

    /** Sets libtorch's log level once per process, before its first operation. */
    public static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        String value = System.getProperty(PROPERTY, "error").trim().toLowerCase(Locale.ROOT);
        int level =
                switch (value) {
                    case "info" -> 0;
                    case "warning" -> 1;
                    case "error" -> 2;
                    default ->
                            throw new IllegalArgumentException(
                                    "-D"
                                            + PROPERTY
                                            + " must be info, warning or error, not '"
                                            + value
                                            + "'");
                };
        Engine.getEngine("PyTorch");
        try {
            Path c10 = Path.of(LibUtils.getLibtorchPath()).resolve("libc10.so");
            NativeLibrary lib =
                    NativeLibrary.getInstance(Files.isRegularFile(c10) ? c10.toString() : "c10");
            lib.getGlobalVariableAddress("FLAGS_caffe2_log_level").setInt(0, level);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn(
                    "cannot set libtorch's log level ({}); its warnings stay on standard error",
                    e.toString());
        }
    }
}
