package io.scenestream.operators;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The share of this machine's cores that adaptation (the teacher's labelling and the training
 * rounds) may take, kept in both directions. The adaptation threads run at the task's priority, so
 * that the scheduler gives them their share even when inference could use every core; and each
 * calls {@link #pace} after a piece of work (a labelled frame, a training step), which sleeps while
 * their CPU time runs ahead of {@code share x cores x wall time}. One budget per share and JVM: the
 * teacher and the trainer of one TaskManager share it.
 *
 * <p>A token bucket of CPU time: credit grows at {@code share x cores} a second of wall time, up to
 * one second's worth, and the threads' CPU time spends it; below zero, {@link #pace} sleeps until
 * it is back. Over any stretch longer than a second the threads take at most their share.
 */
final class AdaptationBudget {

    private static final ConcurrentHashMap<Double, AdaptationBudget> BUDGETS =
            new ConcurrentHashMap<>();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final int cores;
    private final double coresAllowed;
    private final long maxCreditNs;
    private final List<Thread> threads = new ArrayList<>();

    /** Each thread's CPU time when last read: what an ended thread used. */
    private final Map<Thread, Long> lastSeen = new HashMap<>();

    private final long startNs = System.nanoTime();
    private long lastWallNs = startNs;
    private long lastCpuNs;
    private long creditNs;

    /** CPU time of registered threads that have ended. */
    private long retiredCpuNs;

    private AdaptationBudget(double share, int cores) {
        this.cores = cores;
        this.coresAllowed = share * cores;
        this.maxCreditNs = (long) (coresAllowed * TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * The budget of {@code share} (0 < share <= 1) of this machine's cores; null for 0, no limit.
     */
    static AdaptationBudget of(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("adaptation budget must be in [0, 1], got " + share);
        }
        if (share == 0) {
            return null;
        }
        return BUDGETS.computeIfAbsent(
                share, s -> new AdaptationBudget(s, Runtime.getRuntime().availableProcessors()));
    }

    /** For tests: a budget of its own, over {@code cores} cores. */
    static AdaptationBudget forTest(double share, int cores) {
        return new AdaptationBudget(share, cores);
    }

    /** Counts the calling thread's CPU time against the budget from now on. */
    synchronized void register() {
        Thread t = Thread.currentThread();
        if (!threads.contains(t)) {
            threads.add(t);
            lastCpuNs += cpuOf(t);
        }
    }

    /**
     * Sleeps while the adaptation threads have used more than their share; call it on an adaptation
     * thread between two pieces of work.
     */
    void pace() throws InterruptedException {
        long sleep;
        synchronized (this) {
            account();
            sleep = creditNs < 0 ? (long) (-creditNs / coresAllowed) : 0;
        }
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.SECONDS.toNanos(30)));
        }
    }

    private void account() {
        long wall = System.nanoTime();
        long cpu = threadsCpu();
        creditNs += (long) ((wall - lastWallNs) * coresAllowed) - (cpu - lastCpuNs);
        creditNs = Math.min(creditNs, maxCreditNs);
        lastWallNs = wall;
        lastCpuNs = cpu;
    }

    /** The share of this machine's cores the adaptation threads took since the budget began. */
    synchronized double used() {
        long cpu = threadsCpu();
        double wall = System.nanoTime() - startNs;
        return wall <= 0 ? 0 : cpu / wall / cores;
    }

    /** CPU time of the registered threads, those that ended included (they retire here). */
    private long threadsCpu() {
        long cpu = retiredCpuNs;
        for (Iterator<Thread> it = threads.iterator(); it.hasNext(); ) {
            Thread t = it.next();
            long c = cpuOf(t);
            if (!t.isAlive()) {
                retiredCpuNs += c;
                lastSeen.remove(t);
                it.remove();
            }
            cpu += c;
        }
        return cpu;
    }

    /** A thread's CPU time, or what it had when last read if it has ended. */
    private long cpuOf(Thread t) {
        long c = cpu(t);
        if (c >= 0) {
            lastSeen.put(t, c);
            return c;
        }
        return lastSeen.getOrDefault(t, 0L);
    }

    private static long cpu(Thread t) {
        return THREADS.getThreadCpuTime(t.getId());
    }
}
