package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Adaptation threads that would take every core are held to their share of the machine. */
class AdaptationBudgetTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void busyThreadsTakeTheirShareAndNoMore() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        double share = 0.25;
        AdaptationBudget budget = AdaptationBudget.forTest(share, cores);
        AtomicLong cpu = new AtomicLong();
        long seconds = 4;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        // Two adaptation threads that never stop computing but to pace, every ~2 ms.
        for (int i = 0; i < 2; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                budget.register();
                                long start = THREADS.getCurrentThreadCpuTime();
                                double x = 0;
                                try {
                                    while (System.nanoTime() < end) {
                                        long until = System.nanoTime() + 2_000_000;
                                        while (System.nanoTime() < until) {
                                            x += Math.sqrt(x + 1);
                                        }
                                        budget.pace();
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - start);
                                if (x < 0) {
                                    System.out.println(x);
                                }
                            },
                            "adaptation-" + i);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        double taken = cpu.get() / (seconds * 1e9) / cores;
        System.out.printf(
                "BUDGET share %.2f of %d cores: the threads took %.3f%n", share, cores, taken);
        // At most the share (the bucket's one second of credit and a last slice aside)...
        assertThat(taken).isLessThan(share * 1.2 + 0.02);
        // ...and, at the task's priority on an otherwise quiet machine, most of it.
        assertThat(taken).isGreaterThan(share * 0.6);
        assertThat(budget.used()).isBetween(share * 0.5, share * 1.3);
    }

    @Test
    void zeroMeansNoLimitAndOutOfRangeIsRefused() {
        assertThat(AdaptationBudget.of(0)).isNull();
        assertThat(AdaptationBudget.of(0.3)).isSameAs(AdaptationBudget.of(0.3));
        assertThatThrownBy(() -> AdaptationBudget.of(1.5)).hasMessageContaining("[0, 1]");
    }
}
