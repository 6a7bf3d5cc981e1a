package io.scenestream.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's spec: checked options, saved and read back, its Flink configuration. */
class ClusterSpecTest {

    private static ClusterSpec spec(
            Path dir, int taskManagers, int slots, String tmMemory, int restPort) {
        return new ClusterSpec(
                dir,
                "a.jar:b.jar",
                null,
                "java",
                taskManagers,
                slots,
                "1g",
                tmMemory,
                "512m",
                0,
                0,
                0,
                restPort,
                Map.of("heartbeat.timeout", "5000"),
                Map.of("OMP_NUM_THREADS", "1"));
    }

    @Test
    void badOptionsNameTheOption(@TempDir Path dir) {
        assertThatThrownBy(() -> spec(dir, 0, 1, "2g", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--taskmanagers must be at least 1, got 0");
        assertThatThrownBy(() -> spec(dir, 1, 0, "2g", 0))
                .hasMessage("--slots must be at least 1, got 0");
        assertThatThrownBy(() -> spec(dir, 1, 1, "lots", 0))
                .hasMessage("--taskmanager-memory must be a size such as 512m or 2g, got lots");
        assertThatThrownBy(() -> spec(dir, 1, 1, "2g", 70000))
                .hasMessage("--rest-port must be a port (0 for a free one), got 70000");
    }

    @Test
    void savedAndReadBack(@TempDir Path dir) throws IOException {
        ClusterSpec s = spec(dir, 3, 2, "1600m", 8082);
        s.save(dir.resolve("cluster.properties"));
        ClusterSpec back = ClusterSpec.load(dir, dir.resolve("cluster.properties"));
        assertThat(back).isEqualTo(s);
        assertThat(back.kafkaClasspath())
                .as("defaults to the Flink classpath")
                .isEqualTo("a.jar:b.jar");
        assertThatThrownBy(
                        () ->
                                ClusterSpec.load(
                                        dir.resolve("none"),
                                        dir.resolve("none/cluster.properties")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("start one first");
    }

    @Test
    void theSpecsOwnFlinkOptionsWin(@TempDir Path dir) {
        Map<String, String> c = StandaloneCluster.flinkConfiguration(spec(dir, 2, 4, "3g", 8082));
        assertThat(c)
                .containsEntry("heartbeat.timeout", "5000")
                .containsEntry("taskmanager.numberOfTaskSlots", "4")
                .containsEntry("taskmanager.memory.process.size", "3g")
                .containsEntry("rest.port", "8082")
                .containsEntry("classloader.resolve-order", "parent-first")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1");
        assertThat(c.get("env.java.default-opts.all")).contains("-Dai.djl.offline=true");
    }
}
