package io.scenestream.job;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
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
     * A camera size {@code WIDTHxHEIGHT} as {width, height}; IllegalArgumentException naming {@code
     * option}.
     */
    public static int[] widthHeight(String s, String option) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(p[0]);
            int h = Integer.parseInt(p[1]);
            if (p.length == 2 && w > 0 && h > 0) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(option + " must be WIDTHxHEIGHT, got " + s);
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
