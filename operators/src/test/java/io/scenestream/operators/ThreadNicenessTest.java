package io.scenestream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadNicenessTest {

    @Test
    void lowersOnlyTheCallingThreadAndWhatItStartsLater() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
        int before = ThreadNiceness.currentNice();
        assumeTrue(
                before >= 0 && before < 19,
                "this thread's nice value " + before + " leaves no room to lower");
        int target = Math.min(19, before + 5);
        AtomicInteger lowered = new AtomicInteger(-100);
        AtomicInteger child = new AtomicInteger(-100);
        AtomicInteger set = new AtomicInteger();
        Thread t =
                new Thread(
                        () -> {
                            set.set(ThreadNiceness.lowerCurrentThread(target) ? 1 : 0);
                            lowered.set(ThreadNiceness.currentNice());
                            Thread c = new Thread(() -> child.set(ThreadNiceness.currentNice()));
                            c.start();
                            try {
                                c.join();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        t.start();
        t.join();
        assertThat(set.get()).isEqualTo(1);
        assertThat(lowered.get()).isEqualTo(target);
        assertThat(child.get()).as("a thread started afterwards inherits it").isEqualTo(target);
        assertThat(ThreadNiceness.currentNice())
                .as("the caller's own thread is left alone")
                .isEqualTo(before);
    }

    @Test
    void zeroLeavesThePriorityAndOutOfRangeIsRefused() {
        assertThat(ThreadNiceness.lowerCurrentThread(0)).isFalse();
        assertThatThrownBy(() -> ThreadNiceness.lowerCurrentThread(20))
                .hasMessageContaining("0..19");
        assertThatThrownBy(() -> ThreadNiceness.lowerCurrentThread(-1))
                .hasMessageContaining("0..19");
    }
}
