package io.scenestream.job;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/** Helpers for jobs run from the local and cluster tools. */
public final class Jobs {

    private Jobs() {}

    /** Runs a picocli command: bad options and unusable files print one line and exit code 2. */
    public static int run(Object command, String name, String[] args) {
        return new CommandLine(command)
                .setExecutionExceptionHandler(
                        (ex, cmd, parse) -> {
                            if (ex instanceof IllegalArgumentException
                                    || ex instanceof IOException) {
                                cmd.getErr().println(name + ": error: " + ex.getMessage());
                                return 2;
                            }
                            throw ex;
                        })
                .execute(args);
    }

    /** The job on the settings' Kafka topics in {@code env}, started. */
    public static JobClient startOnKafka(
            StreamExecutionEnvironment env, JobSettings settings, String name) throws Exception {
        SceneStreamJob.configure(env, settings);
        SceneStreamJob.build(env, JobIo.kafka(settings), settings);
        return env.executeAsync(name);
    }

    /**
     * Cancels {@code job} and waits until it has stopped (sources closed), so that the broker can
     * be stopped after it without the job's clients retrying against it.
     */
    public static void cancelAndWait(JobClient job, Duration timeout) throws Exception {
        job.cancel().get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    return;
                }
            } catch (ExecutionException | IllegalStateException e) {
                return; // a local cluster goes away with its job
            }
            Thread.sleep(100);
        }
    }
}
