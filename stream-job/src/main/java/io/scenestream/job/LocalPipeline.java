package io.scenestream.job;

import io.scenestream.broker.EmbeddedKafka;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job on this machine as local mode and the measurement tools run it: an embedded broker, the
 * job's topics and the job on a local Flink environment, reading from the earliest offsets. Closing
 * it cancels the job, waits for it to stop and stops the broker.
 */
public final class LocalPipeline implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final JobSettings settings;
    private final JobClient job;

    private LocalPipeline(EmbeddedKafka kafka, JobSettings settings, JobClient job) {
        this.kafka = kafka;
        this.settings = settings;
        this.job = job;
    }

    /**
     * Starts a broker, creates the topics and submits the job.
     *
     * @param userOptions the user's {@code -D} job options, applied first
     * @param commandOptions what the command sets over them (the model, self-training...); the
     *     broker's address and the starting offsets are set already
     * @param partitions partitions of the frame topic (one per camera)
     * @param env the local environment to run on (with a web UI or without)
     * @param name the job's name
     */
    public static LocalPipeline start(
            Map<String, String> userOptions,
            Consumer<Configuration> commandOptions,
            int partitions,
            StreamExecutionEnvironment env,
            String name)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            Configuration conf = new Configuration();
            userOptions.forEach(conf::setString);
            conf.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            conf.set(JobOptions.STARTING_OFFSETS, "earliest");
            commandOptions.accept(conf);
            JobSettings settings = JobOptions.settings(conf);
            Topics.create(kafka, settings, Math.max(1, partitions));
            JobClient job = Jobs.startOnKafka(env, settings, name);
            return new LocalPipeline(kafka, settings, job);
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public JobSettings settings() {
        return settings;
    }

    public JobClient job() {
        return job;
    }

    @Override
    public void close() throws Exception {
        try {
            Jobs.cancelAndWait(job, Duration.ofSeconds(30));
        } finally {
            kafka.close();
        }
    }
}
