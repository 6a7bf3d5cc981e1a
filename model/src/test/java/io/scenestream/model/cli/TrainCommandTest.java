package io.scenestream.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import io.scenestream.frames.SharedData;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.train.Evaluation;
import io.scenestream.model.weights.StateDict;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

    private static final String NYUD = "nyud:" + SharedData.path("data/nyud-mini");

    private static String[] args(Path out, int steps, String... more) {
        String[] base = {
            "--model",
            "reference-tiny",
            "--data",
            NYUD,
            "--size",
            "64x96",
            "--batch",
            "2",
            "--steps",
            Integer.toString(steps),
            "--checkpoint-every",
            "2",
            "--eval-frames",
            "2",
            "--seed",
            "5",
            "--out",
            out.toString()
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aPausedRunResumesExactlyWhereAnUninterruptedRunWouldBe(@TempDir Path dir)
            throws Exception {
        TrainCommand.Result straight = TrainCommand.run(args(dir.resolve("a"), 4));
        assertThat(straight.startStep()).isZero();
        assertThat(straight.steps()).isEqualTo(4);
        assertThat(straight.checkpoint()).exists().hasFileName("model.ckpt.zip");

        TrainCommand.Result paused =
                TrainCommand.run(args(dir.resolve("b"), 4, "--pause-after", "2"));
        assertThat(paused.steps()).isEqualTo(2);
        assertThat(dir.resolve("b/model.ckpt.zip")).doesNotExist();
        TrainCommand.Result resumed = TrainCommand.run(args(dir.resolve("b"), 4));
        assertThat(resumed.startStep()).isEqualTo(2);
        assertThat(resumed.steps()).isEqualTo(4);

        try (NDManager m = NDManager.newBaseManager()) {
            LoadedCheckpoint a = Checkpoints.load(straight.checkpoint(), m);
            LoadedCheckpoint b = Checkpoints.load(resumed.checkpoint(), m);
            Map<String, ai.djl.nn.Parameter> pa = StateDict.parameters(a.net());
            Map<String, ai.djl.nn.Parameter> pb = StateDict.parameters(b.net());
            for (String k : pa.keySet()) {
                float max = pa.get(k).getArray().sub(pb.get(k).getArray()).abs().max().getFloat();
                assertThat(max).as(k).isLessThan(1e-5f);
            }
            CheckpointManifest manifest = a.manifest();
            assertThat(manifest.training())
                    .containsEntry("seed", 5L)
                    .containsEntry("steps", 4L)
                    .containsKey("evaluation");
            assertThat((String) manifest.training().get("data")).startsWith("nyud:");
            assertThat(manifest.classNames()).hasSize(13).contains("wall", "floor");
        }
        assertThat(Files.readAllLines(dir.resolve("a/train-log.jsonl"))).hasSize(5);
    }

    @Test
    void evaluateReportsTheMetricsAndWritesJson(@TempDir Path dir) throws Exception {
        TrainCommand.Result trained = TrainCommand.run(args(dir.resolve("t"), 2));
        Path json = dir.resolve("eval.json");
        Evaluation.Result r =
                EvaluateCommand.run(
                        "--checkpoint",
                        trained.checkpoint().toString(),
                        "--data",
                        NYUD,
                        "--frames",
                        "3",
                        "--json",
                        json.toString(),
                        "--panels",
                        dir.resolve("panels").toString(),
                        "--panel-count",
                        "2");
        assertThat(r.frames()).isEqualTo(3);
        assertThat(r.metrics())
                .containsKeys("miou", "pixel_acc", "rmse", "abs_rel", "delta1", "delta2", "delta3");
        assertThat(r.get("pixel_acc")).isBetween(0.0, 1.0);
        assertThat(Files.readString(json)).contains("\"miou\"").contains("\"label_size\"");
        assertThat(EvaluateCommand.table(r.metrics())).contains("mIoU").contains("RMSE");
        assertThat(dir.resolve("panels/panel-000.png")).exists();
        assertThat(dir.resolve("panels/panel-001.png")).exists();
        assertThat(dir.resolve("panels/panel-002.png")).doesNotExist();
    }

    @Test
    void aDistilledRunLearnsTheTeachersTermsAndNamesItsTeacher(@TempDir Path dir) throws Exception {
        Path teacher = Path.of("checkpoints", "student-lite.ckpt.zip");
        TrainCommand.Result r =
                TrainCommand.run(
                        args(
                                dir.resolve("d"),
                                2,
                                "--distil",
                                teacher.toString(),
                                "--distil-weight",
                                "0.5"));
        assertThat(r.steps()).isEqualTo(2);
        List<String> steps =
                Files.readAllLines(dir.resolve("d/train-log.jsonl")).stream()
                        .filter(l -> l.contains("\"terms\""))
                        .toList();
        assertThat(steps).hasSize(2);
        for (String line : steps) {
            com.google.gson.JsonObject terms =
                    JsonParser.parseString(line).getAsJsonObject().getAsJsonObject("terms");
            assertThat(terms.get("distil_semseg").getAsFloat()).isPositive();
            assertThat(terms.get("semseg").getAsFloat()).isPositive();
        }
        Map<String, Object> training = Checkpoints.readManifest(r.checkpoint()).training();
        assertThat(training.get("distillation").toString())
                .contains("student-lite.ckpt.zip")
                .contains("0.5");
        String[] missing =
                args(dir.resolve("e"), 1, "--distil", dir.resolve("none.ckpt.zip").toString());
        String[] command = new String[missing.length + 1];
        command[0] = "train";
        System.arraycopy(missing, 0, command, 1, missing.length);
        assertThat(exec(command)).startsWith("2|").contains("none.ckpt.zip");
    }

    @Test
    void badOptionsAndBadFilesExitWithCodeTwoAndAClearMessage(@TempDir Path dir) throws Exception {
        assertThat(exec("train", "--data", NYUD)).startsWith("2|").contains("--out");
        assertThat(
                        exec(
                                "train",
                                "--data",
                                NYUD,
                                "--out",
                                dir.toString(),
                                "--steps",
                                "1",
                                "--size",
                                "100x96"))
                .startsWith("2|")
                .contains("multiples of 32");
        assertThat(
                        exec(
                                "train",
                                "--data",
                                NYUD,
                                "--out",
                                dir.toString(),
                                "--steps",
                                "1",
                                "--model",
                                "w99"))
                .startsWith("2|")
                .contains("unknown model configuration 'w99'");
        assertThat(exec("train", "--data", "imagenet:/x", "--out", dir.toString(), "--steps", "1"))
                .startsWith("2|")
                .contains("unknown data source kind 'imagenet'");
        assertThat(
                        exec(
                                "train",
                                "--data",
                                "nyud:/nowhere",
                                "--out",
                                dir.toString(),
                                "--steps",
                                "1"))
                .startsWith("2|")
                .contains("/nowhere");
        assertThat(
                        exec(
                                "evaluate",
                                "--checkpoint",
                                dir.resolve("missing.ckpt.zip").toString(),
                                "--data",
                                NYUD))
                .startsWith("2|")
                .contains("missing.ckpt.zip");
        Path junk = dir.resolve("junk.ckpt.zip");
        Files.writeString(junk, "not a checkpoint");
        assertThat(exec("evaluate", "--checkpoint", junk.toString(), "--data", NYUD))
                .startsWith("2|")
                .contains("junk.ckpt.zip");
        // A checkpoint of another architecture cannot be resumed into this one.
        TrainCommand.Result tiny = TrainCommand.run(args(dir.resolve("tiny"), 1));
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.copy(tiny.checkpoint(), other.resolve("last.ckpt.zip"));
        assertThat(
                        exec(
                                "train",
                                "--model",
                                "lite",
                                "--data",
                                NYUD,
                                "--size",
                                "64x96",
                                "--steps",
                                "1",
                                "--out",
                                other.toString()))
                .startsWith("2|")
                .contains("reference-tiny")
                .contains("lite");
    }

    private static String exec(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = ModelCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new ByteArrayOutputStream(), true));
        int code = cl.execute(args);
        return code + "|" + err;
    }
}
