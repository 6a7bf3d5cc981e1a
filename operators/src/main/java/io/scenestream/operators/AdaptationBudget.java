package io.scenestream.operators;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The share of this machine that adaptation (the teacher's labelling and the training rounds) may
 * take, kept in both directions by taking turns: pieces of adaptation work (a labelled key frame, a
 * training step, a validation) hold the machine together, the teacher's and the trainer's side by
 * side on a core each, while this JVM's inference batches wait for them and then run with every
 * core again; between its pieces adaptation waits until the time it has held the machine is back
 * within {@code share} of the wall time.
 *
 * <p>Why turns rather than running side by side at a lower priority or a CPU-time quota: libtorch
 * runs inference on a team of OpenMP threads, one a core, that meet at a barrier after every
 * parallel region of the forward pass. An adaptation thread running beside them takes a core from
 * one member of the team, and the whole team waits for it at every barrier: on two cores a quarter
 * of the machine for adaptation cost inference half its throughput (measured, see docs/benchmarks).
 * In turns inference loses about the share and no more.
 *
 * <p>Fairness: the sides alternate. While adaptation waits for its turn, inference batches that
 * come after the last one ended wait behind it; while inference waits, adaptation pieces do not
 * join those holding the machine. So adaptation gets its share however busy inference is, and an
 * inference batch waits at most for the pieces already running.
 *
 * <p>Credit: a token bucket of wall time, growing at {@code share} a second up to {@code share}
 * seconds, spent by the time adaptation holds the machine (once however many pieces run together);
 * {@link #begin} sleeps while it is negative. One budget per share and JVM: the teacher and the
 * trainer of one TaskManager share it.
 */
final class AdaptationBudget {

    /** This JVM's turns on the machine. */
    private static final Turns TURNS = new Turns();

    private static final ConcurrentHashMap<Double, AdaptationBudget> BUDGETS =
            new ConcurrentHashMap<>();

    /** A turn on the machine, ended by {@link #close}. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Who holds the machine: inference batches together, or adaptation pieces together, never both;
     * a side that waits goes before newcomers of the other.
     */
    static final class Turns {
        private int inference;
        private int adaptation;
        private int inferenceWaiting;
        private int adaptationWaiting;

        /** Which side goes first when both wait: the one that did not hold the machine last. */
        private boolean adaptationNext = true;

        /** When adaptation last began to hold the machine, while it does. */
        private long adaptationSince = -1;

        /** Wall time adaptation has held the machine, over finished stretches. */
        private long adaptationHeldNs;

        synchronized void enterInference() {
            inferenceWaiting++;
            try {
                while (adaptation > 0 || (adaptationWaiting > 0 && adaptationNext)) {
                    waitUninterruptibly();
                }
            } finally {
                inferenceWaiting--;
            }
            inference++;
        }

        synchronized void exitInference() {
            if (--inference == 0) {
                adaptationNext = true;
            }
            notifyAll();
        }

        synchronized void enterAdaptation() throws InterruptedException {
            adaptationWaiting++;
            try {
                while (inference > 0 || (inferenceWaiting > 0 && !adaptationNext)) {
                    wait();
                }
            } finally {
                adaptationWaiting--;
                notifyAll();
            }
            if (adaptation++ == 0) {
                adaptationSince = System.nanoTime();
            }
        }

        /**
         * @return how long adaptation held the machine if this ends its stretch, else 0
         */
        synchronized long exitAdaptation() {
            long held = 0;
            if (--adaptation == 0) {
                adaptationNext = false;
                held = System.nanoTime() - adaptationSince;
                adaptationHeldNs += held;
                adaptationSince = -1;
            }
            notifyAll();
            return held;
        }

        /** Wall time adaptation has held the machine, the stretch in progress included. */
        synchronized long adaptationHeldNs() {
            return adaptationHeldNs
                    + (adaptationSince >= 0 ? System.nanoTime() - adaptationSince : 0);
        }

        /** Time adaptation has held the machine in the stretch in progress. */
        synchronized long currentStretchNs() {
            return adaptationSince >= 0 ? System.nanoTime() - adaptationSince : 0;
        }

        private void waitUninterruptibly() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final double share;
    private final Turns turns;
    private final long maxCreditNs;
    private final long startNs = System.nanoTime();
    private final long heldAtStartNs;
    private final ThreadLocal<Boolean> holding = ThreadLocal.withInitial(() -> false);
    private long lastNs = startNs;
    private long creditNs;

    private AdaptationBudget(double share, Turns turns) {
        this.share = share;
        this.turns = turns;
        this.maxCreditNs = (long) (share * TimeUnit.SECONDS.toNanos(1));
        this.heldAtStartNs = turns.adaptationHeldNs();
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
    static AdaptationBudget forTest(double share, Turns turns) {
        check(share);
        return new AdaptationBudget(share, turns);
    }

    private static void check(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("adaptation budget must be in [0, 1], got " + share);
        }
    }

    /**
     * An inference batch's turn: waits while pieces of adaptation work hold the machine or wait for
     * it; any number of inference batches hold turns together.
     */
    static Turn inference() {
        return inference(TURNS);
    }

    static Turn inference(Turns turns) {
        turns.enterInference();
        return turns::exitInference;
    }

    /**
     * Starts a piece of adaptation work on the calling thread: waits until the budget has credit,
     * then for the machine, and holds it (with the other adaptation pieces) until {@link #end}.
     */
    void begin() throws InterruptedException {
        if (holding.get()) {
            return;
        }
        long sleep;
        synchronized (this) {
            account(System.nanoTime());
            // The stretch in progress (another piece holding the machine) is spent already.
            long credit = creditNs - turns.currentStretchNs();
            sleep = credit < 0 ? (long) (-credit / share) : 0;
        }
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.SECONDS.toNanos(60)));
        }
        turns.enterAdaptation();
        holding.set(true);
    }

    /** Ends the calling thread's piece of work; does nothing if it holds no turn. */
    void end() {
        if (!holding.get()) {
            return;
        }
        holding.set(false);
        long held = turns.exitAdaptation();
        synchronized (this) {
            account(System.nanoTime());
            creditNs -= held;
        }
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
    double used() {
        long now = System.nanoTime();
        long held = turns.adaptationHeldNs() - heldAtStartNs;
        return now <= startNs ? 0 : (double) held / (now - startNs);
    }

    /** The share of the machine adaptation may take. */
    double share() {
        return share;
    }
}
