package io.scenestream.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.model.inference.MtiNetPredictor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checkpoints shipped under model/checkpoints load and predict (their quality is in their
 * manifest).
 */
class ShippedCheckpointsTest {

    @ParameterizedTest
    @CsvSource({"student-lite.ckpt.zip, student, lite", "teacher-w18.ckpt.zip, teacher, w18"})
    void loadsAndPredicts(String file, String name, String architecture) throws Exception {
        Path path = Path.of("checkpoints").resolve(file);
        DenseSample s = new NyudDataset(SharedData.path("data/nyud-mini"), 13, "val").read("0001");
        try (NDManager m = NDManager.newBaseManager()) {
            LoadedCheckpoint c = Checkpoints.load(path, m);
            assertThat(c.manifest().modelName()).isEqualTo(name);
            assertThat(c.config().name()).isEqualTo(architecture);
            assertThat(c.manifest().classNames()).isEqualTo(NyudDataset.CLASSES_13);
            assertThat(c.manifest().training())
                    .containsKeys("command", "seed", "step", "steps", "data");
            try (MtiNetPredictor p =
                    new MtiNetPredictor(
                            c.net(),
                            m,
                            c.manifest().inputHeight(),
                            c.manifest().inputWidth(),
                            false)) {
                FramePrediction f =
                        p.predict(List.of(new RgbFrame(s.width(), s.height(), s.rgb()))).get(0);
                assertThat(f.width()).isEqualTo(c.manifest().inputWidth());
                double mean = 0;
                for (float d : f.depth()) {
                    mean += d;
                }
                mean /= f.depth().length;
                assertThat(mean).as("mean predicted depth, m").isBetween(0.3, 15.0);
                assertThat(f.meanConfidence()).isBetween(1.0 / 13, 1.0);
            }
        }
    }
}
