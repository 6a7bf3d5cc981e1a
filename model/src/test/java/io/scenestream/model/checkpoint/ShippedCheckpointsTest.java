package io.scenestream.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.SharedData;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.model.cli.ExportCommand;
import io.scenestream.model.inference.MtiNetPredictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checkpoints shipped under model/checkpoints load and predict, and carry the figures their
 * recipe reached on real frames it never trained on (their quality is in their manifest).
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
            carriesTheKFoldFiguresTheManifestQuotes(c.manifest(), name, architecture);
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

    /**
     * The checkpoint's own manifest holds the cross-validation of its recipe on real frames, and
     * model/checkpoints/manifest.json quotes the same figures: three folds, the mean theirs.
     */
    private static void carriesTheKFoldFiguresTheManifestQuotes(
            CheckpointManifest manifest, String name, String architecture) throws Exception {
        Map<?, ?> kFold = (Map<?, ?>) manifest.training().get(ExportCommand.K_FOLD);
        assertThat(kFold).as("%s's K-fold figures", name).isNotNull();
        List<String> options =
                ((List<?>) kFold.get("train_options")).stream().map(String::valueOf).toList();
        assertThat(options)
                .containsSubsequence("--model", architecture)
                .containsSubsequence("--name", name);
        Map<?, ?> miou = (Map<?, ?>) ((Map<?, ?>) kFold.get("metrics")).get("miou");
        List<?> folds = (List<?>) miou.get("folds");
        assertThat(folds).hasSize(3);
        double mean = folds.stream().mapToDouble(v -> (Double) v).average().orElseThrow();
        assertThat((Double) miou.get("mean")).isCloseTo(mean, Offset.offset(1e-9));
        JsonObject quoted =
                JsonParser.parseString(Files.readString(Path.of("checkpoints", "manifest.json")))
                        .getAsJsonObject()
                        .getAsJsonObject(name)
                        .getAsJsonObject("real_frames_k_fold")
                        .getAsJsonObject("metrics");
        assertThat(quoted.getAsJsonObject("miou").get("mean").getAsDouble())
                .isCloseTo((Double) miou.get("mean"), Offset.offset(1e-9));
        double rmse =
                (Double) ((Map<?, ?>) ((Map<?, ?>) kFold.get("metrics")).get("rmse")).get("mean");
        assertThat(quoted.getAsJsonObject("rmse").get("mean").getAsDouble())
                .isCloseTo(rmse, Offset.offset(1e-9));
    }
}
