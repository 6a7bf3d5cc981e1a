package io.scenestream.job.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink process's JVM memory flags and the memory options it is started with, computed by Flink
 * itself: {@code org.apache.flink.runtime.util.bash.BashJavaUtils} run in a JVM of its own on the
 * cluster's configuration, as Flink's start scripts do. It prints its results on lines starting
 * with {@value #RESULT_PREFIX}: first the JVM flags ({@code -Xmx... -Xms...
 * -XX:MaxDirectMemorySize=... -XX:MaxMetaspaceSize=...}), then {@code -D key=value} pairs for the
 * process's arguments, which fix every derived memory size so that the process uses exactly what
 * was computed.
 *
 * @param jvmArgs JVM flags, one per element
 * @param dynamicProperties process arguments, {@code -D} and {@code key=value} alternating
 */
public record FlinkJvmParams(List<String> jvmArgs, List<String> dynamicProperties) {

    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** Which process the parameters are for. */
    public enum Role {
        JOB_MANAGER("GET_JM_RESOURCE_PARAMS"),
        TASK_MANAGER("GET_TM_RESOURCE_PARAMS");

        final String command;

        Role(String command) {
            this.command = command;
        }
    }

    /**
     * Runs BashJavaUtils for {@code role} on the configuration in {@code confDir}.
     *
     * @param dynamic options that override the configuration file, as the process will get them
     * @throws IOException when it fails (e.g. an inconsistent memory configuration), with its
     *     output
     */
    public static FlinkJvmParams compute(
            Role role, String java, String classpath, Path confDir, Map<String, String> dynamic)
            throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                java,
                                "-Xmx128m",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                classpath,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                role.command,
                                "--configDir",
                                confDir.toString()));
        dynamic.forEach(
                (k, v) -> {
                    cmd.add("-D");
                    cmd.add(k + "=" + v);
                });
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(
                        "BashJavaUtils " + role.command + " did not finish in 2 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted computing " + role + " memory", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "Flink's memory calculation for the "
                            + role.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                            + " failed (configuration in "
                            + confDir
                            + "): "
                            + tail(out));
        }
        return parse(out);
    }

    /**
     * The parameters from BashJavaUtils's output; IOException when it has not the two result lines.
     */
    static FlinkJvmParams parse(String output) throws IOException {
        List<String> results =
                output.lines()
                        .filter(l -> l.startsWith(RESULT_PREFIX))
                        .map(l -> l.substring(RESULT_PREFIX.length()).trim())
                        .toList();
        if (results.size() < 2) {
            throw new IOException(
                    "unexpected output of BashJavaUtils (expected two "
                            + RESULT_PREFIX
                            + " lines): "
                            + tail(output));
        }
        // The last two: the JVM flags, then the dynamic properties.
        List<String> jvm = words(results.get(results.size() - 2));
        List<String> dynamic = words(results.get(results.size() - 1));
        for (int i = 0; i < dynamic.size(); i += 2) {
            if (!dynamic.get(i).equals("-D")
                    || i + 1 >= dynamic.size()
                    || !dynamic.get(i + 1).contains("=")) {
                throw new IOException(
                        "unexpected dynamic properties from BashJavaUtils: "
                                + results.get(results.size() - 1));
            }
        }
        return new FlinkJvmParams(jvm, dynamic);
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    private static String tail(String out) {
        String[] lines = out.strip().split("\n");
        return String.join(
                "\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }
}
