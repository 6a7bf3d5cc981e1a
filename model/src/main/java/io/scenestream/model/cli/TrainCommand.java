package io.scenestream.model.cli;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.Size;
import io.scenestream.frames.data.Augmentation;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.frames.data.PhotometricAugmentation;
import io.scenestream.frames.data.SampleSource;
import io.scenestream.model.MtiNetConfig;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.data.BatchPrefetcher;
import io.scenestream.model.data.DataSpec;
import io.scenestream.model.loss.DistillationLoss;
import io.scenestream.model.nn.MtiNet;
import io.scenestream.model.train.Evaluation;
import io.scenestream.model.train.MtiNetTrainer;
import io.scenestream.model.train.OutputInit;
import io.scenestream.model.weights.StateDict;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains an MTI-Net configuration on a mix of data sources with the reference's optimiser, with a
 * progress bar, periodic evaluation and checkpoints; a run resumes from its last checkpoint.
 *
 * <p>Writes into {@code --out}: {@code last.ckpt.zip} (weights and optimiser state, to resume),
 * {@code model.ckpt.zip} (the final model, with its manifest: command, seed, steps, data,
 * evaluation) and {@code train-log.jsonl} (a JSON line per logged step and evaluation).
 *
 * <p>One command in one file: its options, data, loop, evaluation and checkpoints follow the order
 * of a training run.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train MTI-Net (Adam, weight decay, poly decay, deep supervision).")
