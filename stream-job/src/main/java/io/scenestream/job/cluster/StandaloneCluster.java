package io.scenestream.job.cluster;

import io.scenestream.broker.EmbeddedKafka;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink cluster and a Kafka broker on this machine, every one a JVM of its own on
 * loopback, started from the project's own classpath (no Flink or Kafka download):
 *
 * <ul>
 *   <li>Kafka: {@code kafka.Kafka server.properties}, KRaft broker and controller in one process,
 *       its storage formatted on first use and kept in {@code DIR/kafka};
 *   <li>the JobManager: {@code StandaloneSessionClusterEntrypoint --configDir DIR/conf};
 *   <li>TaskManagers {@code tm-1}, {@code tm-2}, ...: {@code TaskManagerRunner --configDir
 *       DIR/conf} with {@code taskmanager.resource-id} set to their name.
 * </ul>
 *
 * Flink's JVM memory flags and memory options come from Flink's own calculation ({@link
 * FlinkJvmParams}, as Flink's scripts do). Each process logs to {@code DIR/log/NAME.log}; its pid
 * is in {@code DIR/run/NAME.pid}, so that another command ({@link #attach}) can stop the cluster,
 * add a TaskManager or submit a job. The processes outlive the JVM that started them; {@link #stop}
 * (or {@link #close}) ends them.
 *
 * <p>One file: the cluster's processes (configuration, start, health checks, stop, attach to a
 * running one) share one folder layout and one process table.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);

    /** Process name of the broker. */
    public static final String KAFKA = "kafka";

    /** Process name of the JobManager. */
    public static final String JOB_MANAGER = "jobmanager";

    private static final String TASK_MANAGER_PREFIX = "tm-";

    private static final String JM_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TM_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String KAFKA_MAIN = "kafka.Kafka";

    /**
     * JVM options every Flink process gets ({@code env.java.default-opts.all}): access to JDK
     * internals that Flink's serializers and network stack use on Java 17, and DJL without network
     * access.
     */
    static final String DEFAULT_JVM_OPTS =
            String.join(
                    " ",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.graph_optimizer=false");

    /** Logging of every process (slf4j-simple on the classpath): INFO with timestamps. */
    private static final List<String> LOGGING =
            List.of(
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                    "-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS",
                    "-Dorg.slf4j.simpleLogger.showThreadName=true");

    private final ClusterSpec spec;
    private final Map<String, ProcessHandle> processes =
            Collections.synchronizedMap(new LinkedHashMap<>());
    private FlinkJvmParams taskManagerParams;

    private StandaloneCluster(ClusterSpec spec) {
        this.spec = spec;
    }

    /**
     * Starts Kafka, the JobManager and {@code spec.taskManagers()} TaskManagers, and returns once
     * the broker answers and every TaskManager has registered. On failure everything started is
     * stopped.
     *
     * @throws IOException a port in use, a cluster already running in the folder, a process that
     *     exits or does not come up (with the end of its log)
     */
    public static StandaloneCluster start(ClusterSpec requested) throws IOException {
        Path dir = requested.dir();
        Files.createDirectories(dir.resolve("run"));
        Optional<StandaloneCluster> running = attachIfRunning(dir);
        if (running.isPresent()) {
            throw new IOException(
                    "a cluster is already running in "
                            + dir
                            + " ("
                            + running.get().describeProcesses()
                            + "): stop it first");
        }
        ClusterSpec spec =
                requested.withPorts(
                        port(requested.kafkaPort(), "--kafka-port"),
                                port(requested.controllerPort(), "--controller-port"),
                        port(requested.rpcPort(), "--rpc-port"),
                                port(requested.restPort(), "--rest-port"));
        for (String d : List.of("conf", "log", "kafka", "checkpoints", "tmp", "plugins")) {
            Files.createDirectories(dir.resolve(d));
        }
        spec.save(dir.resolve("cluster.properties"));
        writeFlinkConfiguration(spec);

        StandaloneCluster cluster = new StandaloneCluster(spec);
        try {
            cluster.launchKafka();
            FlinkJvmParams jm =
                    FlinkJvmParams.compute(
                            FlinkJvmParams.Role.JOB_MANAGER,
                            spec.java(),
                            spec.classpath(),
                            cluster.confDir(),
                            Map.of());
            cluster.launchFlink(JOB_MANAGER, JM_MAIN, jm, Map.of(), Map.of());
            cluster.taskManagerParams =
                    FlinkJvmParams.compute(
                            FlinkJvmParams.Role.TASK_MANAGER,
                            spec.java(),
                            spec.classpath(),
                            cluster.confDir(),
                            Map.of());
            List<String> tms = new ArrayList<>();
            for (int i = 0; i < spec.taskManagers(); i++) {
                tms.add(cluster.launchTaskManager());
            }
            cluster.awaitKafka(Duration.ofSeconds(120));
            cluster.awaitTaskManagers(tms, Duration.ofSeconds(180));
            LOG.info("cluster up in {}: {}", dir, cluster.describeProcesses());
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.stop();
            throw e;
        }
    }

    /** The cluster whose processes run in {@code dir}, as another command started it. */
    public static StandaloneCluster attach(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        return attachIfRunning(abs)
                .orElseThrow(() -> new IOException("no cluster is running in " + abs));
    }

    private static Optional<StandaloneCluster> attachIfRunning(Path dir) throws IOException {
        Path specFile = dir.resolve("cluster.properties");
        if (!Files.isRegularFile(specFile)) {
            return Optional.empty();
        }
        StandaloneCluster cluster = new StandaloneCluster(ClusterSpec.load(dir, specFile));
        Path run = dir.resolve("run");
        if (Files.isDirectory(run)) {
            try (Stream<Path> pids = Files.list(run)) {
                for (Path f : pids.filter(p -> p.toString().endsWith(".pid")).sorted().toList()) {
                    String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
                    Optional<ProcessHandle> h =
                            ours(Long.parseLong(Files.readString(f).trim()), cluster.marker(name));
                    if (h.isPresent()) {
                        cluster.processes.put(name, h.get());
                    } else {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
        return cluster.processes.isEmpty() ? Optional.empty() : Optional.of(cluster);
    }

    /**
     * The process {@code pid} if it is alive and its command line names this cluster's {@code
     * marker}.
     */
    private static Optional<ProcessHandle> ours(long pid, String marker) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> commandLine(h).contains(marker));
    }

    /**
     * The whole command line (ProcessHandle.Info cuts it at 4 KB; the classpath alone is longer).
     */
    private static String commandLine(ProcessHandle h) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                            StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return h.info().commandLine().orElse("");
        }
    }

    /** The spec, with the ports in use. */
    public ClusterSpec spec() {
        return spec;
    }

    /** The broker's {@code host:port}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + spec.kafkaPort();
    }

    /** The REST API and web UI. */
    public String restUrl() {
        return "http://127.0.0.1:" + spec.restPort();
    }

    /** A client of the REST API. */
    public FlinkRest rest() {
        return new FlinkRest(restUrl());
    }

    /** Where jobs on this cluster keep their checkpoints by default, as a {@code file://} URI. */
    public String checkpointDir() {
        return spec.dir().resolve("checkpoints").toUri().toString();
    }

    /** Where {@code stop-job} writes savepoints, as a {@code file://} URI. */
    public String savepointDir() {
        return spec.dir().resolve("savepoints").toUri().toString();
    }

    /** A process's log file. */
    public Path log(String name) {
        return spec.dir().resolve("log").resolve(name + ".log");
    }

    /** The running processes by name ({@link #KAFKA}, {@link #JOB_MANAGER}, {@code tm-N}). */
    public Map<String, ProcessHandle> processes() {
        synchronized (processes) {
            Map<String, ProcessHandle> alive = new LinkedHashMap<>();
            processes.forEach(
                    (k, v) -> {
                        if (v.isAlive()) {
                            alive.put(k, v);
                        }
                    });
            return alive;
        }
    }

    /** Names of the TaskManager processes that are alive. */
    public List<String> taskManagers() {
        return processes().keySet().stream()
                .filter(n -> n.startsWith(TASK_MANAGER_PREFIX))
                .sorted()
                .toList();
    }

    /** "name pid, ..." of the running processes. */
    public String describeProcesses() {
        List<String> parts = new ArrayList<>();
        processes().forEach((k, v) -> parts.add(k + " pid " + v.pid()));
        return String.join(", ", parts);
    }

    /**
     * Starts one more TaskManager and returns its name once it has registered with the JobManager.
     */
    public String startTaskManager() throws IOException {
        if (taskManagerParams == null) {
            taskManagerParams =
                    FlinkJvmParams.compute(
                            FlinkJvmParams.Role.TASK_MANAGER,
                            spec.java(),
                            spec.classpath(),
                            confDir(),
                            Map.of());
        }
        String name = launchTaskManager();
        awaitTaskManagers(List.of(name), Duration.ofSeconds(120));
        return name;
    }

    /**
     * Kills a TaskManager with SIGKILL (no shutdown of any kind: a machine lost) and waits until it
     * is gone.
     */
    public void killTaskManager(String name) throws IOException {
        ProcessHandle h = processes().get(name);
        if (h == null || !name.startsWith(TASK_MANAGER_PREFIX)) {
            throw new IllegalArgumentException(
                    "no running TaskManager " + name + " (running: " + taskManagers() + ")");
        }
        h.destroyForcibly();
        await(h, Duration.ofSeconds(30));
        processes.remove(name);
        Files.deleteIfExists(pidFile(name));
    }

    /** Stops the broker as an operator would (SIGTERM, controlled shutdown), keeping its data. */
    public void stopKafka() throws IOException {
        ProcessHandle h = processes().get(KAFKA);
        if (h == null) {
            throw new IllegalStateException("Kafka is not running");
        }
        terminate(KAFKA, h, Duration.ofSeconds(60));
    }

    /** Starts the broker again on its port and data, and waits until it answers. */
    public void startKafka() throws IOException {
        if (processes().containsKey(KAFKA)) {
            throw new IllegalStateException("Kafka is running already");
        }
        launchKafka();
        awaitKafka(Duration.ofSeconds(120));
    }

    /**
     * Stops everything: cancels running jobs (so that their Kafka transactions end and their
     * checkpoints are kept), then TaskManagers and JobManager, then the broker; SIGTERM first,
     * SIGKILL for a process that does not end within its time. Data, checkpoints and logs stay in
     * the folder.
     */
    public void stop() {
        Map<String, ProcessHandle> alive = processes();
        if (alive.containsKey(JOB_MANAGER)) {
            cancelJobs(Duration.ofSeconds(30));
        }
        List<Thread> stoppers = new ArrayList<>();
        for (Map.Entry<String, ProcessHandle> e : alive.entrySet()) {
            if (!e.getKey().equals(KAFKA)) {
                Thread t =
                        new Thread(
                                () ->
                                        terminateQuietly(
                                                e.getKey(), e.getValue(), Duration.ofSeconds(30)),
                                "stop-" + e.getKey());
                t.start();
                stoppers.add(t);
            }
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        if (alive.containsKey(KAFKA)) {
            terminateQuietly(KAFKA, alive.get(KAFKA), Duration.ofSeconds(60));
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void cancelJobs(Duration timeout) {
        FlinkRest rest = rest();
        try {
            List<String> cancelled = new ArrayList<>();
            for (Map.Entry<String, String> j : rest.jobs().entrySet()) {
                if (!isTerminal(j.getValue())) {
                    rest.cancel(j.getKey());
                    cancelled.add(j.getKey());
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!cancelled.isEmpty() && System.nanoTime() < deadline) {
                Map<String, String> states = rest.jobs();
                cancelled.removeIf(id -> isTerminal(states.getOrDefault(id, "CANCELED")));
                Thread.sleep(200);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not cancel the jobs on {}: {}", restUrl(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isTerminal(String state) {
        return state.equals("CANCELED") || state.equals("FAILED") || state.equals("FINISHED");
    }

    private void terminateQuietly(String name, ProcessHandle h, Duration timeout) {
        try {
            terminate(name, h, timeout);
        } catch (IOException e) {
            LOG.warn("stopping {}: {}", name, e.toString());
        }
    }

    private void terminate(String name, ProcessHandle h, Duration timeout) throws IOException {
        h.destroy();
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn(
                    "{} (pid {}) did not stop within {} s of SIGTERM: killing it",
                    name,
                    h.pid(),
                    timeout.toSeconds());
            h.destroyForcibly();
            await(h, Duration.ofSeconds(30));
        } catch (ExecutionException e) {
            throw new IOException("waiting for " + name + " to stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted stopping " + name, e);
        }
        processes.remove(name);
        Files.deleteIfExists(pidFile(name));
    }

    private static void await(ProcessHandle h, Duration timeout) throws IOException {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IOException(
                    "process " + h.pid() + " did not end within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for process " + h.pid(), e);
        }
    }

    // ---- configuration ----

    private Path confDir() {
        return spec.dir().resolve("conf");
    }

    private Path kafkaConfig() {
        return spec.dir().resolve("kafka").resolve("server.properties");
    }

    private Path pidFile(String name) {
        return spec.dir().resolve("run").resolve(name + ".pid");
    }

    /** What a process's command line contains when it belongs to this cluster. */
    private String marker(String name) {
        return name.equals(KAFKA) ? kafkaConfig().toString() : confDir().toString();
    }

    /**
     * The Flink configuration of the cluster: loopback addresses and the spec's ports, sizes and
     * slots; no managed memory (the job keeps its state on the heap) and room outside Flink's
     * budget for libtorch's native memory (a quarter of the process as JVM overhead); the job's
     * classes found parent-first, so that libtorch is never loaded by a job's class loader; a
     * TaskManager that stops answering is given up after 10 s; failed jobs restart with a backoff
     * from 1 s to 10 s; checkpoints are kept when a job is cancelled. Then the spec's own options,
     * which win.
     */
    public static Map<String, String> flinkConfiguration(ClusterSpec spec) {
        Map<String, String> c = new TreeMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(spec.rpcPort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(spec.restPort()));
        c.put("jobmanager.memory.process.size", spec.jobManagerMemory());
        c.put("taskmanager.memory.process.size", spec.taskManagerMemory());
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(spec.slots()));
        c.put("taskmanager.memory.managed.size", "0m");
        c.put("taskmanager.memory.task.off-heap.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.fraction", "0.25");
        c.put("taskmanager.memory.jvm-overhead.max", "4g");
        c.put("io.tmp.dirs", spec.dir().resolve("tmp").toString());
        c.put("classloader.resolve-order", "parent-first");
        c.put("heartbeat.interval", "2000");
        c.put("heartbeat.timeout", "10000");
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        c.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        c.put("env.java.default-opts.all", DEFAULT_JVM_OPTS);
        c.putAll(spec.flinkConfig());
        return c;
    }

    private static void writeFlinkConfiguration(ClusterSpec spec) throws IOException {
        Path file = spec.dir().resolve("conf").resolve("config.yaml");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(
                    "# Written by scenestream-cluster start; overwritten on the next start (use -D KEY=VALUE there).\n");
            for (Map.Entry<String, String> e : flinkConfiguration(spec).entrySet()) {
                // Flat keys; every value a single-quoted YAML string (Flink converts it to the
                // option's type).
                w.write(e.getKey() + ": '" + e.getValue().replace("'", "''") + "'\n");
            }
        }
    }

    private List<String> javaOpts(String role) {
        Map<String, String> c = flinkConfiguration(spec);
        List<String> opts = new ArrayList<>();
        for (String key :
                List.of(
                        "env.java.default-opts.all",
                        "env.java.opts.all",
                        "env.java.default-opts." + role,
                        "env.java.opts." + role)) {
            String v = c.getOrDefault(key, "").trim();
            if (!v.isEmpty()) {
                opts.addAll(List.of(v.split("\\s+")));
            }
        }
        return opts;
    }

    // ---- processes ----

    private void launchKafka() throws IOException {
        Path data = spec.dir().resolve("kafka").resolve("data");
        Files.createDirectories(data);
        EmbeddedKafka.writeAndFormat(
                EmbeddedKafka.singleNodeProperties(data, spec.kafkaPort(), spec.controllerPort()),
                kafkaConfig(),
                data);
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                spec.java(),
                                "-Xms" + spec.kafkaHeap(),
                                "-Xmx" + spec.kafkaHeap(),
                                "-XX:+UseG1GC",
                                "-XX:MaxGCPauseMillis=20",
                                "-Djava.awt.headless=true"));
        cmd.addAll(LOGGING);
        cmd.addAll(List.of("-cp", spec.kafkaClasspath(), KAFKA_MAIN, kafkaConfig().toString()));
        launch(KAFKA, cmd, Map.of());
    }

    private String launchTaskManager() throws IOException {
        int n = 1;
        while (processes.containsKey(TASK_MANAGER_PREFIX + n)
                || Files.exists(pidFile(TASK_MANAGER_PREFIX + n))) {
            n++;
        }
        String name = TASK_MANAGER_PREFIX + n;
        launchFlink(
                name,
                TM_MAIN,
                taskManagerParams,
                Map.of("taskmanager.resource-id", name),
                spec.taskManagerEnv());
        return name;
    }

    private void launchFlink(
            String name,
            String main,
            FlinkJvmParams params,
            Map<String, String> dynamic,
            Map<String, String> env)
            throws IOException {
        String role = name.equals(JOB_MANAGER) ? "jobmanager" : "taskmanager";
        List<String> cmd = new ArrayList<>();
        cmd.add(spec.java());
        cmd.addAll(params.jvmArgs());
        cmd.addAll(javaOpts(role));
        cmd.add("-XX:+IgnoreUnrecognizedVMOptions");
        cmd.add("-Dlog.file=" + log(name));
        cmd.addAll(LOGGING);
        // The job's Kafka clients log their whole configuration at INFO; the Kafka sink's committer
        // warns of a metric name collision on every checkpoint.
        cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
        cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics.MetricGroup=error");
        cmd.addAll(List.of("-cp", spec.classpath(), main, "--configDir", confDir().toString()));
        cmd.addAll(params.dynamicProperties());
        dynamic.forEach(
                (k, v) -> {
                    cmd.add("-D");
                    cmd.add(k + "=" + v);
                });
        launch(name, cmd, env);
    }

    private void launch(String name, List<String> cmd, Map<String, String> env) throws IOException {
        File log = log(name).toFile();
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                        .redirectErrorStream(true);
        // Flink looks for plugins (e.g. flink-external-resource-gpu) in subfolders of this one.
        pb.environment().put("FLINK_PLUGINS_DIR", spec.dir().resolve("plugins").toString());
        pb.environment().putAll(env);
        Files.writeString(
                log.toPath(),
                String.format(Locale.ROOT, "%n==== %s starting %s ====%n", Instant.now(), name),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Process p = pb.start();
        processes.put(name, p.toHandle());
        Files.writeString(pidFile(name), Long.toString(p.pid()));
        LOG.info("started {} (pid {}), log {}", name, p.pid(), log);
    }

    private void awaitKafka(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            checkAlive(KAFKA);
            if (!accepts(spec.kafkaPort())) {
                sleep(300);
                continue;
            }
            try (Admin admin =
                    Admin.create(
                            Map.of(
                                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrapServers(),
                                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                    3000,
                                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                    5000))) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                sleep(500);
            }
        }
        throw new IOException(
                "Kafka did not come up on "
                        + bootstrapServers()
                        + " within "
                        + timeout.toSeconds()
                        + " s; end of "
                        + log(KAFKA)
                        + ":\n"
                        + tail(log(KAFKA)),
                last);
    }

    private void awaitTaskManagers(List<String> names, Duration timeout) throws IOException {
        FlinkRest rest = rest();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive(JOB_MANAGER);
            for (String name : names) {
                checkAlive(name);
            }
            try {
                if (rest.taskManagerIds().containsAll(names)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // not up yet
            }
            sleep(500);
        }
        throw new IOException(
                "TaskManagers "
                        + names
                        + " did not register with the JobManager at "
                        + restUrl()
                        + " within "
                        + timeout.toSeconds()
                        + " s; see "
                        + spec.dir().resolve("log"));
    }

    private void checkAlive(String name) throws IOException {
        ProcessHandle h = processes.get(name);
        if (h == null || !h.isAlive()) {
            throw new IOException(name + " exited; end of " + log(name) + ":\n" + tail(log(name)));
        }
    }

    /** The last lines of a log file (at most 4 KB). */
    static String tail(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - 4096);
            byte[] b = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int port(int port, String option) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IOException(
                    "port "
                            + port
                            + " ("
                            + option
                            + ") is in use: another broker or cluster? "
                            + "Stop it or choose another port",
                    e);
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
