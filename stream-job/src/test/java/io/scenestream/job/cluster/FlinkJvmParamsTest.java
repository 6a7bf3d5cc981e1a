package io.scenestream.job.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flink's memory calculation, run as the start scripts run it, and the parsing of its output. */
class FlinkJvmParamsTest {

    @Test
    void parsesTheLastTwoResultLinesAmongLogOutput() throws IOException {
        String out =
                String.join(
                        "\n",
                        "INFO  [] - Loading configuration property: taskmanager.memory.process.size, 1600m",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx100 -Xms100 -XX:MaxDirectMemorySize=50 -XX:MaxMetaspaceSize=60",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.task.heap.size=40b -D taskmanager.cpu.cores=1.0",
                        "");
        FlinkJvmParams p = FlinkJvmParams.parse(out);
        assertThat(p.jvmArgs())
                .containsExactly(
                        "-Xmx100",
                        "-Xms100",
                        "-XX:MaxDirectMemorySize=50",
                        "-XX:MaxMetaspaceSize=60");
        assertThat(p.dynamicProperties())
                .containsExactly(
                        "-D",
                        "taskmanager.memory.task.heap.size=40b",
                        "-D",
                        "taskmanager.cpu.cores=1.0");
    }

    @Test
    void outputWithoutResultsIsAnErrorThatShowsIt() {
        assertThatThrownBy(() -> FlinkJvmParams.parse("Exception in thread main: bad memory\n"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("BASH_JAVA_UTILS_EXEC_RESULT")
                .hasMessageContaining("bad memory");
        assertThatThrownBy(
                        () ->
                                FlinkJvmParams.parse(
                                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1\nBASH_JAVA_UTILS_EXEC_RESULT:-D\n"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("dynamic properties");
    }

    /** The heap Flink computes for a TaskManager is its framework heap plus its task heap. */
    @Test
    void taskManagerHeapIsFrameworkPlusTaskHeap(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("config.yaml"),
                String.join(
                        "\n",
                        "taskmanager.memory.process.size: '1600m'",
                        "taskmanager.memory.managed.size: '0m'",
                        "taskmanager.numberOfTaskSlots: '2'",
                        ""));
        FlinkJvmParams p =
                FlinkJvmParams.compute(
                        FlinkJvmParams.Role.TASK_MANAGER,
                        ClusterSpec.currentJava(),
                        ClusterSpec.currentClasspath(),
                        dir,
                        Map.of("taskmanager.memory.task.off-heap.size", "128m"));
        Map<String, String> dynamic = new HashMap<>();
        List<String> d = p.dynamicProperties();
        for (int i = 0; i < d.size(); i += 2) {
            String[] kv = d.get(i + 1).split("=", 2);
            dynamic.put(kv[0], kv[1]);
        }
        long heap =
                bytes(dynamic.get("taskmanager.memory.framework.heap.size"))
                        + bytes(dynamic.get("taskmanager.memory.task.heap.size"));
        assertThat(p.jvmArgs()).contains("-Xmx" + heap, "-Xms" + heap);
        assertThat(dynamic)
                .containsEntry("taskmanager.memory.task.off-heap.size", (128L << 20) + "b")
                .containsEntry("taskmanager.memory.managed.size", "0b")
                .containsEntry("taskmanager.numberOfTaskSlots", "2");
    }

    @Test
    void anImpossibleMemoryConfigurationFailsWithFlinksReason(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("config.yaml"), "taskmanager.memory.process.size: '300m'\n");
        assertThatThrownBy(
                        () ->
                                FlinkJvmParams.compute(
                                        FlinkJvmParams.Role.TASK_MANAGER,
                                        ClusterSpec.currentJava(),
                                        ClusterSpec.currentClasspath(),
                                        dir,
                                        Map.of()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("memory calculation for the task manager failed");
    }

    private static long bytes(String v) {
        assertThat(v).endsWith("b");
        return Long.parseLong(v.substring(0, v.length() - 1));
    }
}
