package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Adaptation that would take the machine all the time gets its share and no more, while inference
 * that would also take it all the time gets the rest; the two never run at once.
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
    void busyAdaptationTakesItsShareBusyInferenceTheRestNeverTogether() throws Exception {
        double share = 0.25;
        AdaptationBudget.Turns turns = new AdaptationBudget.Turns();
        AdaptationBudget budget = AdaptationBudget.forTest(share, turns);
        long seconds = 4;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        Held adapting = new Held();
        AtomicLong inferenceNs = new AtomicLong();
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
                                        spin(20_000_000);
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
        // Inference with a batch of 5 ms always waiting.
        threads.add(
                new Thread(
                        () -> {
                            while (System.nanoTime() < end) {
                                try (AdaptationBudget.Turn turn =
                                        AdaptationBudget.inference(turns)) {
                                    long t0 = System.nanoTime();
                                    if (adapting.any()) {
                                        overlaps.incrementAndGet();
                                    }
                                    spin(5_000_000);
                                    inferenceNs.addAndGet(System.nanoTime() - t0);
                                }
                            }
                        },
                        "inference"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double wall = System.nanoTime() - start;
        double adaptation = adapting.total / wall;
        double inference = inferenceNs.get() / wall;
        System.out.printf(
                "BUDGET share %.2f: adaptation held the machine %.3f of the time (at most %d"
                        + " pieces together), inference %.3f, reported %.3f%n",
                share, adaptation, adapting.most, inference, budget.used());
        assertThat(overlaps.get()).as("inference batches run beside adaptation").isZero();
        // At most the share (the bucket's quarter second of credit and a last piece aside)...
        assertThat(adaptation).isLessThan(share + 0.25 / seconds + 0.02);
        // ...and, however busy inference is, most of it.
        assertThat(adaptation).isGreaterThan(share * 0.8);
        // Inference has the rest.
        assertThat(inference).isGreaterThan(1 - share - 0.25 / seconds - 0.1);
        assertThat(budget.used()).isBetween(adaptation - 0.02, adaptation + 0.05);
        // The teacher's and the trainer's pieces run side by side, a core each.
        assertThat(adapting.most).isEqualTo(2);
    }

    @Test
    void zeroMeansNoLimitAndOutOfRangeIsRefused() {
        assertThat(AdaptationBudget.of(0)).isNull();
        assertThat(AdaptationBudget.of(0.3)).isSameAs(AdaptationBudget.of(0.3));
        assertThatThrownBy(() -> AdaptationBudget.of(1.5)).hasMessageContaining("[0, 1]");
    }
}
