package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void readsTimesAfterTheLastParenthesisOfTheName() {
        // A name with spaces and parentheses, as Flink's task threads have: utime 1029, stime 17.
        String stat =
                "4242 (infer -> (dead-) S 9863 9863 1 0 -1 1077936192 5120 0 3 0 1029 17 0 0 20 0 40 0 "
                        + "163001 7000000000 900000 18446744073709551615 1 1 0 0 0 0 4 0 16796879 0 0 0 -1 1 0 0 0 0 0";
        assertThat(ThreadCpu.utimePlusStime(stat)).isEqualTo(1046);
    }

    @Test
    void sortsThreadsIntoKinds() {
        assertThat(ThreadCpu.kindOf("infer -> (dead-")).isEqualTo("inference");
        assertThat(ThreadCpu.kindOf("C2 CompilerThre")).isEqualTo("jit");
        assertThat(ThreadCpu.kindOf("GC Thread#1")).isEqualTo("gc");
        assertThat(ThreadCpu.kindOf("kafka-producer-")).isEqualTo("kafka-clients");
        assertThat(ThreadCpu.kindOf("Source Data Fet")).isEqualTo("kafka-clients");
        assertThat(ThreadCpu.kindOf("kafka-1-raft-io")).isEqualTo("broker");
        assertThat(ThreadCpu.kindOf("data-plane-kafk")).isEqualTo("broker");
        assertThat(ThreadCpu.kindOf("Source: frames ")).isEqualTo("flink");
        assertThat(ThreadCpu.kindOf("java")).isEqualTo("main");
        assertThat(ThreadCpu.kindOf("JavaCPP Dealloc")).isEqualTo("other");
    }

    @Test
    void countsABusyThreadUnderItsKind() throws Exception {
        assertThat(ThreadCpu.available()).as("/proc/self/task on this Linux machine").isTrue();
        ThreadCpu before = ThreadCpu.sample();
        long end = System.nanoTime() + 800_000_000L;
        Thread busy =
                new Thread(
                        () -> {
                            double x = 0;
                            while (System.nanoTime() < end) {
                                x += Math.sqrt(x + 1);
                            }
                            if (x < 0) {
                                System.out.println(x);
                            }
                        },
                        "infer -> busy");
        busy.start();
        Thread.sleep(500);
        // Sampled while the thread still runs (a thread that has ended is no longer listed).
        Map<String, Double> s = ThreadCpu.sample().secondsSince(before);
        busy.join();
        assertThat(s)
                .containsOnlyKeys(
                        "inference",
                        "jit",
                        "gc",
                        "kafka-clients",
                        "broker",
                        "flink",
                        "main",
                        "other");
        assertThat(s.get("inference")).isBetween(0.1, 0.6);
        assertThat(ThreadCpu.describe(s, 0.5, 10)).startsWith("cores ").contains("inference ");
    }
}
