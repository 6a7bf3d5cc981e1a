package io.scenestream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.scenestream.kafka.flink.RawRecord;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.operators.CameraOfRecord;
import java.util.List;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipelineBenchmarkTest {

    /**
     * The benchmark's cameras keep every inference subtask busy: routed as the job routes records
     * (its key selector on a frame record, Flink's key groups at the operator's default maximum
     * parallelism), the c-th camera lands on subtask c % parallelism.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void camerasAreSpreadEvenlyOverTheInferenceSubtasks(int parallelism) {
        List<String> ids =
                PipelineBenchmark.camerasSpreadOver("throughput-", 2 * parallelism, parallelism);
        assertThat(ids)
                .hasSize(2 * parallelism)
                .doesNotHaveDuplicates()
                .allMatch(id -> id.startsWith("throughput-"));
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
        for (int c = 0; c < ids.size(); c++) {
            Frame frame =
                    Frame.newBuilder()
                            .setCameraId(ids.get(c))
                            .setSequence(0)
                            .setWidth(2)
                            .setHeight(2)
                            .setEncoding(Encoding.RAW_RGB8)
                            .setPayload(ByteString.copyFrom(new byte[12]))
                            .build();
            String key =
                    new CameraOfRecord()
                            .getKey(new RawRecord("frames", 0, c, 0, null, frame.toByteArray()));
            assertThat(
                            KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                    key, maxParallelism, parallelism))
                    .as("subtask of camera %s", ids.get(c))
                    .isEqualTo(c % parallelism);
        }
    }
}
