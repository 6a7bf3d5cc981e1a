package io.scenestream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.scenestream.frames.SharedData;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.data.DataSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * K folds of real frames: each tested on its own, summed up, resumed without retraining, and quoted
 * by the manifest of a checkpoint exported with the summary.
 */
class CrossValidateCommandTest {

    private static final String NYUD = "nyud:" + SharedData.path("data/nyud-mini");

    private static String[] args(Path out, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--real",
                                NYUD,
                                "--folds",
                                "3",
                                "--out",
                                out.toString(),
                                "--",
                                "--model",
                                "reference-tiny",
                                "--size",
                                "64x96",
                                "--batch",
                                "2",
                                "--steps",
                                "1",
                                "--eval-frames",
                                "2",
                                "--seed",
                                "5"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void eachFoldIsTestedOnItsOwnFramesAndTheSummaryIsTheirMean(@TempDir Path dir)
            throws Exception {
        CrossValidateCommand.Result r = CrossValidateCommand.run(args(dir));
        assertThat(r.finished()).isTrue();
        List<Double> miou = new ArrayList<>();
        for (int f = 1; f <= 3; f++) {
            JsonObject test = read(dir.resolve("fold" + f).resolve("test.json"));
            assertThat(test.get("data").getAsString())
                    .endsWith(";folds=3;fold=" + f + ";part=test");
            assertThat(test.get("frames").getAsInt()).isEqualTo(9);
            assertThat(dir.resolve("fold" + f).resolve("model.ckpt.zip")).exists();
            miou.add(test.getAsJsonObject("metrics").get("miou").getAsDouble());
        }
        double mean = (miou.get(0) + miou.get(1) + miou.get(2)) / 3;
        double sd = 0;
        for (double v : miou) {
            sd += (v - mean) * (v - mean) / 2;
        }
        CrossValidateCommand.Spread s = r.metrics().get("miou");
        assertThat(s.folds()).isEqualTo(miou);
        assertThat(s.mean()).isCloseTo(mean, Offset.offset(1e-12));
        assertThat(s.sd()).isCloseTo(Math.sqrt(sd), Offset.offset(1e-12));
        assertThat(r.metrics()).containsKeys("rmse", "abs_rel", "delta1");
        assertThat(r.classIou()).isNotEmpty().containsKey("wall");

        JsonObject summary = read(dir.resolve("crossval.json"));
        assertThat(
                        summary.getAsJsonObject("metrics")
                                .getAsJsonObject("miou")
                                .get("mean")
                                .getAsDouble())
                .isCloseTo(mean, Offset.offset(1e-9));

        // Run again: every fold has its figures, nothing is trained again, the summary is the same.
        Path model = dir.resolve("fold2").resolve("model.ckpt.zip");
        FileTime before = Files.getLastModifiedTime(model);
        Thread.sleep(20);
        CrossValidateCommand.Result again = CrossValidateCommand.run(args(dir));
        assertThat(Files.getLastModifiedTime(model)).isEqualTo(before);
        assertThat(again.metrics().get("miou")).isEqualTo(s);

        // A checkpoint of the recipe carries the summary in its manifest.
        Path exported = dir.resolve("exported.ckpt.zip");
        CheckpointManifest m =
                ExportCommand.run(
                        "--checkpoint",
                        model.toString(),
                        "--out",
                        exported.toString(),
                        "--crossval",
                        dir.resolve("crossval.json").toString());
        try (NDManager nd = NDManager.newBaseManager()) {
            CheckpointManifest read = Checkpoints.load(exported, nd).manifest();
            assertThat(read).isEqualTo(m);
            Map<?, ?> kFold = (Map<?, ?>) read.training().get(ExportCommand.K_FOLD);
            Map<?, ?> kFoldMiou = (Map<?, ?>) ((Map<?, ?>) kFold.get("metrics")).get("miou");
            assertThat((Double) kFoldMiou.get("mean")).isCloseTo(mean, Offset.offset(1e-9));
            assertThat((List<?>) kFoldMiou.get("folds")).hasSize(3);
            assertThat(read.training()).containsKeys("command", "seed", "step");
        }
        refusesSummariesOfOtherRecipes(dir);

        // A fold's model saw the other folds' frames: starting folds from it is refused.
        assertThatThrownBy(
                        () ->
                                CrossValidateCommand.run(
                                        args(dir.resolve("again"), "--init", model.toString())))
                .hasMessageContaining("--init " + model + " was trained on the real frames of")
                .hasMessageContaining("no fold's test frames would be unseen");
        assertThat(dir.resolve("again")).doesNotExist();
    }

    /** A summary of another recipe, or a file that is no summary, is refused on export. */
    private static void refusesSummariesOfOtherRecipes(Path dir) throws Exception {
        String model = dir.resolve("fold1").resolve("model.ckpt.zip").toString();
        String out = dir.resolve("refused.ckpt.zip").toString();
        Path other = dir.resolve("other.json");
        Files.writeString(
                other,
                Files.readString(dir.resolve("crossval.json"))
                        .replace("\"reference-tiny\"", "\"lite\""));
        for (Map.Entry<Path, String> refused :
                Map.of(
                                other,
                                "cross-validated student (lite), not this checkpoint's student (reference-tiny)",
                                dir.resolve("fold1").resolve("test.json"),
                                "is not the summary crossval writes")
                        .entrySet()) {
            assertThatThrownBy(
                            () ->
                                    ExportCommand.run(
                                            "--checkpoint",
                                            model,
                                            "--out",
                                            out,
                                            "--crossval",
                                            refused.getKey().toString()))
                    .hasMessageContaining(refused.getValue());
        }
        assertThat(Path.of(out)).doesNotExist();
    }

    @Test
    void oneWorldTakesTheRestOfTheMixAndSeveralShareItByTheirWeights() {
        assertThat(
                        CrossValidateCommand.mix(
                                "synthetic:day;camera=handheld", "nyud:X;folds=3;fold=1", 0.3))
                .isEqualTo(
                        "synthetic:day;camera=handheld;weight=0.7,nyud:X;folds=3;fold=1;weight=0.3");
        String mix =
                CrossValidateCommand.mix(
                        "synthetic:day;weight=1, synthetic:night;weight=3;camera=handheld",
                        "nyud:X;folds=3;fold=1",
                        0.2);
        assertThat(mix)
                .isEqualTo(
                        "synthetic:day;weight=0.2,synthetic:night;camera=handheld;weight=0.6,"
                                + "nyud:X;folds=3;fold=1;weight=0.2");
        List<DataSpec.Entry> entries = DataSpec.parse(mix).entries();
        assertThat(entries).extracting(DataSpec.Entry::weight).containsExactly(0.2, 0.6, 0.2);
        assertThat(entries.get(1).options()).containsEntry("camera", "handheld");
    }

    @Test
    void badOptionsAreNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> CrossValidateCommand.run(args(dir, "--data", NYUD)))
                .hasMessageContaining("crossval sets --data");
        assertThatThrownBy(
                        () ->
                                CrossValidateCommand.run(
                                        "--real", NYUD, "--folds", "1", "--out", dir.toString()))
                .hasMessageContaining("--folds must be 2 or more");
        assertThatThrownBy(
                        () ->
                                CrossValidateCommand.run(
                                        "--real", "synthetic:day", "--out", dir.toString()))
                .hasMessageContaining("--real must be one nyud:PATH entry");
        assertThatThrownBy(
                        () ->
                                CrossValidateCommand.run(
                                        "--real",
                                        NYUD,
                                        "--synthetic",
                                        "synthetic:day;rooms=tidy",
                                        "--out",
                                        dir.toString()))
                .hasMessageContaining("unknown rooms 'tidy'");
    }

    private static JsonObject read(Path p) throws Exception {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }
}
