package io.scenestream.dashboard;

import io.scenestream.kafka.proto.Frame;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.Prediction;
import io.scenestream.kafka.proto.PseudoLabel;
import io.scenestream.kafka.proto.SelfTrainingRound;
import io.scenestream.kafka.serde.BadRecordException;
import io.scenestream.kafka.serde.FrameDeserializer;
import io.scenestream.kafka.serde.FrameLimits;
import io.scenestream.kafka.serde.ModelUpdateDeserializer;
import io.scenestream.kafka.serde.PredictionDeserializer;
import io.scenestream.kafka.serde.PseudoLabels;
import io.scenestream.kafka.serde.SelfTrainingRoundDeserializer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Everything the dashboard knows, built from the records it reads: the cameras ({@link
 * CameraState}, at most {@code maxCameras}: beyond, the one updated longest ago is forgotten), the
 * model versions published per model (the last {@link #VERSIONS_KEPT}), the last dead letters, and
 * the records it could not read, by topic and reason. {@link #accept} takes any record of the
 * topics; a malformed one is counted and skipped, never thrown. Thread-safe.
 */
final class FleetState {

    static final int VERSIONS_KEPT = 200;
    static final int DEAD_LETTERS_KEPT = 100;
    static final int ROUNDS_KEPT = 200;
    private static final int MAX_CAMERA_ID = 256;

    private final DashboardTopics topics;
    private final int maxCameras;
    private final Map<String, CameraState> cameras = new ConcurrentHashMap<>();
    private final Map<String, ArrayDeque<Views.ModelVersion>> versions = new TreeMap<>();
    private final Map<String, ArrayDeque<Views.Round>> rounds = new TreeMap<>();
    private final ArrayDeque<Views.DeadLetter> deadLetters = new ArrayDeque<>();
    private final Samples deadLetterTimes = new Samples(1024);
    private final Map<String, Map<String, Long>> unreadable = new TreeMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong fleetChanges = new AtomicLong();
    private final FrameDeserializer frames = new FrameDeserializer();
    private final PredictionDeserializer predictions = new PredictionDeserializer();
    private final ModelUpdateDeserializer updates = new ModelUpdateDeserializer();
    private final SelfTrainingRoundDeserializer roundRecords = new SelfTrainingRoundDeserializer();
    private long deadLetterCount;

    FleetState(DashboardTopics topics, int maxCameras) {
        this.topics = topics;
        this.maxCameras = maxCameras;
    }

    /** Takes a record of any of the topics; a record it cannot read is counted, not thrown. */
    void accept(ConsumerRecord<byte[], byte[]> r) {
        records.incrementAndGet();
        String topic = r.topic();
        long ts = r.timestamp() > 0 ? r.timestamp() : System.currentTimeMillis();
        try {
            if (topic.equals(topics.deadLetters())) {
                onDeadLetter(r, ts);
                return;
            }
            if (r.value() == null || r.value().length == 0) {
                unreadable(topic, r.value() == null ? "TOMBSTONE" : "EMPTY");
                return;
            }
            if (topic.equals(topics.frames())) {
                Frame f = frames.deserialize(topic, r.value());
                camera(f.getCameraId()).onFrame(f, ts);
            } else if (topic.equals(topics.predictions())) {
                Prediction p = predictions.deserialize(topic, r.value());
                camera(p.getCameraId()).onPrediction(p, ts);
            } else if (topic.equals(topics.pseudoLabels())) {
                PseudoLabel p = PseudoLabels.parse(r.value(), FrameLimits.DEFAULT);
                if (p.getCameraId().isEmpty()) {
                    throw new BadRecordException(
                            BadRecordException.Reason.MISSING_FIELD, "pseudo-label has no camera");
                }
                camera(p.getCameraId()).onPseudoLabel(p, ts);
            } else if (topic.equals(topics.modelUpdates())) {
                onModelUpdate(updates.deserialize(topic, r.value()));
            } else if (topic.equals(topics.rounds())) {
                onRound(roundRecords.deserialize(topic, r.value()), ts);
            }
        } catch (BadRecordException e) {
            unreadable(topic, e.reason().name());
        } catch (RuntimeException e) {
            unreadable(topic, e.getClass().getSimpleName());
        }
    }

    private void onModelUpdate(ModelUpdate u) {
        boolean frozen = u.getValidationOrDefault("frozen", 0.0) >= 0.5;
        Views.ModelVersion v =
                new Views.ModelVersion(
                        u.getModelName(),
                        u.getVersion(),
                        u.getCreatedTimeUs() / 1000,
                        frozen ? "frozen" : "accepted",
                        finiteValues(u.getValidationMap()),
                        !u.getSignature().isEmpty(),
                        u.getSha256(),
                        u.getCheckpoint().size());
        synchronized (versions) {
            ArrayDeque<Views.ModelVersion> q =
                    versions.computeIfAbsent(
                            scoped(u.getModelName(), u.getScope()), k -> new ArrayDeque<>());
            // A compacted topic read again, or a replay: one entry per version.
            q.removeIf(o -> o.version() == v.version());
            q.addLast(v);
            while (q.size() > VERSIONS_KEPT) {
                q.removeFirst();
            }
        }
        fleetChanges.incrementAndGet();
    }

    private void onRound(SelfTrainingRound r, long ts) {
        Views.Round v =
                new Views.Round(
                        r.getModelName(),
                        r.getRound(),
                        r.getTimeUs() > 0 ? r.getTimeUs() / 1000 : ts,
                        r.getOutcome(),
                        r.getCheck(),
                        r.getVersion(),
                        Views.finite(r.getServingAgreement()),
                        Views.finite(r.getCandidateAgreement()),
                        Views.finite(r.getFrozenAgreement()),
                        Views.finite(r.getFirstLoss()),
                        Views.finite(r.getLastLoss()),
                        Double.isFinite(r.getSeconds()) ? r.getSeconds() : 0,
                        r.getWhy().isEmpty() ? null : r.getWhy(),
                        r.getPseudoLabels(),
                        Views.finite(r.getMachineShare()),
                        r.getBudget() > 0 ? Views.finite(r.getBudget()) : null,
                        finiteValues(r.getValidationMap()));
        synchronized (rounds) {
            ArrayDeque<Views.Round> q =
                    rounds.computeIfAbsent(
                            scoped(r.getModelName(), r.getScope()), k -> new ArrayDeque<>());
            // Read again from an earlier offset: one entry per round, in order of rounds. A job
            // started again counts from 1: its rounds follow the earlier run's.
            q.removeIf(o -> o.round() == v.round() && o.timeMs() == v.timeMs());
            q.addLast(v);
            while (q.size() > ROUNDS_KEPT) {
                q.removeFirst();
            }
        }
        fleetChanges.incrementAndGet();
    }

    /**
     * Where the versions and rounds of a model are kept: under its name, and under {@code
     * name/scope} for those of one camera or group that adapts on its own (as the update topic keys
     * them).
     */
    static String scoped(String model, String scope) {
        return scope.isEmpty() ? model : model + "/" + scope;
    }

    /**
     * What {@code camera}'s page shows of {@code model}: the versions and rounds of the scope the
     * camera adapts as, as its predictions name it (its group's, or its own), else the camera's own
     * when it has some, else the model's.
     */
    String keyFor(String model, String camera) {
        CameraState c = cameras.get(camera);
        Prediction p = c == null ? null : c.latestPrediction();
        String own =
                scoped(
                        model,
                        p != null && !p.getAdaptationScope().isEmpty()
                                ? p.getAdaptationScope()
                                : camera);
        synchronized (rounds) {
            if (rounds.containsKey(own)) {
                return own;
            }
        }
        synchronized (versions) {
            return versions.containsKey(own) ? own : model;
        }
    }

    /** The rounds of {@code model}, oldest first; empty when none. */
    List<Views.Round> rounds(String model) {
        synchronized (rounds) {
            Collection<Views.Round> q = rounds.get(model);
            return q == null ? List.of() : new ArrayList<>(q);
        }
    }

    /**
     * Per model: rounds read by outcome, the share of the machine adaptation took as of the last
     * one, its budget, and the last round.
     */
    Map<String, Map<String, Object>> adaptation() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        synchronized (rounds) {
            rounds.forEach(
                    (model, q) -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        Map<String, Long> outcomes = new TreeMap<>();
                        for (Views.Round r : q) {
                            outcomes.merge(r.outcome(), 1L, Long::sum);
                        }
                        Views.Round last = q.peekLast();
                        m.put("rounds", q.stream().filter(r -> !r.check()).count());
                        m.put("outcomes", outcomes);
                        m.put("machineShare", last == null ? null : last.machineShare());
                        m.put("budget", last == null ? null : last.budget());
                        m.put("secondsPerRound", secondsPerRound(q));
                        m.put("last", last);
                        out.put(model, m);
                    });
        }
        return out;
    }

    private static Double secondsPerRound(Collection<Views.Round> q) {
        OptionalDouble mean =
                q.stream().filter(r -> !r.check()).mapToDouble(Views.Round::seconds).average();
        return mean.isPresent() ? CameraState.round(mean.getAsDouble()) : null;
    }

    /** The figures, NaN and infinities as null (JSON has neither). */
    private static Map<String, Double> finiteValues(Map<String, Double> figures) {
        Map<String, Double> m = new TreeMap<>();
        figures.forEach((k, v) -> m.put(k, Views.finite(v)));
        return m;
    }

    private void onDeadLetter(ConsumerRecord<byte[], byte[]> r, long ts) {
        String sourceTopic = header(r, "source-topic");
        String camera = cameraOf(r.key());
        if (camera == null && r.value() != null && topics.frames().equals(sourceTopic)) {
            String id = FrameDeserializer.cameraIdOf(r.value());
            camera = id == null || id.isEmpty() ? null : id;
        }
        Views.DeadLetter d =
                new Views.DeadLetter(
                        ts,
                        camera,
                        orElse(header(r, "reason"), "UNKNOWN"),
                        header(r, "message"),
                        sourceTopic,
                        header(r, "source-partition"),
                        header(r, "source-offset"),
                        r.value() == null ? 0 : r.value().length);
        synchronized (deadLetters) {
            deadLetterCount++;
            deadLetters.addLast(d);
            deadLetterTimes.add(ts, 1);
            while (deadLetters.size() > DEAD_LETTERS_KEPT) {
                deadLetters.removeFirst();
            }
        }
        if (camera != null) {
            camera(camera).onDeadLetter(d);
        }
        fleetChanges.incrementAndGet();
    }

    /** A record key that reads as a camera id (strict UTF-8, not too long), else null. */
    private static String cameraOf(byte[] key) {
        if (key == null || key.length == 0 || key.length > 4 * MAX_CAMERA_ID) {
            return null;
        }
        try {
            String s =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(key))
                            .toString();
            return s.length() <= MAX_CAMERA_ID && s.chars().noneMatch(Character::isISOControl)
                    ? s
                    : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null
                ? null
                : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String orElse(String s, String other) {
        return s == null || s.isEmpty() ? other : s;
    }

    private void unreadable(String topic, String reason) {
        synchronized (unreadable) {
            unreadable.computeIfAbsent(topic, k -> new TreeMap<>()).merge(reason, 1L, Long::sum);
        }
        fleetChanges.incrementAndGet();
    }

    /** The camera of {@code id}, created if new; forgets the stalest camera beyond the limit. */
    CameraState camera(String id) {
        CameraState c = cameras.get(id);
        if (c != null) {
            return c;
        }
        synchronized (cameras) {
            c = cameras.computeIfAbsent(id, CameraState::new);
            while (cameras.size() > maxCameras) {
                cameras.values().stream()
                        .filter(o -> !o.id().equals(id))
                        .min(Comparator.comparingLong(CameraState::lastRecordMs))
                        .ifPresent(o -> cameras.remove(o.id()));
            }
            fleetChanges.incrementAndGet();
            return c;
        }
    }

    /** The camera of {@code id}, or null if unknown. */
    CameraState find(String id) {
        return cameras.get(id);
    }

    /** The cameras, by id. */
    List<CameraState> cameras() {
        List<CameraState> l = new ArrayList<>(cameras.values());
        l.sort(Comparator.comparing(CameraState::id));
        return l;
    }

    /** Counts changes to the fleet as a whole (versions, dead letters, cameras, bad records). */
    long fleetChanges() {
        return fleetChanges.get();
    }

    /** Records read, good and bad. */
    long records() {
        return records.get();
    }

    /** Records that could not be read, by topic and reason. */
    Map<String, Map<String, Long>> unreadable() {
        synchronized (unreadable) {
            Map<String, Map<String, Long>> copy = new TreeMap<>();
            unreadable.forEach((t, m) -> copy.put(t, new TreeMap<>(m)));
            return copy;
        }
    }

    /** The versions published of {@code model}, oldest first; empty when none. */
    List<Views.ModelVersion> versions(String model) {
        synchronized (versions) {
            Collection<Views.ModelVersion> q = versions.get(model);
            return q == null ? List.of() : new ArrayList<>(q);
        }
    }

    /** The versions published, by model, oldest first. */
    Map<String, List<Views.ModelVersion>> versions() {
        synchronized (versions) {
            Map<String, List<Views.ModelVersion>> m = new LinkedHashMap<>();
            versions.forEach((k, q) -> m.put(k, new ArrayList<>(q)));
            return m;
        }
    }

    /** The last dead letters, newest first. */
    List<Views.DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            List<Views.DeadLetter> l = new ArrayList<>(deadLetters);
            Collections.reverse(l);
            return l;
        }
    }

    long deadLetterCount() {
        synchronized (deadLetters) {
            return deadLetterCount;
        }
    }

    /** Dead letters whose record time is within the minute before {@code nowMs}. */
    int deadLettersLastMinute(long nowMs) {
        synchronized (deadLetters) {
            return deadLetterTimes.countSince(nowMs - 60_000);
        }
    }
}
