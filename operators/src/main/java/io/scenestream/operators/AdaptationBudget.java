package io.scenestream.operators;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The share of this machine that adaptation (the teacher's labelling and the training rounds) may
 * take, kept in both directions by taking turns: a piece of adaptation work (a labelled key frame,
 * a training step, a validation) holds the machine alone, the inference batches of this JVM wait
 * for it and then run with every core again; between its pieces adaptation waits until the time it
 * held the machine is back within {@code share} of the wall time.
 *
 * <p>Why turns rather than running side by side at a lower priority or a CPU-time quota: libtorch
 * runs inference on a team of OpenMP threads, one a core, that meet at a barrier after every
 * parallel region of the forward pass. An adaptation thread running beside them takes a core from
 * one member of the team, and the whole team waits for it at every barrier: on two cores a quarter
 * of the machine for adaptation cost inference half its throughput (measured, see docs/benchmarks).
 * Turns cost inference the share and no more, and give adaptation its share however busy inference
 * is: a waiting turn goes before inference batches that come after it (the lock is fair).
 *
 * <p>Credit: a token bucket of wall time, growing at {@code share} a second up to {@code share}
 * seconds, spent by the time a turn is held; {@link #begin} sleeps while it is negative. One budget
 * per share and JVM: the teacher and the trainer of one TaskManager share it.
 */
final class AdaptationBudget {

    /** This JVM's turns on the machine: inference shares them, adaptation takes them alone. */
    private static final ReentrantReadWriteLock TURNS = new ReentrantReadWriteLock(true);

    private static final ConcurrentHashMap<Double, AdaptationBudget> BUDGETS =
            new ConcurrentHashMap<>();

    /** A turn on the machine, ended by {@link #close}. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    private final double share;
    private final ReentrantReadWriteLock turns;
    private final long maxCreditNs;
    private final long startNs = System.nanoTime();
    private long lastNs = startNs;
    private long creditNs;
    private long heldNs;
    private long heldSince = -1;

    private AdaptationBudget(double share, ReentrantReadWriteLock turns) {
        this.share = share;
        this.turns = turns;
        this.maxCreditNs = (long) (share * TimeUnit.SECONDS.toNanos(1));
    }

    /** The budget of {@code share} (0 < share <= 1) of this machine; null for 0, no limit. */
    static AdaptationBudget of(double share) {
        check(share);
        if (share == 0) {
            return null;
        }
        return BUDGETS.computeIfAbsent(share, s -> new AdaptationBudget(s, TURNS));
    }

    /** For tests: a budget with turns of its own. */
    static AdaptationBudget forTest(double share, ReentrantReadWriteLock turns) {
        check(share);
        return new AdaptationBudget(share, turns);
    }

    private static void check(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("adaptation budget must be in [0, 1], got " + share);
        }
    }

    /**
     * An inference batch's turn: waits while a piece of adaptation work holds the machine; any
     * number of inference batches hold turns together.
     */
    static Turn inference() {
        return inference(TURNS);
    }

    static Turn inference(ReentrantReadWriteLock turns) {
        turns.readLock().lock();
        return () -> turns.readLock().unlock();
    }

    /**
     * Starts a piece of adaptation work on the calling thread: waits until the budget has credit,
     * then until the machine is free, and holds it until {@link #end}.
     */
    void begin() throws InterruptedException {
        long sleep;
        synchronized (this) {
            account(System.nanoTime());
            sleep = creditNs < 0 ? (long) (-creditNs / share) : 0;
        }
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.SECONDS.toNanos(60)));
        }
        turns.writeLock().lockInterruptibly();
        synchronized (this) {
            heldSince = System.nanoTime();
        }
    }

    /** Ends the calling thread's piece of work; does nothing if it holds no turn. */
    void end() {
        if (!turns.isWriteLockedByCurrentThread()) {
            return;
        }
        synchronized (this) {
            long now = System.nanoTime();
            account(now);
            creditNs -= now - heldSince;
            heldNs += now - heldSince;
            heldSince = -1;
        }
        turns.writeLock().unlock();
    }

    /**
     * Between two pieces of one job: ends the turn, waits for credit and the machine, and begins
     * the next.
     */
    void between() throws InterruptedException {
        end();
        begin();
    }

    private void account(long now) {
        creditNs = Math.min(maxCreditNs, creditNs + (long) ((now - lastNs) * share));
        lastNs = now;
    }

    /** The share of wall time adaptation has held the machine since the budget began. */
    synchronized double used() {
        long now = System.nanoTime();
        long held = heldNs + (heldSince >= 0 ? now - heldSince : 0);
        return now <= startNs ? 0 : (double) held / (now - startNs);
    }

    /** The share of the machine adaptation may take. */
    double share() {
        return share;
    }
}
