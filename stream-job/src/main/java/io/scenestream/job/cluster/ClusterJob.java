package io.scenestream.job.cluster;

import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.Jobs;
import io.scenestream.job.Topics;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Submits the SceneStream job to a running Flink cluster through its REST API. The job graph is
 * built here and sent without a jar: the job's classes are on the cluster's classpath (as in a
 * Flink distribution whose {@code lib/} holds the job jar), so libtorch is loaded by the
 * TaskManager's own class loader, once per process, and a restarted task finds it loaded.
 */
public final class ClusterJob {

    private ClusterJob() {}

    /**
     * Submits the job with {@code options} (job options, {@link JobOptions}, and any Flink options,
     * e.g. {@code execution.state-recovery.path}) and returns its id once the cluster accepted it.
     */
    public static JobID submit(String restHost, int restPort, Configuration options, String name)
            throws Exception {
        JobSettings settings = JobOptions.settings(options);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(restHost, restPort, options);
        return Jobs.startOnKafka(env, settings, name).getJobID();
    }

    /**
     * The job's options on {@code cluster}: {@code given} over the cluster's broker and checkpoint
     * folder; the shipped student when no model is given; the model's own resolution when none is
     * given; model paths made absolute (the TaskManagers resolve them, from another working
     * folder).
     */
    public static Configuration options(StandaloneCluster cluster, Map<String, String> given)
            throws IOException {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        c.set(JobOptions.CHECKPOINT_DIR, cluster.checkpointDir());
        c.set(JobOptions.MODEL_CHECKPOINT, "model/checkpoints/student-lite.ckpt.zip");
        given.forEach(c::setString);
        absolute(c, JobOptions.MODEL_CHECKPOINT.key());
        if (c.get(JobOptions.SELF_TRAINING)) {
            absolute(c, JobOptions.TEACHER_CHECKPOINT.key());
        }
        Path model = Path.of(c.get(JobOptions.MODEL_CHECKPOINT));
        if (!Files.isRegularFile(model)) {
            throw new IOException(
                    "model checkpoint "
                            + model
                            + " does not exist (option "
                            + JobOptions.MODEL_CHECKPOINT.key()
                            + ")");
        }
        if (!given.containsKey(JobOptions.RESOLUTION.key())) {
            CheckpointManifest m = Checkpoints.readManifest(model);
            c.set(JobOptions.RESOLUTION, m.inputHeight() + "x" + m.inputWidth());
        }
        return c;
    }

    private static void absolute(Configuration c, String key) {
        String v = c.getString(key, null);
        if (v != null && !v.contains("://") && Files.exists(Path.of(v))) {
            c.setString(key, Path.of(v).toAbsolutePath().normalize().toString());
        }
    }

    /**
     * Creates the job's topics that do not exist on its brokers (frames and predictions with {@code
     * partitions} partitions), with the job's Kafka client properties; returns those created.
     */
    public static List<String> createTopics(JobSettings settings, int partitions) throws Exception {
        Properties p = settings.kafkaClientProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(p)) {
            return Topics.createMissing(admin, settings, partitions);
        }
    }
}
