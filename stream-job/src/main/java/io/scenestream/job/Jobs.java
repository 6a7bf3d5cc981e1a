package io.scenestream.job;

import java.time.Duration;
import org.apache.flink.core.execution.JobClient;

/** Helpers for jobs run from the local tools. */
final class Jobs {

    private Jobs() {}

    /**
     * Cancels {@code job} and waits until it has stopped (sources closed), so that the broker can be
     * stopped after it without the job's clients retrying against it.
     */
    static void cancelAndWait(JobClient job, Duration timeout) throws Exception {
        job.cancel().get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException | IllegalStateException e) {
                return; // a local cluster goes away with its job
            }
            Thread.sleep(100);
        }
    }
}
