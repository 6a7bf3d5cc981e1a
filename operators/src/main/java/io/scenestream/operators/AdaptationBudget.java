package io.scenestream.operators;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The share of this machine's cores that adaptation (the teacher's labelling and the training
 * rounds) may take, kept in both directions by dividing the cores between it and inference: a piece
 * of adaptation work (a labelled key frame, a training step, a validation) takes a core of its own
 * for as long as it runs, and the inference batches of this JVM that start meanwhile run their
 * OpenMP team on the cores left ({@link Turn#cores}); between its pieces adaptation waits until the
 * core time it has held is back within {@code share x cores x wall time}.
 *
 * <p>Why not run side by side at a lower priority or under a CPU-time quota: libtorch runs
 * inference on a team of OpenMP threads, one a core, that meet at a barrier after every parallel
 * region of the forward pass. An adaptation thread running beside a team that spans every core
 * takes a core from one member, and the whole team waits for it at every barrier: on two cores a
 * quarter of the machine for adaptation cost inference half its throughput (measured, see
 * docs/benchmarks). With the cores divided, inference runs a smaller team that nothing displaces.
 *
 * <p>A piece starts between two inference batches (a batch's team is sized when it starts), before
 * the batches that come after it, so adaptation gets its share however busy inference is; at most
 * {@code cores - 1} pieces run at once, so inference always keeps a core.
 *
 * <p>Credit: a token bucket of core time, growing at {@code share x cores} a second up to one
 * second's worth, spent by the pieces' time; {@link #begin} sleeps while it is negative. One budget
 * per share and JVM: the teacher and the trainer of one TaskManager share it.
 */
final class AdaptationBudget {

    /** This JVM's division of the cores. */
    private static final Turns TURNS = new Turns(Runtime.getRuntime().availableProcessors());

    private static final ConcurrentHashMap<Double, AdaptationBudget> BUDGETS =
            new ConcurrentHashMap<>();

    /** An inference batch's turn, ended by {@link #close}. */
    interface Turn extends AutoCloseable {
        /** The cores the batch may use: those no piece of adaptation holds, at least one. */
        int cores();

        @Override
        void close();
    }

    /** Which cores are whose: the pieces of adaptation work running, the inference batches. */
    static final class Turns {
        private final int cores;
        private int inference;
        private int adaptation;
        private int adaptationWaiting;

        /** Core time of the pieces that ended. */
        private long adaptationHeldNs;

        /** When each running piece began, by thread. */
        private final Map<Thread, Long> running = new HashMap<>();

        Turns(int cores) {
            this.cores = Math.max(1, cores);
        }

        private int maxPieces() {
            return Math.max(1, cores - 1);
        }

        synchronized int enterInference() {
            // A piece that waits for a core goes first, if it can get one.
            while (adaptationWaiting > 0 && adaptation < maxPieces()) {
                waitUninterruptibly();
            }
            inference++;
            return Math.max(1, cores - adaptation);
        }

        synchronized void exitInference() {
            inference--;
            notifyAll();
        }

        synchronized void enterAdaptation() throws InterruptedException {
            adaptationWaiting++;
            try {
                while (inference > 0 || adaptation >= maxPieces()) {
                    wait();
                }
            } finally {
                adaptationWaiting--;
                notifyAll();
            }
            adaptation++;
            running.put(Thread.currentThread(), System.nanoTime());
        }

        /**
         * @return how long the calling thread's piece held its core
         */
        synchronized long exitAdaptation() {
            Long since = running.remove(Thread.currentThread());
            long held = since == null ? 0 : System.nanoTime() - since;
            adaptationHeldNs += held;
            adaptation--;
            notifyAll();
            return held;
        }

        /** Core time the pieces have held, those running included. */
        synchronized long adaptationHeldNs() {
            long now = System.nanoTime();
            long held = adaptationHeldNs;
            for (long since : running.values()) {
                held += now - since;
            }
            return held;
        }

        int cores() {
            return cores;
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
        this.maxCreditNs = (long) (share * turns.cores() * TimeUnit.SECONDS.toNanos(1));
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
        int cores = turns.enterInference();
        return new Turn() {
            @Override
            public int cores() {
                return cores;
            }

            @Override
            public void close() {
                turns.exitInference();
            }
        };
    }

    /**
     * Starts a piece of adaptation work on the calling thread: waits until the budget has credit,
     * then for a core between two inference batches, and holds it until {@link #end}.
     */
    void begin() throws InterruptedException {
        if (holding.get()) {
            return;
        }
        long sleep;
        synchronized (this) {
            account(System.nanoTime());
            sleep = creditNs < 0 ? (long) (-creditNs / (share * turns.cores())) : 0;
        }
        if (sleep > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.SECONDS.toNanos(60)));
        }
        turns.enterAdaptation();
        holding.set(true);
    }

    /** Ends the calling thread's piece of work; does nothing if it holds no core. */
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
     * Between two pieces of one job: gives its core back, waits for credit and a core, and begins
     * the next.
     */
    void between() throws InterruptedException {
        end();
        begin();
    }

    private void account(long now) {
        creditNs =
                Math.min(maxCreditNs, creditNs + (long) ((now - lastNs) * share * turns.cores()));
        lastNs = now;
    }

    /** The share of the machine's core time adaptation has held since the budget began. */
    double used() {
        long now = System.nanoTime();
        long held = turns.adaptationHeldNs() - heldAtStartNs;
        return now <= startNs ? 0 : (double) held / (now - startNs) / turns.cores();
    }
}
