package io.scenestream.tools;

import ai.djl.Model;
import com.google.gson.GsonBuilder;
import com.google.protobuf.ByteString;
import io.scenestream.broker.EmbeddedKafka;
import io.scenestream.frames.DenseSample;
import io.scenestream.frames.FramePrediction;
import io.scenestream.frames.RgbFrame;
import io.scenestream.frames.data.NyudDataset;
import io.scenestream.job.AdaptationProgress;
import io.scenestream.job.ConsoleOptions;
import io.scenestream.job.JobOptions;
import io.scenestream.job.JobSettings;
import io.scenestream.job.Jobs;
import io.scenestream.job.LocalPipeline;
import io.scenestream.kafka.proto.Encoding;
import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.serde.FramePixels;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.kafka.serde.PredictionMaps;
import io.scenestream.model.Task;
import io.scenestream.model.checkpoint.CheckpointManifest;
import io.scenestream.model.checkpoint.Checkpoints;
import io.scenestream.model.checkpoint.LoadedCheckpoint;
import io.scenestream.model.inference.MtiNetPredictor;
import io.scenestream.model.metrics.DepthMetrics;
import io.scenestream.model.metrics.SegmentationMetrics;
import io.scenestream.operators.RoundSummary;
import io.scenestream.synthetic.ShiftSchedule;
import io.scenestream.synthetic.SyntheticStream;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Shows online adaptation working: streams a camera whose ground truth is known (the synthetic
 * world under a domain-shift schedule, or NYUD frames) through the real job with self-training on,
 * scores the predictions the job emits (the adapting student) window by window, and scores the
 * frozen student and the teacher on the same frames (after the run, so they do not take CPU from
 * it). Writes JSON and a PNG plot of mIoU and depth RMSE over the stream.
 *
 * <p>One file: the evaluation protocol (stream, score windows, summarise, plot) is one procedure
 * whose parts share its windows and rounds.
 */
@Command(
        name = "adapt-eval",
        mixinStandardHelpOptions = true,
        description =
                "Adapting vs frozen student vs teacher over a domain-shifted stream through the real job.")
public final class AdaptEval implements Callable<Integer> {

    @Option(names = "--student", description = "student checkpoint (default: ${DEFAULT-VALUE})")
    Path student = Path.of("model/checkpoints/student-lite.ckpt.zip");

    @Option(names = "--teacher", description = "teacher checkpoint (default: ${DEFAULT-VALUE})")
    Path teacher = Path.of("model/checkpoints/teacher-w18.ckpt.zip");

    @Option(
            names = "--schedule",
            description =
                    "synthetic camera's domains; several cameras: one schedule each, separated by"
                            + " ';' (default: ${DEFAULT-VALUE})")
    String schedule = "day:300,night:1200,haze:1200";

    @Option(
            names = "--nyud",
            description = "stream these NYUD frames (looped) instead of the synthetic camera")
    Path nyud;

    @Option(
            names = "--frames",
            description =
                    "frames to stream per camera; 0 = its schedule's length (default: ${DEFAULT-VALUE})")
    long frames = 0;

    @Option(names = "--fps", description = "frame rate of each camera (default: ${DEFAULT-VALUE})")
    double fps = 5;

    @Option(
            names = "--window",
            description = "frames per reported window (default: ${DEFAULT-VALUE})")
    int window = 150;

    @Option(
            names = "--eval-every",
            description =
                    "adapting student, frozen student and teacher scored on every n-th frame (default: ${DEFAULT-VALUE})")
    int evalEvery = 3;

    @Option(
            names = "--seed",
            description =
                    "camera seed; camera N of several takes seed + N - 1 (default: ${DEFAULT-VALUE})")
    long seed = 4242;

    @Option(
            names = "--out",
            description =
                    "folder of adapt-eval.json and adapt-eval.png (default: ${DEFAULT-VALUE})")
    Path out = Path.of("out/adapt-eval");

    @Mixin ConsoleOptions console = new ConsoleOptions();

    @Option(
            names = {"-D"},
            description = "a job option KEY=VALUE (see JobOptions)")
    Map<String, String> jobOptions = Map.of();

    private CheckpointManifest manifest;
    private int h;
    private int w;
    private NyudDataset nyudDataset;

