package io.scenestream.job.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a standalone cluster on this machine consists of: a Kafka broker, a Flink JobManager and
 * {@code taskManagers} TaskManagers, each a JVM of its own on loopback, all on {@code classpath}.
 *
 * @param dir the cluster's folder: configuration, logs, Kafka's data, checkpoints
 * @param classpath classpath of the Flink processes: Flink's runtime and the job's classes (the
 *     project's classpath, or a Flink distribution's jars and the job jar), so that libtorch is
 *     loaded once per process by the system class loader, never by a job's class loader
 * @param kafkaClasspath classpath of the broker (Kafka's server); null for {@code classpath}
 * @param java the {@code java} executable
 * @param taskManagers TaskManagers started with the cluster
 * @param slots task slots per TaskManager
 * @param jobManagerMemory {@code jobmanager.memory.process.size}, e.g. {@code 1g}
 * @param taskManagerMemory {@code taskmanager.memory.process.size}, e.g. {@code 2g}
 * @param kafkaHeap the broker's heap, e.g. {@code 512m}
 * @param kafkaPort the broker's client port; 0 for a free one
 * @param controllerPort the KRaft controller's port; 0 for a free one
 * @param rpcPort the JobManager's RPC port; 0 for a free one
 * @param restPort the REST API and web UI port; 0 for a free one
 * @param flinkConfig Flink options over the cluster's defaults ({@link
 *     StandaloneCluster#flinkConfiguration})
 * @param taskManagerEnv extra environment of the TaskManagers (e.g. {@code OMP_NUM_THREADS})
 */
public record ClusterSpec(
        Path dir,
        String classpath,
        String kafkaClasspath,
        String java,
        int taskManagers,
        int slots,
        String jobManagerMemory,
        String taskManagerMemory,
        String kafkaHeap,
        int kafkaPort,
        int controllerPort,
        int rpcPort,
        int restPort,
        Map<String, String> flinkConfig,
        Map<String, String> taskManagerEnv) {

    private static final String MEMORY = "\\d+\\s*(b|k|kb|m|mb|g|gb|t|tb)?";

    public ClusterSpec {
        if (dir == null) {
            throw new IllegalArgumentException("must set the cluster folder");
        }
        dir = dir.toAbsolutePath().normalize();
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalArgumentException("must set the classpath of the cluster's processes");
        }
        if (kafkaClasspath == null || kafkaClasspath.isBlank()) {
            kafkaClasspath = classpath;
        }
        if (taskManagers < 1) {
            throw new IllegalArgumentException(
                    "--taskmanagers must be at least 1, got " + taskManagers);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("--slots must be at least 1, got " + slots);
        }
        checkMemory("--jobmanager-memory", jobManagerMemory);
        checkMemory("--taskmanager-memory", taskManagerMemory);
        checkMemory("--kafka-heap", kafkaHeap);
        checkPort("--kafka-port", kafkaPort);
        checkPort("--controller-port", controllerPort);
        checkPort("--rpc-port", rpcPort);
        checkPort("--rest-port", restPort);
        flinkConfig = Map.copyOf(flinkConfig == null ? Map.of() : flinkConfig);
        taskManagerEnv = Map.copyOf(taskManagerEnv == null ? Map.of() : taskManagerEnv);
    }

    /** A spec with the defaults of {@code bin/scenestream-cluster start}. */
    public static ClusterSpec defaults(Path dir, String classpath) {
        return new ClusterSpec(
                dir,
                classpath,
                null,
                currentJava(),
                2,
                1,
                "1g",
                "2g",
                "512m",
                9092,
                9093,
                6123,
                8081,
                Map.of(),
                Map.of());
    }

    /** This spec with other ports. */
    public ClusterSpec withPorts(int kafka, int controller, int rpc, int rest) {
        return new ClusterSpec(
                dir,
                classpath,
                kafkaClasspath,
                java,
                taskManagers,
                slots,
                jobManagerMemory,
                taskManagerMemory,
                kafkaHeap,
                kafka,
                controller,
                rpc,
                rest,
                flinkConfig,
                taskManagerEnv);
    }

    /** The {@code java} executable of this JVM. */
    public static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The classpath of this JVM (under Maven Surefire, the tests' classpath rather than its booter
     * jar).
     */
    public static String currentClasspath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank()
                ? surefire
                : System.getProperty("java.class.path");
    }

    private static void checkMemory(String option, String value) {
        if (value == null || !value.trim().toLowerCase(Locale.ROOT).matches(MEMORY)) {
            throw new IllegalArgumentException(
                    option + " must be a size such as 512m or 2g, got " + value);
        }
    }

    private static void checkPort(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    option + " must be a port (0 for a free one), got " + port);
        }
    }

    /** Saves the spec (with the ports actually used) to {@code file}. */
    void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("classpath", classpath);
        p.setProperty("kafka-classpath", kafkaClasspath);
        p.setProperty("java", java);
        p.setProperty("taskmanagers", Integer.toString(taskManagers));
        p.setProperty("slots", Integer.toString(slots));
        p.setProperty("jobmanager-memory", jobManagerMemory);
        p.setProperty("taskmanager-memory", taskManagerMemory);
        p.setProperty("kafka-heap", kafkaHeap);
        p.setProperty("kafka-port", Integer.toString(kafkaPort));
        p.setProperty("controller-port", Integer.toString(controllerPort));
        p.setProperty("rpc-port", Integer.toString(rpcPort));
        p.setProperty("rest-port", Integer.toString(restPort));
        flinkConfig.forEach((k, v) -> p.setProperty("flink." + k, v));
        taskManagerEnv.forEach((k, v) -> p.setProperty("tm-env." + k, v));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "SceneStream standalone cluster (written by scenestream-cluster start)");
        }
    }

    /** The spec saved in {@code dir} by {@link #save}. */
    static ClusterSpec load(Path dir, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(
                    "no cluster in "
                            + dir
                            + " ("
                            + file.getFileName()
                            + " is missing): start one first");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> flink = new TreeMap<>();
        Map<String, String> env = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("flink.")) {
                flink.put(k.substring(6), p.getProperty(k));
            } else if (k.startsWith("tm-env.")) {
                env.put(k.substring(7), p.getProperty(k));
            }
        }
        try {
            return new ClusterSpec(
                    dir,
                    p.getProperty("classpath"),
                    p.getProperty("kafka-classpath"),
                    p.getProperty("java"),
                    Integer.parseInt(p.getProperty("taskmanagers")),
                    Integer.parseInt(p.getProperty("slots")),
                    p.getProperty("jobmanager-memory"),
                    p.getProperty("taskmanager-memory"),
                    p.getProperty("kafka-heap"),
                    Integer.parseInt(p.getProperty("kafka-port")),
                    Integer.parseInt(p.getProperty("controller-port")),
                    Integer.parseInt(p.getProperty("rpc-port")),
                    Integer.parseInt(p.getProperty("rest-port")),
                    flink,
                    env);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
