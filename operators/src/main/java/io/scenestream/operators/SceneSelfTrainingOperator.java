package io.scenestream.operators;

import ai.djl.ndarray.types.DataType;
import io.scenestream.frames.DenseSample;
import io.scenestream.kafka.flink.PseudoLabelRecord;
import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.model.selftrain.HeldOutRouting;
import io.scenestream.model.selftrain.SelfTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online self-training of one student per camera or group ({@code self-training.scope} camera or
 * group), keyed by the scope's key and run at the job's parallelism. Each key keeps in keyed state
 * its own replay buffer and held-out set (the pseudo-label records), what its rounds changed as a
 * {@link io.scenestream.model.checkpoint.SceneDelta} over the shipped student (with the optimiser's
 * state of the trained parts), its serving version and its counters. One trainer per parallel
 * instance holds the shipped student and adapts one key at a time on its worker thread, keys taking
 * turns in the order their rounds came due; an accepted round of a key goes out as a signed update
 * for that key alone. Keyed state moves with its key groups, so a rescaled or restored job goes on
 * from every camera's own last version.
 */
public class SceneSelfTrainingOperator extends AbstractStreamOperator<SerializedModelUpdate>
        implements OneInputStreamOperator<PseudoLabelRecord, SerializedModelUpdate> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SceneSelfTrainingOperator.class);
    private static final long POLL_MS = 200;

    // Counters of a key, in its long[] state.
    private static final int VERSION = 0;
    private static final int FROZEN = 1;
    private static final int RECEIVED = 2;
    private static final int SINCE_ROUND = 3;
    private static final int HELD_OUT_SINCE_CHECK = 4;
    private static final int ROUNDS = 5;
    private static final int TRAINING_SIZE = 6;
    private static final int HELD_OUT_LENGTH = 7;

    /** 1 when a statistics-only candidate of the key did not serve since the last that did. */
    private static final int STATISTICS_REJECTED = 8;

    private static final int COUNTERS = 9;

    private final SelfTrainingSettings settings;

    private transient BackgroundWorker<Outcome> worker;
    private transient SelfTrainer trainer;
    private transient SelfTrainingReports reports;
    private transient Counter badPseudoLabels;
    private transient String modelName;
    private transient long baseVersion;
    private transient ValueState<byte[]> delta;
    private transient ValueState<long[]> counters;
    private transient ListState<byte[]> training;
    private transient ListState<byte[]> heldOut;

    /** Keys with a round or check due, oldest first. */
    private transient LinkedHashSet<String> due;

    /**
     * When each key seen since this instance opened last started a round (or was first seen), for
     * rounds every {@code round-interval-ms} of keys whose frames come slowly.
     */
    private transient Map<String, Long> lastRoundAt;

    /** Each key's routing of frames to its held-out set, since this instance opened. */
    private transient Map<String, HeldOutRouting> routings;

    /** The key whose round or check runs now; null when none does. */
    private transient String running;

    private transient long roundsDone;

    /**
     * What a finished round or check of {@code key} hands back: the key's state delta (float32,
     * with the optimiser's state) and, when a new version serves, its update (float16); {@code
     * deferred}: a round was due but not {@link SelfTrainer#ready ready}, and a check ran instead;
     * {@code statisticsRejected}: the trainer's {@link SelfTrainer#statisticsRejected} after it.
     */
    private record Outcome(
            String key,
            long number,
            SelfTrainer.Round round,
            byte[] state,
            byte[] update,
            double seconds,
            boolean deferred,
            boolean statisticsRejected) {}

    public SceneSelfTrainingOperator(SelfTrainingSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        var store = context.getKeyedStateStore();
        delta =
                store.getState(
                        new ValueStateDescriptor<>(
                                "scene-delta",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        counters =
                store.getState(
                        new ValueStateDescriptor<>(
                                "scene-counters",
                                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        training =
                store.getListState(
                        new ListStateDescriptor<>(
                                "scene-replay-buffer",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        heldOut =
                store.getListState(
                        new ListStateDescriptor<>(
                                "scene-held-out",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void open() throws Exception {
        super.open();
        due = new LinkedHashSet<>();
        lastRoundAt = new HashMap<>();
        routings = new HashMap<>();
        badPseudoLabels = getMetricGroup().counter("pseudoLabelsRejected");
        AdaptationBudget budget = AdaptationBudget.of(settings.budget());
        reports =
                new SelfTrainingReports(
                        settings,
                        getRuntimeContext(),
                        getMetricGroup(),
                        output,
                        () -> getProcessingTimeService().getCurrentProcessingTime(),
                        budget);
        worker =
                new BackgroundWorker<>(
                        "self-training-"
                                + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
                        settings.niceness(),
                        settings.threads(),
                        budget);
        byte[] shipped = Files.readAllBytes(Path.of(settings.studentCheckpoint()));
        worker.call(
                () -> {
                    trainer =
                            SelfTrainingOperator.newTrainer(
                                    settings, shipped, settings.studentCheckpoint(), worker);
                    modelName = trainer.modelName();
                    baseVersion = trainer.version();
                    return null;
                });
        worker.poll(
                getProcessingTimeService(),
                POLL_MS,
                () -> {
                    collect();
                    dueByInterval();
                    maybeStart();
                },
                () -> true);
        LOG.info(
                "self-training {} per camera or group from {} v{}, training {} ({} values, {}"
                        + " values a camera with running statistics)",
                modelName,
                settings.studentCheckpoint(),
                baseVersion,
                settings.trainer().parts(),
                trainer.trainedValues(),
                trainer.deltaValues());
    }

    /** The current key's counters; a new key's serve the shipped student. */
    private long[] counters() throws Exception {
        long[] c = counters.value();
        if (c == null) {
            c = new long[COUNTERS];
            c[VERSION] = baseVersion;
            c[FROZEN] = 1;
        } else if (c.length < COUNTERS) {
            // State written before a counter was added: the new ones start at 0.
            c = Arrays.copyOf(c, COUNTERS);
        }
        return c;
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
        String key = (String) getCurrentKey();
        long[] c = counters();
        c[RECEIVED]++;
        // The teacher's view, decoded here for its light: after a change of light the first frames
        // of the new one are held out (HeldOutRouting).
        HeldOutRouting routing = routing(key);
        DenseSample teacherView =
                routing.usesLight() ? SelfTrainingOperator.frameOrNull(parsed, true) : null;
        boolean toHeldOut =
                routing.heldOut(
                        c[RECEIVED], SelfTrainingOperator.light(teacherView, trainer.inputSize()));
        if (toHeldOut) {
            c[HELD_OUT_LENGTH] =
                    append(heldOut, c[HELD_OUT_LENGTH], record, settings.trainer().heldOutSize());
            c[HELD_OUT_SINCE_CHECK]++;
        } else {
            c[TRAINING_SIZE] =
                    append(training, c[TRAINING_SIZE], record, settings.trainer().bufferSize());
            c[SINCE_ROUND]++;
        }
        counters.update(c);
        reports.received();
        if (key.equals(running)) {
            // The round in flight is this camera's: its check takes the frame in.
            trainer.offer(
                    toHeldOut && teacherView != null
                            ? () -> teacherView
                            : () -> SelfTrainingOperator.frameOrNull(parsed, toHeldOut),
                    toHeldOut);
        }
        lastRoundAt.putIfAbsent(key, now());
        if (c[SINCE_ROUND] >= settings.roundEvery()
                || c[HELD_OUT_SINCE_CHECK] >= SelfTrainingOperator.CHECK_AFTER_HELD_OUT) {
            due.add(key);
        }
        collect();
        maybeStart();
    }

    /**
     * Appends {@code record} to a list of {@code length} records, and once it holds a quarter more
     * than {@code cap}, drops its oldest down to {@code cap}: most appends write one record, not
     * the list (with RocksDB, a list is rewritten whole by an update).
     *
     * @return the list's new length
     */
    private static long append(ListState<byte[]> list, long length, byte[] record, int cap)
            throws Exception {
        list.add(record);
        if (++length <= cap + Math.max(1, cap / 4)) {
            return length;
        }
        List<byte[]> newest = newest(list, cap);
        list.update(newest);
        return newest.size();
    }

    /**
     * The current key's routing of frames to its held-out set; after a restore, rebuilt from the
     * held-out frames in its state.
     */
    private HeldOutRouting routing(String key) throws Exception {
        HeldOutRouting r = routings.get(key);
        if (r == null) {
            List<double[]> lights = new ArrayList<>();
            boolean uses = HeldOutRouting.usesLight(settings.trainer());
            for (byte[] record :
                    uses ? newest(heldOut, settings.trainer().heldOutSize()) : List.<byte[]>of()) {
                try {
                    lights.add(
                            SelfTrainingOperator.light(
                                    SelfTrainingOperator.decodeHeldOut(record),
                                    trainer.inputSize()));
                } catch (RuntimeException e) {
                    LOG.warn("a held-out frame of {} left out of its routing: {}", key, e);
                }
            }
            r = new HeldOutRouting(settings.trainer(), lights);
            routings.put(key, r);
        }
        return r;
    }

    /** The newest {@code cap} records of a list, oldest first. */
    private static List<byte[]> newest(ListState<byte[]> list, int cap) throws Exception {
        List<byte[]> out = new ArrayList<>();
        Iterable<byte[]> it = list.get();
        if (it != null) {
            it.forEach(out::add);
        }
        return new ArrayList<>(out.subList(Math.max(0, out.size() - cap), out.size()));
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** Keys whose last round is {@code round-interval-ms} old: due, if they have new frames. */
    private void dueByInterval() {
        long now = now();
        lastRoundAt.forEach(
                (key, at) -> {
                    if (now - at >= settings.roundIntervalMs()) {
                        due.add(key);
                    }
                });
    }

    /** Starts the next due key's round (or check), if the worker is free. */
    private void maybeStart() throws Exception {
        while (!worker.busy() && !due.isEmpty()) {
            Iterator<String> it = due.iterator();
            String key = it.next();
            it.remove();
            setCurrentKey(key);
            long[] c = counters();
            long since = now() - lastRoundAt.getOrDefault(key, now());
            boolean round =
                    (c[SINCE_ROUND] >= settings.roundEvery()
                                    || (c[SINCE_ROUND] > 0 && since >= settings.roundIntervalMs()))
                            && c[TRAINING_SIZE] >= settings.trainer().batch()
                            && c[HELD_OUT_LENGTH] > 0;
            boolean check =
                    !round
                            && c[FROZEN] == 0
                            && c[HELD_OUT_SINCE_CHECK] >= SelfTrainingOperator.CHECK_AFTER_HELD_OUT
                            && c[HELD_OUT_LENGTH] > 0;
            if (!round && !check) {
                if (since >= settings.roundIntervalMs()) {
                    // Nothing new: look again an interval later.
                    lastRoundAt.put(key, now());
                }
                continue;
            }
            List<byte[]> train = newest(training, settings.trainer().bufferSize());
            List<byte[]> held = newest(heldOut, settings.trainer().heldOutSize());
            if (round) {
                c[SINCE_ROUND] = 0;
                c[ROUNDS]++;
                lastRoundAt.put(key, now());
            }
            c[HELD_OUT_SINCE_CHECK] = 0;
            counters.update(c);
            byte[] d = delta.value();
            long version = c[VERSION];
            boolean frozen = c[FROZEN] == 1;
            boolean statisticsRejected = c[STATISTICS_REJECTED] == 1;
            long number = c[ROUNDS];
            running = key;
            // The records are decoded on the worker, within adaptation's budget, not on the
            // stream's thread.
            worker.start(
                    () ->
                            run(
                                    key,
                                    number,
                                    new SelfTrainer.Scene(
                                            d,
                                            version,
                                            frozen,
                                            train.stream()
                                                    .map(SelfTrainingOperator::decode)
                                                    .toList(),
                                            held.stream()
                                                    .map(SelfTrainingOperator::decodeHeldOut)
                                                    .toList(),
                                            statisticsRejected),
                                    round));
        }
    }

    /** On the worker: {@code key}'s scene in the trainer, then its round or check. */
    private Outcome run(String key, long number, SelfTrainer.Scene scene, boolean round)
            throws Exception {
        long t0 = System.nanoTime();
        trainer.enter(scene, "the adapted parameters of " + key);
        // Right after a change of light, until there are two batches of frames of the new one, a
        // round would train on the old light: the check between rounds instead, the round later.
        boolean deferred = round && !trainer.ready();
        SelfTrainer.Round r = round && !deferred ? trainer.round() : trainer.watch().orElse(null);
        if (r == null || !r.newVersion()) {
            return new Outcome(
                    key,
                    number,
                    r,
                    null,
                    null,
                    (System.nanoTime() - t0) / 1e9,
                    deferred,
                    trainer.statisticsRejected());
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("self_training_round", number);
        provenance.put(
                round ? "held_out_agreement" : "frozen_student_again", r.candidateAgreement());
        byte[] state = trainer.delta(modelName, key, DataType.FLOAT32, true, provenance);
        byte[] update = trainer.delta(modelName, key, DataType.FLOAT16, false, provenance);
        return new Outcome(
                key,
                number,
                r,
                state,
                update,
                (System.nanoTime() - t0) / 1e9,
                deferred,
                trainer.statisticsRejected());
    }

    private void collect() throws Exception {
        collect(false);
    }

    /**
     * Takes a finished round or check, if any, into its key's state and reports it; with {@code
     * wait}, waits for the one in flight.
     */
    private void collect(boolean wait) throws Exception {
        Outcome o;
        String key = running;
        try {
            o = worker.take(wait);
        } catch (ExecutionException e) {
            running = null;
            roundsDone++;
            setCurrentKey(key);
            long[] c = counters();
            reports.failed(key, modelName, c[ROUNDS], c[VERSION], Double.NaN, e.getCause());
            return;
        }
        if (o != null) {
            collected(o);
        }
    }

    @Override
    public void finish() throws Exception {
        // End of input (bounded runs, stop-with-savepoint): the round in flight finishes and
        // publishes.
        if (worker.busy()) {
            collect(true);
        }
        super.finish();
    }

    /** A round or check taken from the worker: into its key's state, and reported. */
    private void collected(Outcome o) throws Exception {
        running = null;
        setCurrentKey(o.key());
        long[] c = counters();
        if (o.deferred()) {
            // Not run: its number is the next round's.
            c[ROUNDS]--;
        }
        c[STATISTICS_REJECTED] = o.statisticsRejected() ? 1 : 0;
        counters.update(c);
        if (o.round() == null) {
            return;
        }
        roundsDone++;
        if (o.round().stopped()) {
            // The light changed during its steps: the next round is due at the key's next frame.
            lastRoundAt.put(o.key(), now() - settings.roundIntervalMs());
        }
        SelfTrainingReports.Served served =
                reports.finished(
                        o.key(), modelName, o.number(), o.round(), o.update(), o.seconds());
        if (served.newVersion()) {
            c[VERSION] = served.version();
            c[FROZEN] = o.round().accepted() ? 0 : 1;
            counters.update(c);
            delta.update(o.state());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            BackgroundWorker.close(worker, () -> trainer, Duration.ofMinutes(5));
        } finally {
            super.close();
        }
    }

    /** Rounds and checks finished since this instance opened (for tests). */
    long roundsDone() {
        return roundsDone;
    }

    /** The version serving {@code key} as this instance's state has it (for tests). */
    long versionOf(String key) throws Exception {
        setCurrentKey(key);
        return counters()[VERSION];
    }
}
