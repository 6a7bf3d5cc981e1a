package io.scenestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FallingBehindTest {

    /**
     * A camera of 5 frames/s sampled every 2 s (10 frames a sample), predictions at {@code kept} of
     * that, a micro-batch of 4 (predictions arrive 4 at a time, so the backlog wobbles), latency
     * starting at {@code latency0} ms and growing by what the backlog adds; the warnings given.
     */
    private static List<String> run(double kept, double latency0, long maxLagMs, int n) {
        FallingBehind behind = new FallingBehind(10, 5_000);
        List<String> warnings = new ArrayList<>();
        double predicted = 0;
        for (int i = 1; i <= n; i++) {
            long sent = 10L * i;
            predicted = Math.min(sent, predicted + 10 * kept);
            long got = (long) (predicted / 4) * 4;
            double latency = latency0 + (sent - got) * 200;
            String w = behind.sample(sent, got, latency, 5 * kept, 5, maxLagMs);
            if (w != null) {
                warnings.add(w);
            }
        }
        return warnings;
    }

    @Test
    void aGrowingBacklogIsNamedOnceWithWhatToDo() {
        // 90% of the camera: 1 frame of backlog more every 2 s, latency past 5 s after ~50 s.
        List<String> warnings = run(0.9, 300, 0, 120);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0))
                .contains("falling behind")
                .contains("frames wait in Kafka")
                .contains("4.5 predictions/s for cameras of 5.0 frames/s")
                .contains("inference.max-lag-ms=1000");
    }

    @Test
    void aPipelineThatKeepsUpOrShedsIsLeftAlone() {
        // Keeps up: the backlog wobbles by a micro-batch, latency stays low.
        assertThat(run(1.0, 300, 0, 120)).isEmpty();
        // Behind, but late frames are shed and counted on the progress line.
        assertThat(run(0.9, 300, 1_000, 120)).isEmpty();
        // A high but steady latency (a slow model that keeps up) is no backlog.
        assertThat(run(1.0, 8_000, 0, 120)).isEmpty();
    }

    @Test
    void camerasThatSendAsFastAsTheyCanAreNotWarnedAbout() {
        FallingBehind behind = new FallingBehind(2, 5_000);
        for (int i = 1; i <= 10; i++) {
            assertThat(behind.sample(100L * i, 10L * i, 6_000 + i, 5, 0, 0)).isNull();
        }
        assertThatThrownBy(() -> new FallingBehind(0, 5_000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
