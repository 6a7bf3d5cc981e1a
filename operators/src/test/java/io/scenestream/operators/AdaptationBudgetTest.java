package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Adaptation that would take the machine all the time gets its share of the cores and no more,
 * while inference that would also take it all the time gets the rest, on the cores no piece of
 * adaptation holds.
 */
class AdaptationBudgetTest {

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        double x = 0;
        while (System.nanoTime() < until) {
            x += Math.sqrt(x + 1);
        }
        if (x < 0) {
            System.out.println(x);
        }
    }

    /** Wall time during which adaptation pieces ran, however many together. */
    private static final class Held {
        private int running;
        private int most;
        private long since;
        private long total;

        synchronized void enter() {
            if (running++ == 0) {
                since = System.nanoTime();
            }
            most = Math.max(most, running);
        }

        synchronized void exit() {
            if (--running == 0) {
                total += System.nanoTime() - since;
            }
        }

        synchronized boolean any() {
            return running > 0;
        }
    }

    @Test
    void busyAdaptationTakesItsShareOfTheCoresBusyInferenceTheRest() throws Exception {
        double share = 0.25;
        int cores = 2;
        AdaptationBudget.Turns turns = new AdaptationBudget.Turns(cores);
        AdaptationBudget budget = AdaptationBudget.forTest(share, turns);
        long seconds = 4;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        Held adapting = new Held();
        AtomicLong pieceNs = new AtomicLong();
        AtomicLong inferenceCoreNs = new AtomicLong();
        AtomicInteger batchesOnOneCore = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        // Two adaptation threads (teacher and trainer) whose jobs are pieces of 20 ms of work.
        for (int i = 0; i < 2; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    budget.begin();
                                    while (System.nanoTime() < end) {
                                        adapting.enter();
                                        long t0 = System.nanoTime();
                                        spin(20_000_000);
                                        pieceNs.addAndGet(System.nanoTime() - t0);
                                        adapting.exit();
                                        budget.between();
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                } finally {
                                    budget.end();
                                }
                            },
                            "adaptation-" + i);
            threads.add(t);
        }
        // Inference with a batch of 5 ms always waiting, on the cores its turn gives it.
        threads.add(
                new Thread(
                        () -> {
                            while (System.nanoTime() < end) {
                                try (AdaptationBudget.Turn turn =
                                        AdaptationBudget.inference(turns)) {
                                    long t0 = System.nanoTime();
                                    boolean before = adapting.any();
                                    spin(5_000_000);
                                    boolean after = adapting.any();
                                    if (turn.cores() == cores && (before || after)) {
                                        overlaps.incrementAndGet();
                                    }
                                    if (turn.cores() == 1) {
                                        batchesOnOneCore.incrementAndGet();
                                    }
                                    inferenceCoreNs.addAndGet(
                                            (System.nanoTime() - t0) * turn.cores());
                                }
                            }
                        },
                        "inference"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double wall = System.nanoTime() - start;
        double adaptation = pieceNs.get() / wall / cores;
        double inference = inferenceCoreNs.get() / wall / cores;
        System.out.printf(
                "BUDGET share %.2f of %d cores: adaptation took %.3f of the core time (at most %d"
                        + " pieces at once), inference %.3f (%d batches on one core), reported"
                        + " %.3f%n",
                share,
                cores,
                adaptation,
                adapting.most,
                inference,
                batchesOnOneCore.get(),
                budget.used());
        assertThat(overlaps.get()).as("batches on every core beside a piece").isZero();
        assertThat(batchesOnOneCore.get())
                .as("batches beside a piece, on the core left")
                .isPositive();
        // At most the share (the bucket's second of credit and a last piece aside)...
        assertThat(adaptation).isLessThan(share + share / seconds + 0.02);
        // ...and, however busy inference is, most of it.
        assertThat(adaptation).isGreaterThan(share * 0.8);
        // Inference has the rest; inference keeps a core, so one piece at a time on two.
        assertThat(inference).isGreaterThan(1 - share - share / seconds - 0.1);
        assertThat(adapting.most).isEqualTo(1);
        assertThat(budget.used()).isBetween(adaptation - 0.02, adaptation + 0.05);
    }

    @Test
    void zeroMeansNoLimitAndOutOfRangeIsRefused() {
        assertThat(AdaptationBudget.of(0)).isNull();
        assertThat(AdaptationBudget.of(0.3)).isSameAs(AdaptationBudget.of(0.3));
        assertThatThrownBy(() -> AdaptationBudget.of(1.5)).hasMessageContaining("[0, 1]");
    }
}
