package io.scenestream.operators;

import ai.djl.ndarray.types.DataType;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.flink.SerializedRound;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.data.DataSpec;
import io.scenestream.model.selftrain.CurrentScene;
import io.scenestream.model.selftrain.HeldOutRouting;
import io.scenestream.model.selftrain.SelfTrainer;
import io.scenestream.synthetic.Domain;
import io.scenestream.synthetic.SyntheticSampleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online self-training of the student (parallelism 1): pseudo-labelled frames fill a replay buffer
 * and a held-out set; every N new frames (or T ms) a round of K steps runs on a worker thread of
 * its own, so the operator never blocks the stream; an accepted candidate goes out as a signed
 * {@link ModelUpdate}, a rejected one is rolled back and never served.
 *
 * <p>Flink state holds the student as of the last finished round (weights and optimiser state), the
 * buffers (as the pseudo-label records) and the counters: a restored job trains on from its last
 * adapted version, not from the shipped checkpoint.
 *
 * <p>Its length is the state it keeps (student, replay buffer, held-out set, counters) and the
 * round's bookkeeping; the training itself is {@link SelfTrainer}'s.
 */
public class SelfTrainingOperator extends AbstractStreamOperator<SerializedModelUpdate>
        implements OneInputStreamOperator<PseudoLabelRecord, SerializedModelUpdate> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SelfTrainingOperator.class);
    private static final long POLL_MS = 200;

    /**
     * New held-out frames after which, between rounds, the serving student is checked against the
     * frozen one ({@link SelfTrainer#watch}).
     */
    static final int CHECK_AFTER_HELD_OUT = 2;

    /**
     * Every round, and every check that made the frozen student serve again, as a {@code
     * SelfTrainingRound} record: for dashboards and audits.
     */
    public static final OutputTag<SerializedRound> ROUNDS =
            new OutputTag<>("self-training-rounds", TypeInformation.of(SerializedRound.class));

    private final SelfTrainingSettings settings;

    private transient BackgroundWorker<Outcome> worker;

    /** The share of the machine adaptation may take; null for no limit. */
    private transient AdaptationBudget budget;

    private transient SelfTrainer trainer;
    private transient byte[] studentState;
    private transient volatile String modelName;
    private transient Deque<byte[]> training;
    private transient Deque<byte[]> heldOut;
    private transient long received;
    private transient long sinceRound;
    private transient long heldOutSinceCheck;

    /** Which frames are held out; set when the trainer is built. */
    private transient HeldOutRouting routing;

    /** The student's input size, rows and columns. */
    private transient int[] inputSize;

    private transient long lastRoundAt;

    /** Whether a due round waits for frames of the current light (logged once a wait). */
    private transient boolean waitingForLight;

    private transient ListState<byte[]> studentStateList;
    private transient ListState<byte[]> trainingList;
    private transient ListState<byte[]> heldOutList;
    private transient ListState<Long> countersList;
    private transient Counter badPseudoLabels;
    private transient SelfTrainingReports reports;
    private transient volatile long servingVersion;

    /** The serving student's held-out agreement as of the last round. */
    private transient double lastAgreement;

    private transient long roundsDone;

    /**
     * What a finished round or check hands back to the operator's thread; a check that changed
     * nothing hands back no round.
     */
    private record Outcome(SelfTrainer.Round round, byte[] state, byte[] update, double seconds) {}

    public SelfTrainingOperator(SelfTrainingSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        var store = context.getOperatorStateStore();
        studentStateList =
                store.getListState(
                        new ListStateDescriptor<>(
                                "student", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        trainingList =
                store.getListState(
                        new ListStateDescriptor<>(
                                "replay-buffer",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        heldOutList =
                store.getListState(
                        new ListStateDescriptor<>(
                                "held-out", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        countersList = store.getListState(new ListStateDescriptor<>("counters", Types.LONG));
        training = new ArrayDeque<>();
        heldOut = new ArrayDeque<>();
        if (context.isRestored()) {
            for (byte[] b : studentStateList.get()) {
                studentState = b;
            }
            trainingList.get().forEach(training::addLast);
            heldOutList.get().forEach(heldOut::addLast);
            List<Long> counters = new ArrayList<>();
            countersList.get().forEach(counters::add);
            if (counters.size() == 2) {
                received = counters.get(0);
                sinceRound = counters.get(1);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        badPseudoLabels = getMetricGroup().counter("pseudoLabelsRejected");
        getMetricGroup().gauge("servingVersion", () -> servingVersion);
        budget = AdaptationBudget.of(settings.budget());
        reports =
                new SelfTrainingReports(
                        settings,
                        getRuntimeContext(),
                        getMetricGroup(),
                        output,
                        () -> getProcessingTimeService().getCurrentProcessingTime(),
                        budget);
        getMetricGroup().gauge("replayBufferFrames", () -> training.size());

        worker =
                new BackgroundWorker<>(
                        "self-training-"
                                + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
                        settings.niceness(),
                        settings.threads(),
                        budget);
        boolean restored = studentState != null;
        byte[] start =
                restored ? studentState : Files.readAllBytes(Path.of(settings.studentCheckpoint()));
        String source = restored ? "restored self-training state" : settings.studentCheckpoint();
        List<byte[]> train = List.copyOf(training);
        List<byte[]> held = List.copyOf(heldOut);
        // Build the trainer on its own thread (libtorch's autograd mode is per thread).
        worker.call(
                () -> {
                    trainer = newTrainer(settings, start, source, worker);
                    List<DenseSample> heldFrames =
                            held.stream().map(SelfTrainingOperator::decodeHeldOut).toList();
                    trainer.restoreFrames(
                            train.stream().map(SelfTrainingOperator::decode).toList(), heldFrames);
                    inputSize = trainer.inputSize();
                    routing =
                            new HeldOutRouting(
                                    settings.trainer(),
                                    heldFrames.stream().map(f -> light(f, inputSize)).toList());
                    servingVersion = trainer.version();
                    modelName = trainer.modelName();
                    return null;
                });
        lastRoundAt = getProcessingTimeService().getCurrentProcessingTime();
        scheduleCheck();
        LOG.info(
                "self-training {} from {} at v{} ({} buffered, {} held out), training {} ({}"
                        + " values)",
                modelName,
                source,
                servingVersion,
                training.size(),
                heldOut.size(),
                settings.trainer().parts(),
                trainer.trainedValues());
    }

    /**
     * A trainer of the student in {@code start}, as the settings say: paced by {@code worker}'s
     * budget, checked against the shipped student, with source frames mixed in if configured; on
     * the worker's thread (libtorch's autograd mode is per thread).
     */
    static SelfTrainer newTrainer(
            SelfTrainingSettings settings, byte[] start, String source, BackgroundWorker<?> worker)
            throws IOException {
        SelfTrainer trainer = new SelfTrainer(start, source, settings.trainer());
        try {
            trainer.betweenSteps(worker.pacer());
            trainer.acceptWithin(settings.acceptTolerance());
            trainer.keepFrozen(
                    Files.readAllBytes(Path.of(settings.studentCheckpoint())),
                    settings.studentCheckpoint());
            if (!settings.sourceData().isEmpty() && settings.sourceFrames() > 0) {
                trainer.useSourceFrames(
                        sourceFrames(settings, trainer.inputSize()), settings.sourceShare());
            }
            return trainer;
        } catch (IOException | RuntimeException e) {
            trainer.close();
            throw e;
        }
    }

    /** The labelled source-domain frames (synthetic frames rendered from a fixed seed). */
    private static List<DenseSample> sourceFrames(SelfTrainingSettings settings, int[] hw)
            throws IOException {
        var source =
                DataSpec.parse(settings.sourceData())
                        .open(
                                91,
                                null,
                                (domain, seed, world) ->
                                        new SyntheticSampleSource(
                                                Domain.named(domain), seed, null, world));
        List<DenseSample> out = new ArrayList<>();
        for (int i = 0; i < settings.sourceFrames(); i++) {
            out.add(source.get(i, hw[0], hw[1]));
        }
        LOG.info(
                "self-training mixes {} labelled frames of {} into training (share {})",
                out.size(),
                source.describe(),
                settings.sourceShare());
        return out;
    }

    static DenseSample decode(byte[] record) {
        return PseudoLabels.decode(PseudoLabels.parse(record, FrameLimits.DEFAULT));
    }

    /**
     * A parsed record as the trainer's frame ({@link #decodeHeldOut as held out} or for training),
     * decoded on the trainer's thread; null, and a warning, if its images do not decode.
     */
    static DenseSample frameOrNull(PseudoLabel parsed, boolean heldOut) {
        try {
            return heldOut ? PseudoLabels.decodeTeacher(parsed) : PseudoLabels.decode(parsed);
        } catch (RuntimeException e) {
            LOG.warn(
                    "ignoring pseudo-label {}#{}: {}",
                    parsed.getCameraId(),
                    parsed.getSequence(),
                    e.getMessage());
            return null;
        }
    }

    /**
     * A frame's light ({@code CurrentScene#statistics}) at the student's input size, as the trainer
     * measures it; null for a frame that could not be decoded.
     */
    static double[] light(DenseSample frame, int[] inputSize) {
        return frame == null
                ? null
                : CurrentScene.statistics(frame.resize(inputSize[0], inputSize[1]));
    }

    /**
     * A held-out record as the frame a candidate is checked on: labelled with the teacher's
     * prediction at every pixel, not only its confident ones.
     */
    static DenseSample decodeHeldOut(byte[] record) {
        return PseudoLabels.decodeTeacher(PseudoLabels.parse(record, FrameLimits.DEFAULT));
    }

    private void scheduleCheck() {
        worker.poll(
                getProcessingTimeService(),
                POLL_MS,
                () -> {
                    collectRound();
                    maybeStartRound();
                },
                () -> true);
    }

    @Override
    public void processElement(StreamRecord<PseudoLabelRecord> element) throws Exception {
        byte[] record = element.getValue().payload;
        PseudoLabel parsed;
        try {
            parsed = PseudoLabels.parse(record, FrameLimits.DEFAULT);
        } catch (BadRecordException e) {
            badPseudoLabels.inc();
            LOG.warn("ignoring a pseudo-label record: {}", e.getMessage());
            return;
        }
        received++;
        // The teacher's view, decoded here for its light: after a change of light the first frames
        // of the new one are held out (HeldOutRouting).
        DenseSample teacherView = routing.usesLight() ? frameOrNull(parsed, true) : null;
        boolean toHeldOut = routing.heldOut(received, light(teacherView, inputSize));
        Deque<byte[]> mirror = toHeldOut ? heldOut : training;
        mirror.addLast(record);
        while (mirror.size()
                > (toHeldOut
                        ? settings.trainer().heldOutSize()
                        : settings.trainer().bufferSize())) {
            mirror.removeFirst();
        }
        if (toHeldOut) {
            heldOutSinceCheck++;
        } else {
            sinceRound++;
        }
        reports.received();
        // Offered, not queued behind a round in flight: the round's check takes it in.
        trainer.offer(
                toHeldOut && teacherView != null
                        ? () -> teacherView
                        : () -> frameOrNull(parsed, toHeldOut),
                toHeldOut);
        worker.queue(trainer::drain);
        collectRound();
        maybeStartRound();
    }

    private void maybeStartRound() {
        if (worker.busy()) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        // A statistics candidate of a new light is due as soon as it can be judged: it needs no
        // training frame of that light.
        boolean due =
                (sinceRound > 0
                                && (sinceRound >= settings.roundEvery()
                                        || now - lastRoundAt >= settings.roundIntervalMs()))
                        || trainer.statisticsDue();
        // Not before the trainer has two batches of frames of the light it is checked on: after a
        // change of light a round started earlier trains on the old one and is rolled back.
        boolean waiting =
                due
                        && training.size() >= settings.trainer().batch()
                        && !heldOut.isEmpty()
                        && !trainer.ready();
        if (waiting && !waitingForLight) {
            LOG.info(
                    "a self-training round is due and waits for frames of the current"
                            + " light: {}",
                    trainer.readiness());
        }
        waitingForLight = waiting;
        if (!due || training.size() < settings.trainer().batch() || heldOut.isEmpty() || waiting) {
            if (heldOutSinceCheck >= CHECK_AFTER_HELD_OUT) {
                startCheck();
            }
            return;
        }
        sinceRound = 0;
        heldOutSinceCheck = 0;
        lastRoundAt = now;
        worker.start(
                () -> {
                    long t0 = System.nanoTime();
                    SelfTrainer.Round r = trainer.round();
                    return outcome(r, "held_out_agreement", r.candidateAgreement(), t0);
                });
    }

    /** Between rounds: the serving student against the frozen one on the current scene. */
    private void startCheck() {
        heldOutSinceCheck = 0;
        worker.start(
                () -> {
                    long t0 = System.nanoTime();
                    SelfTrainer.Round r = trainer.watch().orElse(null);
                    return r == null
                            ? new Outcome(null, null, null, 0)
                            : outcome(r, "frozen_student_again", true, t0);
                });
    }

    /**
     * On the worker: the trainer's state and, when a new version serves, its update, with their
     * provenance ({@code key}: what the round or check says of it).
     */
    private Outcome outcome(SelfTrainer.Round r, String key, Object value, long t0)
            throws IOException {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("self_training_round", trainer.rounds());
        provenance.put(key, value);
        provenance.put("frames_received", trainer.received());
        byte[] state = trainer.checkpoint(modelName, DataType.FLOAT32, true, provenance);
        byte[] update =
                r.newVersion()
                        ? trainer.checkpoint(modelName, DataType.FLOAT16, false, provenance)
                        : null;
        return new Outcome(r, state, update, (System.nanoTime() - t0) / 1e9);
    }

    private void collectRound() throws Exception {
        Outcome o;
        try {
            o = worker.take(false);
        } catch (ExecutionException e) {
            roundsDone++;
            reports.failed("", modelName, roundsDone, servingVersion, lastAgreement, e.getCause());
            return;
        }
        if (o != null) {
            emit(o);
        }
    }

    private void emit(Outcome o) {
        SelfTrainer.Round r = o.round();
        if (r == null) {
            return;
        }
        roundsDone++;
        studentState = o.state();
        if (r.stopped()) {
            // The light changed during its steps: the next round is due once there are two batches
            // of frames of the new light, not a round interval later.
            lastRoundAt =
                    getProcessingTimeService().getCurrentProcessingTime()
                            - settings.roundIntervalMs();
        }
        SelfTrainingReports.Served served =
                reports.finished("", modelName, roundsDone, r, o.update(), o.seconds());
        if (served.newVersion()) {
            servingVersion = served.version();
        }
        lastAgreement = served.agreement();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        studentStateList.clear();
        if (studentState != null) {
            studentStateList.add(studentState);
        }
        trainingList.update(new ArrayList<>(training));
        heldOutList.update(new ArrayList<>(heldOut));
        countersList.update(List.of(received, sinceRound));
    }

    @Override
    public void finish() throws Exception {
        // End of input (bounded runs, stop-with-savepoint): let the round in flight finish and
        // publish.
        Outcome o = worker.take(true);
        if (o != null) {
            emit(o);
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            BackgroundWorker.close(worker, () -> trainer, Duration.ofMinutes(5));
        } finally {
            super.close();
        }
    }

    /** Held-out frames kept (for tests). */
    int heldOutFrames() {
        return heldOut.size();
    }

    /** Rounds finished since this instance opened (for tests). */
    long roundsDone() {
        return roundsDone;
    }

    /** The serving version as this operator knows it (for tests). */
    long servingVersion() {
        return servingVersion;
    }
}