public class TrainCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            description = "configuration: reference-tiny, w18, lite (default: ${DEFAULT-VALUE})")
    String model = "lite";

    @Option(
            names = "--name",
            description = "model name in the manifest (default: ${DEFAULT-VALUE})")
    String name = "student";

    @Option(
            names = "--data",
            required = true,
            description =
                    "sources, e.g. synthetic:day or nyud:PATH or synthetic:day;weight=3,nyud:PATH;tasks=semseg")
    String data;

    @Option(
            names = "--eval-data",
            description = "evaluation sources (default: held-out frames of the training sources)")
    String evalData;

    @Option(
            names = "--eval-frames",
            description = "frames per evaluation (default: ${DEFAULT-VALUE})")
    int evalFrames = 32;

    @Option(
            names = "--eval-every",
            description = "evaluate every N steps, 0 = only at the end (default: ${DEFAULT-VALUE})")
    int evalEvery = 0;

    @Option(
            names = "--size",
            description =
                    "training resolution HEIGHTxWIDTH, multiples of 32 (default: ${DEFAULT-VALUE})")
    String size = "256x320";

    @Option(names = "--steps", description = "optimisation steps (default: ${DEFAULT-VALUE})")
    Integer steps;

    @Option(names = "--epochs", description = "passes over a finite dataset, instead of --steps")
    Integer epochs;

    @Option(names = "--batch", description = "batch size (default: ${DEFAULT-VALUE})")
    int batch = 8;

    @Option(names = "--lr", description = "initial learning rate (default: ${DEFAULT-VALUE})")
    float lr = 1e-4f;

    @Option(names = "--weight-decay", description = "L2 weight decay (default: ${DEFAULT-VALUE})")
    float weightDecay = 1e-4f;

    @Option(
            names = "--poly-power",
            description = "poly learning-rate decay exponent (default: ${DEFAULT-VALUE})")
    float polyPower = 0.9f;

    @Option(
            names = "--seed",
            description =
                    "seed of initialisation, data order and augmentation (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(
            names = "--photometric",
            description =
                    "also change exposure, white balance, contrast, gamma and noise "
                            + "of training frames at random (a model that keeps working when the light changes)")
    boolean photometric;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(
            names = "--checkpoint-every",
            description = "save last.ckpt.zip every N steps (default: ${DEFAULT-VALUE})")
    int checkpointEvery = 100;

    @Option(
            names = "--init",
            description = "start from these weights (a .ckpt.zip or a reference .npz state dict)")
    Path init;

    @Option(
            names = "--distil",
            description =
                    "also learn from this teacher checkpoint's predictions on every batch: its "
                            + "softened class distributions everywhere, its depth where a frame has none "
                            + "(same tasks and classes as the model trained)")
    Path distil;

    @Option(
            names = "--distil-weight",
            description = "weight of the distillation terms (default: ${DEFAULT-VALUE})")
    float distilWeight = 1f;

    @Option(
            names = "--distil-temperature",
            description =
                    "temperature of the teacher's and the student's class distributions, at least 1 "
                            + "(default: ${DEFAULT-VALUE})")
    float distilTemperature = 2f;

    @Option(
            names = "--depth-prior",
            description =
                    "initial depth output of a model trained from scratch, metres (default: ${DEFAULT-VALUE})")
    float depthPrior = 2.5f;

    @Option(names = "--no-resume", description = "start over even if --out holds last.ckpt.zip")
    boolean noResume;

    @Option(
            names = "--pause-after",
            description =
                    "stop after this many steps of this run (checkpointed; run again to resume)")
    Integer pauseAfter;

    @Option(
            names = "--fp16",
            description = "store the final model's weights as float16 (half the size)")
    boolean fp16;

    @Option(
            names = "--prefetch",
            description =
                    "steps whose frames are made in advance on threads of their own, "
                            + "while a step trains (for a GPU, which trains faster than one thread renders); the batches are "
                            + "the same either way (default: ${DEFAULT-VALUE})")
    int prefetch = 0;

    @Option(
            names = "--prefetch-threads",
            description = "threads making frames ahead (default: the cores)")
    Integer prefetchThreads;

    /**
     * What a run did, for tests and callers.
     *
     * @param startStep steps already done when this run started (resumed)
     * @param steps steps done when it ended
     * @param checkpoint the final model, or last.ckpt.zip if the run paused
     */
    public record Result(
            int startStep,
            int steps,
            float firstLoss,
            float lastLoss,
            Path checkpoint,
            Evaluation.Result evaluation) {}

    private Result result;

    /** Parses {@code args} and trains; throws on bad options (as the command line reports them). */
    public static Result run(String... args) throws Exception {
        TrainCommand cmd = new TrainCommand();
        picocli.CommandLine cl = new picocli.CommandLine(cmd);
        cl.parseArgs(args);
        cmd.train();
        return cmd.result;
    }

    @Override
    public Integer call() throws Exception {
        train();
        return 0;
    }

    private void train() throws Exception {
        Size hw =
                Size.parse(size, Size.Order.HEIGHT_BY_WIDTH, "--size")
                        .requireMultipleOf(32, "--size");
        MtiNetConfig config = MtiNetConfig.named(model);
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be positive");
        }
        DataSpec spec = DataSpec.parse(data);
        Augmentation augmentation =
                photometric
                        ? Augmentation.reference()
                                .withPhotometric(PhotometricAugmentation.standard())
                        : Augmentation.reference();
        SampleSource train =
                spec.open(
                        seed,
                        augmentation,
                        (d, s, world) -> Sources.synthetic(d, s, world, augmentation));
        int total = totalSteps(train);
        DataSpec evalSpec = DataSpec.parse(evalData != null ? evalData : data);
        // Held out: another seed for synthetic worlds; NYUD frames without augmentation.
        SampleSource eval =
                evalSpec.open(
                        seed + 7_919, null, (d, s, world) -> Sources.synthetic(d, s, world, null));
        Files.createDirectories(out);
        Path last = out.resolve("last" + Checkpoints.EXTENSION);
        Path log = out.resolve("train-log.jsonl");
        PrintStream err = System.err;
        Engine.getInstance().setRandomSeed((int) seed);

        if (distil != null && !Files.isRegularFile(distil)) {
            throw new IOException("--distil " + distil + " does not exist");
        }
        try (Model djl = Model.newInstance(name);
                NDManager teacherManager = djl.getNDManager().newSubManager()) {
            Shape shape = new Shape(batch, 3, hw.height(), hw.width());
            MtiNet net;
            int start = 0;
            NDList optimizerState = null;
            NDManager stateManager = djl.getNDManager().newSubManager();
            if (!noResume && Files.exists(last)) {
                LoadedCheckpoint lc = Checkpoints.load(last, djl.getNDManager(), config);
                net = lc.net();
                Object s = lc.manifest().training().get("step");
                start = s instanceof Number n ? n.intValue() : 0;
                optimizerState = Checkpoints.readOptimizerState(last, stateManager);
                err.printf(Locale.ROOT, "resuming %s at step %d of %d%n", last, start, total);
            } else if (init != null) {
                net = initialWeights(djl, config, shape);
            } else {
                net = new MtiNet(config);
                net.initialize(djl.getNDManager(), DataType.FLOAT32, shape);
                OutputInit.apply(net, depthPrior, seed);
            }
            djl.setBlock(net);
            err.printf(
                    Locale.ROOT,
                    "training %s (%s, %,d parameters) on %s at %dx%d, batch %d, %d steps%n",
                    name,
                    model,
                    StateDict.countLearnable(net),
                    train.describe(),
                    hw.height(),
                    hw.width(),
                    batch,
                    total);

            MtiNetTrainer.Options options =
                    new MtiNetTrainer.Options(lr, weightDecay, total, polyPower, Map.of());
            float first = Float.NaN;
            float lastLoss = Float.NaN;
            Evaluation.Result evaluation = null;
            if (prefetch < 0 || (prefetchThreads != null && prefetchThreads <= 0)) {
                throw new IllegalArgumentException(
                        "--prefetch must be >= 0 and --prefetch-threads positive");
            }
            int threads =
                    prefetchThreads != null
                            ? prefetchThreads
                            : Runtime.getRuntime().availableProcessors();
            try (MtiNetTrainer trainer = new MtiNetTrainer(djl, options, shape);
                    BatchPrefetcher batches =
                            new BatchPrefetcher(
                                    train,
                                    batch,
                                    hw.height(),
                                    hw.width(),
                                    start + 1,
                                    prefetch,
                                    threads);
                    Writer logWriter =
                            Files.newBufferedWriter(
                                    log,
                                    StandardCharsets.UTF_8,
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.APPEND)) {
                if (optimizerState != null) {
                    trainer.restoreOptimizerState(optimizerState);
                }
                if (distil != null) {
                    LoadedCheckpoint teacher = Checkpoints.load(distil, teacherManager);
                    trainer.distilFrom(
                            teacher.net(),
                            new DistillationLoss(
                                    config, teacher.config(), distilWeight, distilTemperature));
                    err.printf(
                            Locale.ROOT,
                            "distilling %s (%s) at weight %s, temperature %s%n",
                            distil,
                            teacher.config().name(),
                            distilWeight,
                            distilTemperature);
                }
                stateManager.close();
                ProgressBar bar = new ProgressBar(err, start, total);
                Gson gson = new Gson();
                double smoothed = Double.NaN;
                int stop = pauseAfter == null ? total : Math.min(total, start + pauseAfter);
                for (int step = start + 1; step <= stop; step++) {
                    List<DenseSample> samples = batches.next();
                    MtiNetTrainer.StepResult r = trainer.step(samples);
                    if (Float.isNaN(first)) {
                        first = r.loss();
                    }
                    lastLoss = r.loss();
                    smoothed = Double.isNaN(smoothed) ? r.loss() : 0.9 * smoothed + 0.1 * r.loss();
                    bar.update(step, String.format(Locale.ROOT, "loss %.3f", smoothed));
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("loss", r.loss());
                    line.put("terms", r.terms());
                    logWriter.write(gson.toJson(line) + "\n");
                    boolean end = step == stop;
                    if ((evalEvery > 0 && step % evalEvery == 0) || end) {
                        evaluation =
                                Evaluation.run(
                                        net,
                                        djl.getNDManager(),
                                        eval,
                                        evalFrames,
                                        batch,
                                        hw.height(),
                                        hw.width(),
                                        hw.height(),
                                        hw.width(),
                                        null);
                        logWriter.write(
                                gson.toJson(Map.of("step", step, "eval", evaluation.metrics()))
                                        + "\n");
                        err.printf(
                                Locale.ROOT,
                                "%nstep %d evaluation on %d frames: %s%n",
                                step,
                                evaluation.frames(),
                                Sources.format(evaluation.metrics()));
                    }
                    logWriter.flush();
                    if (step % checkpointEvery == 0 || end) {
                        try (NDManager m = djl.getNDManager().newSubManager()) {
                            Checkpoints.save(
                                    last,
                                    net,
                                    manifest(config, hw, step, total, evaluation),
                                    DataType.FLOAT32,
                                    trainer.optimizerState(m));
                        }
                    }
                }
                if (start >= total) {
                    evaluation =
                            Evaluation.run(
                                    net,
                                    djl.getNDManager(),
                                    eval,
                                    evalFrames,
                                    batch,
                                    hw.height(),
                                    hw.width(),
                                    hw.height(),
                                    hw.width(),
                                    null);
                }
            }
            int done = pauseAfter == null ? total : Math.min(total, start + pauseAfter);
            Path written = last;
            if (done == total) {
                written = out.resolve("model" + Checkpoints.EXTENSION);
                Checkpoints.save(
                        written,
                        net,
                        manifest(config, hw, total, total, evaluation),
                        fp16 ? DataType.FLOAT16 : DataType.FLOAT32,
                        null);
                err.printf(Locale.ROOT, "wrote %s%n", written);
            } else {
                err.printf(
                        Locale.ROOT,
                        "paused at step %d of %d; run the same command to resume%n",
                        done,
                        total);
            }
            result = new Result(start, done, first, lastLoss, written, evaluation);
        }
    }

    private MtiNet initialWeights(Model djl, MtiNetConfig config, Shape shape) throws IOException {
        if (!Files.isRegularFile(init)) {
            throw new IOException("--init " + init + " does not exist");
        }
        if (init.getFileName().toString().endsWith(".npz")) {
            MtiNet net = new MtiNet(config);
            net.initialize(djl.getNDManager(), DataType.FLOAT32, shape);
            StateDict.load(net, init);
            return net;
        }
        return Checkpoints.load(init, djl.getNDManager(), config).net();
    }

    private int totalSteps(SampleSource train) {
        if (steps != null && epochs != null) {
            throw new IllegalArgumentException("give --steps or --epochs, not both");
        }
        if (steps != null) {
            if (steps <= 0) {
                throw new IllegalArgumentException("--steps must be positive");
            }
            return steps;
        }
        if (epochs != null) {
            if (epochs <= 0) {
                throw new IllegalArgumentException("--epochs must be positive");
            }
            if (train.size() < 0) {
                throw new IllegalArgumentException(
                        "--epochs needs a finite dataset; "
                                + train.describe()
                                + " is endless: use --steps");
            }
            return (int) Math.max(1, (epochs * train.size() + batch - 1) / batch);
        }
        throw new IllegalArgumentException("give --steps or --epochs");
    }

    private CheckpointManifest manifest(
            MtiNetConfig config, Size hw, int step, int total, Evaluation.Result eval) {
        Map<String, Object> training = new LinkedHashMap<>();
        List<String> args =
                spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
        String joined = String.join(" ", args);
        training.put(
                "command",
                "bin/scenestream-model "
                        + (joined.startsWith("train ") ? joined : "train " + joined));
        training.put("data", data);
        training.put("seed", seed);
        training.put("step", step);
        training.put("steps", total);
        training.put("batch", batch);
        if (distil != null) {
            training.put(
                    "distillation",
                    Map.of(
                            "teacher",
                            distil.getFileName().toString(),
                            "weight",
                            distilWeight,
                            "temperature",
                            distilTemperature));
        }
        training.put(
                "augmentation",
                photometric ? "flip, zoom 1.0/1.2/1.5, photometric" : "flip, zoom 1.0/1.2/1.5");
        training.put(
                "optimizer",
                Map.of(
                        "name",
                        "adam",
                        "lr",
                        lr,
                        "weight_decay",
                        weightDecay,
                        "poly_power",
                        polyPower));
        if (eval != null) {
            training.put(
                    "evaluation",
                    Map.of(
                            "data",
                            evalData != null ? evalData : data + " (held out)",
                            "frames",
                            eval.frames(),
                            "metrics",
                            eval.metrics()));
        }
        return CheckpointManifest.from(config)
                .setModelName(name)
                .setInputSize(hw.height(), hw.width())
                .optClassNames(
                        NyudDataset.CLASSES_13.size() == config.task("semseg").channels()
                                ? NyudDataset.CLASSES_13
                                : List.of())
                .optTraining(training)
                .build();
    }
}
