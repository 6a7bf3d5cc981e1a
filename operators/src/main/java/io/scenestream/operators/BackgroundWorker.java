package io.scenestream.operators;

import io.scenestream.model.inference.TorchThreads;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread an operator's background model work runs on (the teacher's labelling, self-training's
 * rounds), so that it never holds up the task's thread: it lowers itself to a nice value and a
 * libtorch thread count before it touches libtorch (see {@link ThreadNiceness}, {@link
 * TorchThreads}); it runs one job at a time whose result the task's thread takes between records,
 * checked by processing-time timers; and at close it releases what belongs to it (a model) on
 * itself, after the job in flight.
 *
 * @param <R> what a job gives back
 */
final class BackgroundWorker<R> {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundWorker.class);

    private final String name;
    private final ExecutorService executor;
    private final AdaptationBudget budget;
    private Future<R> inFlight;
    private boolean pollScheduled;

    /**
     * @param name the thread's name
     * @param nice its nice value (0..19; 0 leaves its priority)
     * @param torchThreads its libtorch threads (0: libtorch's default)
     * @param budget the share of the machine it takes with the other adaptation workers: every job
     *     is a turn of its own, and through {@link #pacer} a long job takes a turn per piece of
     *     work; null for no limit
     */
    BackgroundWorker(String name, int nice, int torchThreads, AdaptationBudget budget) {
        this.name = name;
        this.budget = budget;
        this.executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t =
                                    new Thread(
                                            () -> {
                                                boolean lowered =
                                                        ThreadNiceness.lowerCurrentThread(nice);
                                                int threads =
                                                        TorchThreads.useOnThisThread(torchThreads);
                                                LOG.info(
                                                        "{} runs at nice {} on {} libtorch thread(s)",
                                                        name,
                                                        lowered ? nice : 0,
                                                        threads);
                                                r.run();
                                            },
                                            name);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Runs {@code task} on the worker after what is queued, and waits for it; its failure is
     * rethrown.
     */
    <V> V call(Callable<V> task) throws Exception {
        try {
            return executor.submit(task).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Queues {@code chore} on the worker, after what is queued, without waiting for it. */
    void queue(Callable<?> chore) {
        executor.submit(chore);
    }

    /** Whether a job's result has not been taken yet. */
    boolean busy() {
        return inFlight != null;
    }

    /**
     * Starts a job; one at a time. With a budget, the job is a turn on the machine: it first waits
     * for credit and for the machine (meanwhile {@link #busy}), and holds it alone until it ends or
     * calls the {@link #pacer}.
     */
    void start(Callable<R> job) {
        if (inFlight != null) {
            throw new IllegalStateException(name + " has a job in flight already");
        }
        inFlight =
                executor.submit(
                        () -> {
                            if (budget == null) {
                                return job.call();
                            }
                            budget.begin();
                            try {
                                return job.call();
                            } finally {
                                budget.end();
                            }
                        });
    }

    /**
     * What a long job calls between its pieces of work (a round's steps): ends its turn, waits for
     * credit and the machine and begins the next, so that inference runs between the pieces; does
     * nothing without a budget. Interrupted, it throws.
     */
    Runnable pacer() {
        return () -> {
            if (budget == null) {
                return;
            }
            try {
                budget.between();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + " was interrupted", e);
            }
        };
    }

    /**
     * The job's result once it is done, null while it runs or when there is none; with {@code
     * wait}, waits for it. A failed job's cause is thrown as the {@link ExecutionException}; either
     * way the job is taken.
     */
    R take(boolean wait) throws InterruptedException, ExecutionException {
        if (inFlight == null || (!wait && !inFlight.isDone())) {
            return null;
        }
        try {
            return inFlight.get();
        } finally {
            inFlight = null;
        }
    }

    /**
     * Runs {@code tick} on the task's thread every {@code periodMs} of processing time, for as long
     * as {@code again} holds after it; a second call while ticks are scheduled does nothing.
     */
    void poll(
            ProcessingTimeService timers,
            long periodMs,
            ThrowingRunnable<Exception> tick,
            BooleanSupplier again) {
        if (pollScheduled) {
            return;
        }
        pollScheduled = true;
        timers.registerTimer(
                timers.getCurrentProcessingTime() + periodMs,
                time -> {
                    pollScheduled = false;
                    tick.run();
                    if (again.getAsBoolean()) {
                        poll(timers, periodMs, tick, again);
                    }
                });
    }

    /**
     * Stops {@code worker} (if there is one) as {@link #close(Callable, Duration)} does, closing
     * what {@code owned} gives, if anything, on the worker's thread: models and trainers belong to
     * the thread that made them.
     */
    static void close(
            BackgroundWorker<?> worker, Supplier<? extends AutoCloseable> owned, Duration wait)
            throws InterruptedException {
        if (worker == null) {
            return;
        }
        worker.close(
                () -> {
                    AutoCloseable r = owned.get();
                    if (r != null) {
                        r.close();
                    }
                    return null;
                },
                wait);
    }

    /**
     * Stops the worker: the job in flight is cancelled unless it runs, then {@code release} runs on
     * the worker, after what it is running; waits up to {@code wait}, logging if it does not stop.
     */
    void close(Callable<?> release, Duration wait) throws InterruptedException {
        if (inFlight != null) {
            inFlight.cancel(false);
        }
        executor.submit(release);
        executor.shutdown();
        if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} did not stop within {} s", name, wait.toSeconds());
        }
    }
}
