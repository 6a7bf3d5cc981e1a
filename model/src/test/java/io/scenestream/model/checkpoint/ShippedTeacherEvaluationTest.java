package io.scenestream.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.scenestream.model.cli.EvaluateCommand;
import io.scenestream.model.train.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped teacher passes its probe and, on the held-out synthetic rooms its manifest was
 * evaluated on, scores that manifest's figures within a point here: the numbers this machine
 * computes are the numbers the teacher was shipped with.
 */
class ShippedTeacherEvaluationTest {

    @Test
    void teacherScoresItsManifestFiguresOnThisMachine() throws Exception {
        JsonObject shipped =
                JsonParser.parseString(Files.readString(Path.of("checkpoints", "manifest.json")))
                        .getAsJsonObject()
                        .getAsJsonObject("teacher")
                        .getAsJsonObject("evaluation")
                        .getAsJsonObject("a_synthetic_day_held_out");
        JsonObject metrics = shipped.getAsJsonObject("metrics");
        int frames = shipped.get("frames").getAsInt();
        Evaluation.Result r =
                EvaluateCommand.run(
                        "--checkpoint",
                        "checkpoints/teacher-w18.ckpt.zip",
                        "--data",
                        "synthetic:day",
                        "--seed",
                        "424242",
                        "--frames",
                        Integer.toString(frames),
                        "--size",
                        "256x320");
        assertThat(r.frames()).isEqualTo(frames);
        assertThat(r.metrics().get("miou"))
                .as("mIoU")
                .isCloseTo(
                        metrics.get("miou").getAsDouble(),
                        org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.metrics().get("rmse"))
                .as("depth RMSE, m")
                .isCloseTo(
                        metrics.get("rmse").getAsDouble(),
                        org.assertj.core.data.Offset.offset(0.01));
    }
}