    /** The cameras streamed, each with its schedule and windows. */
    private final List<EvalCamera> cameras = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(Jobs.run(new AdaptEval(), "adapt-eval", args));
    }

    /** Metrics of one model over one window of frames. */
    @Option(
            names = "--adapt-warn-after",
            description =
                    "warn, saying why, if no self-training round has finished "
                            + "after this many seconds of streaming (default: ${DEFAULT-VALUE})")
    long warnAfter = 120;

    /** A self-training round and the frames streamed when it was reported. */
    private record RoundAt(long frame, RoundSummary round) {}

    private final List<RoundAt> roundHistory = new ArrayList<>();

    /**
     * What inference kept while adaptation ran: every prediction's model time per frame and
     * capture-to-emit latency, ms, and the first and last emission times, µs.
     */
    private final List<Float> inferenceMs = new ArrayList<>();

    private final List<Float> latencyMs = new ArrayList<>();
    private long firstEmitUs = Long.MAX_VALUE;
    private long lastEmitUs = Long.MIN_VALUE;
    private long emitted;

    /** Frames on which the frozen student, or the teacher, scored directly gave NaN or Inf. */
    private final long[] nonFiniteFrozen = {0};

    private final long[] nonFiniteTeacher = {0};

    private static final class Score {
        final SegmentationMetrics seg;
        final DepthMetrics depth = new DepthMetrics();
        long frames;

        Score(int classes) {
            seg = new SegmentationMetrics(classes);
        }

        void add(DenseSample truth, byte[] classes, float[] metres) {
            int[] c = new int[classes.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = classes[i] & 0xff;
            }
            seg.update(c, truth.semseg());
            depth.update(metres, truth.depth());
            frames++;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", frames);
            if (frames > 0) {
                m.put("miou", seg.meanIou());
                m.put("pixel_acc", seg.pixelAccuracy());
                m.put("rmse", depth.rmse());
                m.put("abs_rel", depth.absRel());
            }
            return m;
        }
    }

    /** One window of the stream. */
    private final class Window {
        final long start;
        final String domain;
        final Score adapting;
        final Score frozen;
        final Score teacherScore;
        long maxVersion;

        Window(long start, String domain, int classes) {
            this.start = start;
            this.domain = domain;
            adapting = new Score(classes);
            frozen = new Score(classes);
            teacherScore = new Score(classes);
        }
    }

    @Override
    public Integer call() throws Exception {
        console.setUp(out);
        for (Path p : List.of(student, teacher)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException(
                        "checkpoint "
                                + p
                                + " does not exist (the shipped ones are in model/checkpoints: docs/model.md)");
            }
        }
        if (fps <= 0 || window < 1 || evalEvery < 1) {
            throw new IllegalArgumentException("--fps, --window and --eval-every must be positive");
        }
        manifest = Checkpoints.readManifest(student);
        h = manifest.inputHeight();
        w = manifest.inputWidth();
        int classes =
                manifest.architecture().tasks().stream()
                        .filter(t -> t.kind() == Task.Kind.SEGMENTATION)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the student has no segmentation task"))
                        .channels();
        if (nyud != null) {
            nyudDataset = new NyudDataset(nyud, classes, "val");
            cameras.add(
                    new EvalCamera(
                            "eval-camera",
                            null,
                            seed,
                            frames > 0 ? frames : 10L * nyudDataset.ids().size(),
                            classes));
        } else {
            String[] schedules = schedule.split(";");
            for (int i = 0; i < schedules.length; i++) {
                String id = schedules.length == 1 ? "eval-camera" : "camera-" + (i + 1);
                ShiftSchedule shift = ShiftSchedule.parse(schedules[i].trim());
                long n = frames;
                if (n <= 0) {
                    n = shift.segments().stream().mapToLong(ShiftSchedule.Segment::frames).sum();
                    if (n <= 0) {
                        throw new IllegalArgumentException(
                                "--schedule " + schedules[i] + " has an open end: give --frames");
                    }
                }
                cameras.add(new EvalCamera(id, schedules[i].trim(), seed + i, n, classes));
            }
        }
        Files.createDirectories(out);

        long t0 = System.nanoTime();
        streamThroughJob();
        double streamSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "streamed %d frames of %d camera(s) through the job in %.0f s; scoring the frozen"
                        + " student and the teacher%n",
                cameras.stream().mapToLong(c -> c.frames).sum(),
                cameras.size(),
                streamSeconds);
        Map<String, Object> kept = inferenceKept();
        System.out.printf(
                Locale.ROOT,
                "inference: %.2f predictions/s for cameras of %.1f frames/s together (%.0f%% kept), latency"
                        + " p50 %.0f ms p99 %.0f ms, model %.0f ms a frame (p50)%n",
                kept.get("predictions_per_second"),
                kept.get("camera_fps"),
                100 * (double) kept.get("camera_rate_kept"),
                kept.get("latency_p50_ms"),
                kept.get("latency_p99_ms"),
                kept.get("inference_ms_per_frame_p50"));
        for (EvalCamera c : cameras) {
            scoreDirectly(student, c, true);
            scoreDirectly(teacher, c, false);
        }

        Map<String, Object> report = report(streamSeconds);
        Path json = out.resolve("adapt-eval.json");
        Files.writeString(
                json,
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create()
                        .toJson(report),
                StandardCharsets.UTF_8);
        List<Path> pngs = new ArrayList<>();
        for (EvalCamera c : cameras) {
            Path png =
                    out.resolve(
                            cameras.size() == 1 ? "adapt-eval.png" : "adapt-eval-" + c.id + ".png");
            plot(c, png);
            pngs.add(png);
            printTable(c);
        }
        System.out.println(
                "summary: "
                        + new GsonBuilder()
                                .serializeSpecialFloatingPointValues()
                                .create()
                                .toJson(report.get("summary")));
        System.out.printf(Locale.ROOT, "wrote %s and %s%n", json, pngs);
        String failure = failure(report);
        if (failure != null) {
            System.err.println("adapt-eval: failed: " + failure);
            return 1;
        }
        return 0;
    }

    /**
     * Null if every model gave finite outputs and every figure of the summary is a number; else
     * what was not, in words.
     */
    private String failure(Map<String, Object> report) {
        for (Map.Entry<String, long[]> e :
                Map.of("the frozen student", nonFiniteFrozen, "the teacher", nonFiniteTeacher)
                        .entrySet()) {
            if (e.getValue()[0] > 0) {
                return e.getKey()
                        + "'s outputs are NaN or infinite on "
                        + e.getValue()[0]
                        + " frames: its numbers are wrong on this machine or its weights are broken";
            }
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> summary = (List<Map<String, Object>>) report.get("summary");
        for (Map<String, Object> segment : summary) {
            String bad = nonFiniteIn(segment, "");
            if (bad != null) {
                return "the summary's "
                        + bad
                        + " ("
                        + segment.get("camera")
                        + ", domain "
                        + segment.get("domain")
                        + ") is not a number";
            }
        }
        return null;
    }

    private static String nonFiniteIn(Map<?, ?> map, String prefix) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() instanceof Double d && !Double.isFinite(d)) {
                return prefix + e.getKey();
            }
            if (e.getValue() instanceof Map<?, ?> inner) {
                String bad = nonFiniteIn(inner, prefix + e.getKey() + ".");
                if (bad != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    /**
     * One camera of the evaluation: its schedule (or NYUD's frames), its windows of scores, and the
     * ground truth of its frames in flight.
     */
    private final class EvalCamera {
        final String id;
        final String schedule;
        final ShiftSchedule shift;
        final long seed;
        final long frames;
        final List<Window> windows = new ArrayList<>();
        final ConcurrentHashMap<Long, DenseSample> truth = new ConcurrentHashMap<>();
        final AtomicLong sent = new AtomicLong();
        long received;
        Window latest;

        EvalCamera(String id, String schedule, long seed, long frames, int classes) {
            this.id = id;
            this.schedule = schedule;
            this.shift = schedule == null ? null : ShiftSchedule.parse(schedule);
            this.seed = seed;
            this.frames = frames;
            for (long s = 0; s < frames; s += window) {
                windows.add(new Window(s, domainAt(s), classes));
            }
        }

        String domainAt(long frame) {
            return shift == null ? "nyud" : shift.nameAt(frame);
        }

        String describe() {
            return shift == null
                    ? "nyud:" + nyud
                    : "synthetic schedule " + schedule + ", seed " + seed;
        }

        /** A fresh source of this camera's frames, from its first (deterministic). */
        Source source() {
            return new Source();
        }

        /** Frame after frame of the camera, with its ground truth. */
        final class Source {
            private final SyntheticStream stream =
                    shift == null ? null : new SyntheticStream(seed, h, w, shift);
            private long next;

            DenseSample next() throws IOException {
                DenseSample s;
                if (stream != null) {
                    s = stream.next();
                } else {
                    List<String> ids = nyudDataset.ids();
                    s = nyudDataset.read(ids.get((int) (next % ids.size()))).resize(h, w);
                }
                next++;
                return s;
            }
        }
    }

    /** The camera of a round: its scope's, or for the fleet the first. */
    private EvalCamera cameraOf(RoundSummary r) {
        for (EvalCamera c : cameras) {
            if (c.id.equals(r.scope())) {
                return c;
            }
        }
        return cameras.get(0);
    }

    /** A frame as the camera sends it: JPEG at quality 0.9. */
    private static byte[] jpeg(DenseSample s) {
        return FramePixels.jpeg(s.rgb(), s.width(), s.height(), 0.9f);
    }

    private void streamThroughJob() throws Exception {
        try (LocalPipeline pipeline =
                LocalPipeline.start(
                        jobOptions,
                        conf -> {
                            conf.set(
                                    JobOptions.MODEL_CHECKPOINT,
                                    student.toAbsolutePath().toString());
                            conf.set(JobOptions.RESOLUTION, h + "x" + w);
                            conf.set(JobOptions.SELF_TRAINING, true);
                            // -D self-training.teacher=... wins over --teacher, which is then only
                            // the reference scored beside the students.
                            JobOptions.setUnlessGiven(
                                    conf,
                                    JobOptions.TEACHER_CHECKPOINT,
                                    teacher.toAbsolutePath().toString());
                        },
                        1,
                        StreamExecutionEnvironment.createLocalEnvironment(),
                        "SceneStream adapt-eval")) {
            EmbeddedKafka kafka = pipeline.kafka();
            JobSettings settings = pipeline.settings();
            JobClient job = pipeline.job();
            AdaptationProgress adaptation =
                    new AdaptationProgress(job, settings.selfTraining().roundEvery());
            long streamStart = System.nanoTime();
            boolean warnedNoRound = false;
            AtomicReference<Exception> producerFailure = new AtomicReference<>();
            Map<String, EvalCamera> byId = new HashMap<>();
            List<Thread> producers = new ArrayList<>();
            for (EvalCamera cam : cameras) {
                byId.put(cam.id, cam);
                producers.add(
                        new Thread(
                                () -> {
                                    try {
                                        produce(kafka, settings, cam);
                                    } catch (Exception e) {
                                        producerFailure.set(e);
                                    }
                                },
                                cam.id));
            }
            long frames = cameras.stream().mapToLong(cam -> cam.frames).sum();
            try {
                producers.forEach(Thread::start);
                PredictionDeserializer de = new PredictionDeserializer();
                long received = 0;
                long lastReport = System.nanoTime();
                try (KafkaConsumer<byte[], byte[]> c =
                        new KafkaConsumer<>(
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                                kafka.bootstrapServers(),
                                        ConsumerConfig.GROUP_ID_CONFIG, "adapt-eval",
                                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer())) {
                    c.subscribe(List.of(settings.predictionsTopic()));
                    long idleSince = System.nanoTime();
                    while (received < frames) {
                        if (producerFailure.get() != null) {
                            throw producerFailure.get();
                        }
                        var records = c.poll(Duration.ofMillis(500));
                        if (records.isEmpty()
                                && System.nanoTime() - idleSince
                                        > Duration.ofMinutes(5).toNanos()) {
                            throw new IOException(
                                    "no prediction for 5 minutes after "
                                            + received
                                            + " of "
                                            + frames);
                        }
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            idleSince = System.nanoTime();
                            Prediction p = de.deserialize(r.topic(), r.value());
                            if (p.hasTimings()) {
                                inferenceMs.add(p.getTimings().getInferenceMs());
                                latencyMs.add(p.getTimings().getTotalMs());
                            }
                            if (p.getEmitTimeUs() > 0) {
                                firstEmitUs = Math.min(firstEmitUs, p.getEmitTimeUs());
                                lastEmitUs = Math.max(lastEmitUs, p.getEmitTimeUs());
                                emitted++;
                            }
                            EvalCamera cam = byId.get(p.getCameraId());
                            DenseSample gt = cam == null ? null : cam.truth.remove(p.getSequence());
                            if (gt == null) {
                                continue;
                            }
                            received++;
                            cam.received++;
                            Window win = cam.windows.get((int) (p.getSequence() / window));
                            // Scored on the frames the frozen student and the teacher are scored
                            // on, so the three are compared on the same frames (with NYUD's 27
                            // looped images and every 3rd frame, otherwise on different images).
                            if (p.getSequence() % evalEvery == 0) {
                                byte[] classes =
                                        PredictionMaps.segmentation(
                                                p.getSegmentationPng().toByteArray(),
                                                p.getWidth(),
                                                p.getHeight());
                                float[] depth =
                                        PredictionMaps.depthMetres(
                                                p.getDepthPng().toByteArray(),
                                                p.getWidth(),
                                                p.getHeight());
                                win.adapting.add(gt, classes, depth);
                            }
                            win.maxVersion = Math.max(win.maxVersion, p.getModelVersion());
                            cam.latest = win;
                        }
                        if (System.nanoTime() - lastReport > 10_000_000_000L) {
                            lastReport = System.nanoTime();
                            for (RoundSummary r : adaptation.poll()) {
                                roundHistory.add(new RoundAt(cameraOf(r).received, r));
                                System.out.println(r.line());
                            }
                            Duration running = Duration.ofNanos(System.nanoTime() - streamStart);
                            String why = adaptation.whyNoRound(running);
                            if (!warnedNoRound && why != null && running.toSeconds() >= warnAfter) {
                                System.out.println("warning: " + why);
                                warnedNoRound = true;
                            }
                            // Each camera's window of its latest prediction: one just begun has
                            // none yet.
                            StringBuilder where = new StringBuilder();
                            for (EvalCamera cam : cameras) {
                                if (cam.latest != null) {
                                    where.append(
                                            String.format(
                                                    Locale.ROOT,
                                                    "%s%s frame %d/%d (%s) v%d",
                                                    where.length() == 0 ? "" : ", ",
                                                    cam.id,
                                                    cam.received,
                                                    cam.frames,
                                                    cam.latest.domain,
                                                    cam.latest.maxVersion));
                                }
                            }
                            if (where.length() > 0) {
                                System.out.printf(
                                        Locale.ROOT, "%s; %s%n", where, adaptation.progress());
                            }
                        }
                    }
                    for (RoundSummary r : adaptation.poll()) {
                        roundHistory.add(new RoundAt(cameraOf(r).received, r));
                        System.out.println(r.line());
                    }
                }
            } finally {
                for (Thread producer : producers) {
                    producer.interrupt();
                    producer.join(10_000);
                }
            }
        }
    }

    private void produce(EmbeddedKafka kafka, JobSettings settings, EvalCamera cam)
            throws Exception {
        EvalCamera.Source camera = cam.source();
        long intervalNs = (long) (1e9 / fps);
        long next = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.LINGER_MS_CONFIG,
                                0),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (long seq = 0; seq < cam.frames; seq++) {
                DenseSample s = camera.next();
                // Ground truth of the frame until its prediction is scored: a few hundred KB a
                // frame, bounded by pausing the camera when the job falls far behind.
                while (cam.truth.size() > 256) {
                    Thread.sleep(20);
                }
                cam.truth.put(seq, s);
                Frame f =
                        Frame.newBuilder()
                                .setCameraId(cam.id)
                                .setSequence(seq)
                                .setCaptureTimeUs(System.currentTimeMillis() * 1000)
                                .setWidth(w)
                                .setHeight(h)
                                .setEncoding(Encoding.JPEG)
                                .setPayload(ByteString.copyFrom(jpeg(s)))
                                .build();
                p.send(
                        new ProducerRecord<>(
                                settings.framesTopic(),
                                f.getCameraId().getBytes(StandardCharsets.UTF_8),
                                f.toByteArray()));
                cam.sent.incrementAndGet();
                next += intervalNs;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } else {
                    next = System.nanoTime();
                }
            }
        }
    }

    private void scoreDirectly(Path checkpoint, EvalCamera cam, boolean frozenStudent)
            throws IOException {
        EvalCamera.Source camera = cam.source();
        long frames = cam.frames;
        try (Model m = Model.newInstance("direct")) {
            LoadedCheckpoint lc = Checkpoints.load(checkpoint, m.getNDManager());
            try (MtiNetPredictor predictor =
                    new MtiNetPredictor(
                            lc.net(),
                            m.getNDManager(),
                            lc.manifest().inputHeight(),
                            lc.manifest().inputWidth(),
                            true)) {
                List<DenseSample> batch = new ArrayList<>();
                List<Long> seqs = new ArrayList<>();
                for (long seq = 0; seq < frames; seq++) {
                    DenseSample s = camera.next();
                    if (seq % evalEvery != 0) {
                        continue;
                    }
                    batch.add(s);
                    seqs.add(seq);
                    if (batch.size() == 4 || seq + evalEvery >= frames) {
                        List<RgbFrame> in = new ArrayList<>();
                        for (DenseSample b : batch) {
                            byte[] rgb =
                                    FramePixels.decode(
                                            Frame.newBuilder()
                                                    .setCameraId("c")
                                                    .setWidth(w)
                                                    .setHeight(h)
                                                    .setEncoding(Encoding.JPEG)
                                                    .setPayload(ByteString.copyFrom(jpeg(b)))
                                                    .build());
                            in.add(new RgbFrame(w, h, rgb));
                        }
                        List<FramePrediction> ps = predictor.predict(in);
                        for (int i = 0; i < ps.size(); i++) {
                            if (ps.get(i).nonFinite() > 0) {
                                (frozenStudent ? nonFiniteFrozen : nonFiniteTeacher)[0]++;
                            }
                            Window win = cam.windows.get((int) (seqs.get(i) / window));
                            (frozenStudent ? win.frozen : win.teacherScore)
                                    .add(batch.get(i), ps.get(i).classes(), ps.get(i).depth());
                        }
                        batch.clear();
                        seqs.clear();
                    }
                }
            }
        }
    }

    private Map<String, Object> report(double streamSeconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("student", student.toString());
        setup.put("student_model", manifest.modelName() + " v" + manifest.modelVersion());
        setup.put("teacher", teacher.toString());
        setup.put(
                "teacher_in_the_job",
                jobOptions.getOrDefault(JobOptions.TEACHER_CHECKPOINT.key(), teacher.toString()));
        setup.put(
                "source",
                cameras.stream().map(EvalCamera::describe).collect(Collectors.joining("; ")));
        setup.put("frames", cameras.get(0).frames);
        setup.put("cameras", cameras.size());
        setup.put("fps", fps);
        setup.put("window", window);
        setup.put("all_three_scored_every", evalEvery);
        setup.put("job_options", jobOptions);
        setup.put("stream_seconds", streamSeconds);
        r.put("setup", setup);
        List<Map<String, Object>> ws = new ArrayList<>();
        List<Map<String, Object>> summary = new ArrayList<>();
        for (EvalCamera cam : cameras) {
            for (Window win : cam.windows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("camera", cam.id);
                m.put("start", win.start);
                m.put("domain", win.domain);
                m.put("serving_version", win.maxVersion);
                m.put("adapting", win.adapting.json());
                m.put("frozen", win.frozen.json());
                m.put("teacher", win.teacherScore.json());
                ws.add(m);
            }
            summary.addAll(summary(cam));
        }
        r.put("windows", ws);
        r.put("summary", summary);
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (RoundAt at : roundHistory) {
            RoundSummary x = at.round();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frame", at.frame());
            if (!x.scope().isEmpty()) {
                m.put("scope", x.scope());
            }
            m.put("round", x.round());
            m.put("version", x.version());
            m.put("outcome", x.outcome());
            m.put("serving_agreement", x.servingAgreement());
            m.put("candidate_agreement", x.candidateAgreement());
            if (!Double.isNaN(x.frozenAgreement())) {
                m.put("frozen_agreement", x.frozenAgreement());
            }
            if (Double.isNaN(x.firstLoss())) {
                // No step: a check between rounds, or the BatchNorm statistics of a new light.
                m.put("steps", 0);
            } else {
                m.put("first_loss", x.firstLoss());
                m.put("last_loss", x.lastLoss());
            }
            m.put("seconds", x.seconds());
            m.put("pseudo_labels", x.pseudoLabels());
            m.put("machine_share", x.machineShare());
            if (x.why() != null) {
                m.put("why", x.why());
            }
            rounds.add(m);
        }
        r.put("rounds", rounds);
        List<RoundSummary> done = roundHistory.stream().map(RoundAt::round).toList();
        Map<String, Object> adaptation = new LinkedHashMap<>();
        adaptation.put("rounds", done.size());
        adaptation.put("accepted", done.stream().filter(RoundSummary::accepted).count());
        adaptation.put(
                "rolled_back",
                done.stream().filter(x -> RoundSummary.ROLLED_BACK.equals(x.outcome())).count());
        adaptation.put(
                "frozen_again",
                done.stream().filter(x -> RoundSummary.FROZEN.equals(x.outcome())).count());
        adaptation.put(
                "failed",
                done.stream().filter(x -> RoundSummary.FAILED.equals(x.outcome())).count());
        adaptation.put(
                "mean_round_seconds",
                done.stream().mapToDouble(RoundSummary::seconds).average().orElse(Double.NaN));
        adaptation.put(
                "machine_share",
                done.isEmpty() ? Double.NaN : done.get(done.size() - 1).machineShare());
        r.put("adaptation", adaptation);
        r.put("inference", inferenceKept());
        r.put(
                "non_finite_frames",
                Map.of("frozen_student", nonFiniteFrozen[0], "teacher", nonFiniteTeacher[0]));
        return r;
    }

    /**
     * What inference kept with adaptation running: predictions per second between the first and the
     * last emission, against the camera's rate (1 when it kept up), latency and the model's time
     * per frame. How much of its capacity inference keeps is the pipeline benchmark's to measure; a
     * camera at a fixed rate shows only whether it kept up.
     */
    Map<String, Object> inferenceKept() {
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = (lastEmitUs - firstEmitUs) / 1e6;
        double rate = emitted > 1 && seconds > 0 ? (emitted - 1) / seconds : Double.NaN;
        // Every camera's frames together: the rate inference had to keep.
        double cameraFps = fps * Math.max(1, cameras.size());
        m.put("camera_fps", cameraFps);
        m.put("predictions_per_second", rate);
        m.put("camera_rate_kept", cameraFps > 0 ? Math.min(1.0, rate / cameraFps) : Double.NaN);
        m.put("latency_p50_ms", quantile(latencyMs, 0.5));
        m.put("latency_p99_ms", quantile(latencyMs, 0.99));
        m.put("inference_ms_per_frame_p50", quantile(inferenceMs, 0.5));
        m.put("inference_ms_per_frame_p99", quantile(inferenceMs, 0.99));
        return m;
    }

    /** The {@code q} quantile (nearest rank) of {@code values}; NaN when empty. */
    static double quantile(List<Float> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        Arrays.sort(v);
        int rank = (int) Math.ceil(q * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /**
     * Per domain segment: the mean over its windows of each model's mIoU and RMSE, over the whole
     * segment and over its second half (after adaptation has had time), and the adapting student's
     * gain over the frozen one.
     */
    private List<Map<String, Object>> summary(EvalCamera cam) {
        List<Window> windows = cam.windows;
        List<Map<String, Object>> out = new ArrayList<>();
        int i = 0;
        while (i < windows.size()) {
            int j = i;
            while (j < windows.size() && windows.get(j).domain.equals(windows.get(i).domain)) {
                j++;
            }
            List<Window> seg = windows.subList(i, j);
            List<Window> late = seg.subList(seg.size() / 2, seg.size());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("camera", cam.id);
            m.put("domain", windows.get(i).domain);
            m.put("frames", seg.stream().mapToLong(x -> x.adapting.frames).sum());
            for (var part : List.of(Map.entry("all", seg), Map.entry("second_half", late))) {
                Map<String, Object> p = new LinkedHashMap<>();
                double aMiou = mean(part.getValue(), x -> x.adapting, true);
                double fMiou = mean(part.getValue(), x -> x.frozen, true);
                double tMiou = mean(part.getValue(), x -> x.teacherScore, true);
                double aRmse = mean(part.getValue(), x -> x.adapting, false);
                double fRmse = mean(part.getValue(), x -> x.frozen, false);
                double tRmse = mean(part.getValue(), x -> x.teacherScore, false);
                p.put("miou", Map.of("adapting", aMiou, "frozen", fMiou, "teacher", tMiou));
                p.put("rmse", Map.of("adapting", aRmse, "frozen", fRmse, "teacher", tRmse));
                p.put("miou_gain_points", 100 * (aMiou - fMiou));
                p.put("rmse_reduction_percent", 100 * (fRmse - aRmse) / fRmse);
                m.put(part.getKey(), p);
            }
            out.add(m);
            i = j;
        }
        return out;
    }

    private static double mean(List<Window> ws, Function<Window, Score> f, boolean miou) {
        double sum = 0;
        int n = 0;
        for (Window w : ws) {
            Score s = f.apply(w);
            if (s.frames > 0) {
                sum += miou ? s.seg.meanIou() : s.depth.rmse();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private void printTable(EvalCamera cam) {
        List<Window> windows = cam.windows;
        if (cameras.size() > 1) {
            System.out.println(cam.id + " (" + cam.describe() + "):");
        }
        System.out.printf(
                Locale.ROOT,
                "%8s %-10s %4s | %-23s | %-23s%n",
                "frame",
                "domain",
                "ver",
                "mIoU adapt/frozen/teach",
                "RMSE adapt/frozen/teach");
        for (Window win : windows) {
            System.out.printf(
                    Locale.ROOT,
                    "%8d %-10s %4d | %6.1f %6.1f %6.1f    | %6.3f %6.3f %6.3f%n",
                    win.start,
                    win.domain,
                    win.maxVersion,
                    pct(win.adapting),
                    pct(win.frozen),
                    pct(win.teacherScore),
                    rmse(win.adapting),
                    rmse(win.frozen),
                    rmse(win.teacherScore));
        }
    }

    private static double pct(Score s) {
        return s.frames == 0 ? Double.NaN : 100 * s.seg.meanIou();
    }

    private static double rmse(Score s) {
        return s.frames == 0 ? Double.NaN : s.depth.rmse();
    }

    private void plot(EvalCamera cam, Path png) throws IOException {
        List<Window> windows = cam.windows;
        String[] names = {"adapting student", "frozen student", "teacher"};
        List<Curve> miou = new ArrayList<>();
        List<Curve> rmse = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            List<Double> x = new ArrayList<>();
            List<Double> yM = new ArrayList<>();
            List<Double> yR = new ArrayList<>();
            for (Window win : windows) {
                Score s = k == 0 ? win.adapting : k == 1 ? win.frozen : win.teacherScore;
                if (s.frames > 0) {
                    x.add(win.start + window / 2.0);
                    yM.add(100 * s.seg.meanIou());
                    yR.add(s.depth.rmse());
                }
            }
            miou.add(new Curve(names[k], x, yM, CURVE_COLORS[k], false));
            rmse.add(new Curve(names[k], x, yR, CURVE_COLORS[k], false));
        }
        // Each round where it was reported: accepted at the top of the mIoU chart, the frozen
        // student serving again in the middle, rolled back (or failed) at the bottom.
        String[][] kinds = {
            {RoundSummary.ACCEPTED, "round accepted", "100"},
            {RoundSummary.FROZEN, "frozen student again", "50"},
            {RoundSummary.ROLLED_BACK, "round rolled back", "0"},
        };
        for (int k = 0; k < kinds.length; k++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RoundAt at : roundHistory) {
                if (cameras.size() > 1
                        && cameraOf(at.round()) != cam
                        && !at.round().scope().isEmpty()) {
                    continue;
                }
                String o = at.round().outcome();
                boolean here = kinds[k][0].equals(o) || (k == 2 && RoundSummary.FAILED.equals(o));
                if (here) {
                    x.add((double) at.frame());
                    y.add(Double.parseDouble(kinds[k][2]));
                }
            }
            miou.add(new Curve(kinds[k][1], x, y, CURVE_COLORS[3 + k], true));
        }
        String title =
                (cameras.size() > 1 ? cam.id + ", " : "")
                        + (nyudDataset != null ? "NYUD frames" : "domains " + cam.schedule);
        plot("Segmentation, " + title, "mIoU (%)", miou, "Depth, " + title, "RMSE (m)", rmse, png);
    }

    /**
     * The colours of the curves: adapting, frozen, teacher, accepted rounds, rounds that brought
     * the frozen student back, rolled-back rounds.
     */
    static final Color[] CURVE_COLORS = {
        new Color(31, 119, 180),
        new Color(255, 127, 14),
        new Color(44, 160, 44),
        new Color(0, 0, 0),
        new Color(148, 103, 189),
        new Color(214, 39, 40)
    };

    /**
     * One curve of a chart: its points, colour, and whether it is drawn as markers rather than a
     * line.
     */
    record Curve(String name, List<Double> x, List<Double> y, Color color, boolean markers) {}

    /** Two charts side by side over the stream's frames, 900x360 each, written as a PNG. */
    static void plot(
            String leftTitle,
            String leftAxis,
            List<Curve> left,
            String rightTitle,
            String rightAxis,
            List<Curve> right,
            Path png)
            throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            XYChart chart =
                    new XYChartBuilder()
                            .width(900)
                            .height(360)
                            .title(c == 0 ? leftTitle : rightTitle)
                            .xAxisTitle("frame")
                            .yAxisTitle(c == 0 ? leftAxis : rightAxis)
                            .build();
            for (Curve curve : c == 0 ? left : right) {
                if (curve.x().isEmpty()) {
                    continue;
                }
                XYSeries series = chart.addSeries(curve.name(), curve.x(), curve.y());
                series.setXYSeriesRenderStyle(
                        curve.markers()
                                ? XYSeries.XYSeriesRenderStyle.Scatter
                                : XYSeries.XYSeriesRenderStyle.Line);
                series.setLineColor(curve.color());
                series.setMarkerColor(curve.color());
                series.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
            }
            charts.add(chart);
        }
        BitmapEncoder.saveBitmap(
                charts,
                2,
                1,
                png.toString().replaceAll("\\.png$", ""),
                BitmapEncoder.BitmapFormat.PNG);
    }
}
