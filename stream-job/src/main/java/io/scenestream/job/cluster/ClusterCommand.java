package io.scenestream.job.cluster;

import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.Jobs;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/scenestream-cluster}: a standalone Flink cluster and a Kafka broker as processes of
 * their own on this machine ({@link StandaloneCluster}), and the SceneStream job submitted to it.
 */
@Command(
        name = "scenestream-cluster",
        mixinStandardHelpOptions = true,
        subcommands = {
            ClusterCommand.Start.class,
            ClusterCommand.Submit.class,
            ClusterCommand.Status.class,
            ClusterCommand.AddTaskManager.class,
            ClusterCommand.StopJob.class,
            ClusterCommand.Stop.class
        },
        description =
                "A standalone Flink cluster (JobManager, TaskManagers) and a Kafka broker on this machine, "
                        + "each a JVM of its own, and the SceneStream job on it.")
public final class ClusterCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

    public static void main(String[] args) {
        System.exit(Jobs.run(new ClusterCommand(), "scenestream-cluster", args));
    }

    @Override
    public Integer call() {
        commandSpec.commandLine().usage(System.err);
        return 2;
    }

    /** The option every subcommand has. */
    static class DirOption {
        @Option(
                names = "--dir",
                description =
                        "the cluster's folder: configuration, logs, Kafka data, checkpoints "
                                + "(default: ${DEFAULT-VALUE})")
        Path dir = Path.of("out/cluster");
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description =
                    "Start Kafka, the JobManager and the TaskManagers; returns when all are up (they keep running).")
    static final class Start extends DirOption implements Callable<Integer> {

        @Option(
                names = "--taskmanagers",
                description = "TaskManager processes (default: ${DEFAULT-VALUE})")
        int taskManagers = 2;

        @Option(
                names = "--slots",
                description = "task slots per TaskManager (default: ${DEFAULT-VALUE})")
        int slots = 1;

        @Option(
                names = "--jobmanager-memory",
                description = "JobManager process size (default: ${DEFAULT-VALUE})")
        String jobManagerMemory = "1g";

        @Option(
                names = "--taskmanager-memory",
                description = "TaskManager process size (default: ${DEFAULT-VALUE})")
        String taskManagerMemory = "2g";

        @Option(
                names = "--kafka-heap",
                description = "the broker's heap (default: ${DEFAULT-VALUE})")
        String kafkaHeap = "512m";

        @Option(
                names = "--kafka-port",
                description =
                        "the broker's client port, 0 for a free one (default: ${DEFAULT-VALUE})")
        int kafkaPort = 9092;

        @Option(
                names = "--controller-port",
                description = "the KRaft controller's port (default: ${DEFAULT-VALUE})")
        int controllerPort = 9093;

        @Option(
                names = "--rpc-port",
                description = "the JobManager's RPC port (default: ${DEFAULT-VALUE})")
        int rpcPort = 6123;

        @Option(
                names = "--rest-port",
                description = "REST API and web UI port (default: ${DEFAULT-VALUE})")
        int restPort = 8081;

        @Option(
                names = "--omp-threads",
                description =
                        "OMP_NUM_THREADS of the TaskManagers (libtorch's threads); "
                                + "default: this environment's")
        Integer ompThreads;

        @Option(
                names = "--classpath",
                description =
                        "classpath of the Flink processes (default: this command's: "
                                + "Flink, Kafka and the job's classes), e.g. a Flink distribution's lib/*.jar and the job jar")
        String classpath;

        @Option(
                names = "--kafka-classpath",
                description = "classpath of the broker (default: --classpath)")
        String kafkaClasspath;

        @Option(
                names = "-D",
                description =
                        "a Flink option KEY=VALUE over the defaults, e.g. -D heartbeat.timeout=5000")
        Map<String, String> flink = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if (ompThreads != null && ompThreads < 1) {
                throw new IllegalArgumentException(
                        "--omp-threads must be at least 1, got " + ompThreads);
            }
            ClusterSpec spec =
                    new ClusterSpec(
                            dir,
                            classpath != null ? classpath : ClusterSpec.currentClasspath(),
                            kafkaClasspath,
                            ClusterSpec.currentJava(),
                            taskManagers,
                            slots,
                            jobManagerMemory,
                            taskManagerMemory,
                            kafkaHeap,
                            kafkaPort,
                            controllerPort,
                            rpcPort,
                            restPort,
                            flink,
                            ompThreads == null
                                    ? Map.of()
                                    : Map.of("OMP_NUM_THREADS", ompThreads.toString()));
            long t0 = System.nanoTime();
            StandaloneCluster cluster = StandaloneCluster.start(spec);
            System.out.printf(
                    Locale.ROOT,
                    "cluster up in %.1f s: Kafka %s, Flink web UI %s, %d TaskManager(s) x %d slot(s)%n"
                            + "  processes: %s%n  logs: %s%n  stop: bin/scenestream-cluster stop --dir %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    cluster.bootstrapServers(),
                    cluster.restUrl(),
                    taskManagers,
                    slots,
                    cluster.describeProcesses(),
                    cluster.spec().dir().resolve("log"),
                    dir);
            return 0;
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description =
                    "Submit the SceneStream job to the cluster (against its broker unless -D kafka.bootstrap-servers "
                            + "says otherwise); creates missing topics; prints the job id.")
    static final class Submit extends DirOption implements Callable<Integer> {

        @Option(
                names = "--config",
                description = "job options from a properties file (-D options win)")
        Path config;

        @Option(
                names = "-D",
                description =
                        "a job option KEY=VALUE (see JobOptions) or a Flink option, "
                                + "e.g. -D job.parallelism=2, -D execution.state-recovery.path=DIR/chk-7")
        Map<String, String> options = new LinkedHashMap<>();

        @Option(
                names = "--partitions",
                description =
                        "partitions of new frames and predictions topics "
                                + "(default: job.parallelism)")
        Integer partitions;

        @Option(names = "--no-create-topics", description = "do not create missing topics")
        boolean noCreateTopics;

        @Option(names = "--name", description = "job name (default: ${DEFAULT-VALUE})")
        String name = "SceneStream";

        @Override
        public Integer call() throws Exception {
            StandaloneCluster cluster = StandaloneCluster.attach(dir);
            Map<String, String> given = new TreeMap<>();
            if (config != null) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                p.stringPropertyNames().forEach(k -> given.put(k, p.getProperty(k)));
            }
            given.putAll(options);
            Configuration conf = ClusterJob.options(cluster, given);
            JobSettings settings = JobOptions.settings(conf);
            int p = partitions != null ? partitions : settings.parallelism();
            if (p < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, got " + p);
            }
            if (!noCreateTopics) {
                List<String> created = ClusterJob.createTopics(settings, p);
                if (!created.isEmpty()) {
                    System.out.println(
                            "created topics " + created + " on " + settings.bootstrapServers());
                }
            }
            int free = cluster.rest().freeSlots();
            if (free < settings.parallelism()) {
                System.err.printf(
                        Locale.ROOT,
                        "warning: %d free slot(s) for parallelism %d: the job waits for "
                                + "TaskManagers (bin/scenestream-cluster add-taskmanager)%n",
                        free,
                        settings.parallelism());
            }
            JobID id = ClusterJob.submit("127.0.0.1", cluster.spec().restPort(), conf, name);
            System.out.printf(
                    Locale.ROOT,
                    "submitted %s: job %s (%s/#/job/running/%s/overview)%n"
                            + "  frames from %s topic %s, predictions to %s, checkpoints in %s%n",
                    name,
                    id,
                    cluster.restUrl(),
                    id,
                    settings.bootstrapServers(),
                    settings.framesTopic(),
                    settings.predictionsTopic(),
                    settings.checkpointDir());
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The cluster's processes, TaskManagers and jobs.")
    static final class Status extends DirOption implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            StandaloneCluster cluster = StandaloneCluster.attach(dir);
            System.out.println("processes: " + cluster.describeProcesses());
            System.out.println(
                    "Kafka: " + cluster.bootstrapServers() + ", web UI: " + cluster.restUrl());
            FlinkRest rest = cluster.rest();
            try {
                System.out.println(
                        "registered TaskManagers: "
                                + rest.taskManagerIds()
                                + ", free slots: "
                                + rest.freeSlots());
                rest.jobs().forEach((id, state) -> System.out.println("job " + id + ": " + state));
            } catch (IOException e) {
                System.out.println("JobManager not answering: " + e.getMessage());
            }
            return 0;
        }
    }

    @Command(
            name = "add-taskmanager",
            mixinStandardHelpOptions = true,
            description = "Start one more TaskManager (e.g. to replace one that was lost).")
    static final class AddTaskManager extends DirOption implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            StandaloneCluster cluster = StandaloneCluster.attach(dir);
            String name = cluster.startTaskManager();
            System.out.println(
                    "started " + name + " (pid " + cluster.processes().get(name).pid() + ")");
            return 0;
        }
    }

    @Command(
            name = "stop-job",
            mixinStandardHelpOptions = true,
            description =
                    "Stop a job with a savepoint in the cluster's savepoints/ folder and print its path: "
                            + "submit -D execution.state-recovery.path=PATH resumes from it, e.g. with "
                            + "-D job.parallelism=3 to rescale (every camera keeps its adapted version).")
    static final class StopJob extends DirOption implements Callable<Integer> {
        @CommandLine.Parameters(
                index = "0",
                paramLabel = "JOB",
                description = "the job's id (status lists them)")
        String job;

        @Option(
                names = "--timeout",
                description = "seconds to wait for the savepoint (default: ${DEFAULT-VALUE})")
        int timeoutSeconds = 300;

        @Override
        public Integer call() throws Exception {
            StandaloneCluster cluster = StandaloneCluster.attach(dir);
            String location =
                    cluster.rest()
                            .stopWithSavepoint(
                                    job,
                                    cluster.savepointDir(),
                                    Duration.ofSeconds(timeoutSeconds));
            System.out.println("stopped job " + job + " with savepoint " + location);
            System.out.println(
                    "resume: bin/scenestream-cluster submit -D execution.state-recovery.path="
                            + location
                            + " (same job options; job.parallelism may change)");
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description =
                    "Cancel running jobs (their checkpoints are kept), stop the TaskManagers, the JobManager and Kafka.")
    static final class Stop extends DirOption implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            StandaloneCluster cluster = StandaloneCluster.attach(dir);
            String processes = cluster.describeProcesses();
            cluster.stop();
            System.out.println(
                    "stopped "
                            + processes
                            + "; data, checkpoints and logs stay in "
                            + cluster.spec().dir());
            return 0;
        }
    }
}
