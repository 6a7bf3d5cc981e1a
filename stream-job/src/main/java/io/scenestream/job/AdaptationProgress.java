package io.scenestream.job;

import io.scenestream.operators.RoundSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/**
 * Online self-training as its job reports it: the teacher's and the trainer's counts and the rounds
 * run so far, read from the job's accumulators (they reach the client with the task managers'
 * heartbeats). Feeds the console of the local tools and adapt-eval's round history; knows why no
 * round has finished when none has.
 */
public final class AdaptationProgress {

    private final JobClient job;
    private final int roundEvery;
    private final List<RoundSummary> rounds = new ArrayList<>();
    private final Set<RoundSummary> seen = new HashSet<>();
    private long labelled;
    private long skippedBusy;
    private long received;

    /**
     * @param roundEvery pseudo-labels a round waits for (self-training.round-every)
     */
    public AdaptationProgress(JobClient job, int roundEvery) {
        this.job = job;
        this.roundEvery = roundEvery;
    }

    /**
     * Reads the job's accumulators once.
     *
     * @return the rounds that finished since the last call, oldest first
     */
    @SuppressWarnings("unchecked")
    public List<RoundSummary> poll() {
        Map<String, Object> acc;
        try {
            acc = job.getAccumulators().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The job is starting or stopping: nothing new to say.
            return List.of();
        }
        labelled = number(acc.get(RoundSummary.LABELLED));
        skippedBusy = number(acc.get(RoundSummary.SKIPPED_BUSY));
        received = number(acc.get(RoundSummary.RECEIVED));
        Object list = acc.get(RoundSummary.ACCUMULATOR);
        if (!(list instanceof List<?> all) || all.size() <= rounds.size()) {
            return List.of();
        }
        // Merged from every instance of self-training (one per camera or group key range): new
        // rounds may be anywhere in the list, not only at its end.
        List<RoundSummary> fresh = new ArrayList<>();
        for (Object o : all) {
            if (seen.add((RoundSummary) o)) {
                fresh.add((RoundSummary) o);
            }
        }
        rounds.addAll(fresh);
        return fresh;
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    /** Every round reported so far. */
    public List<RoundSummary> rounds() {
        return List.copyOf(rounds);
    }

    /** The adaptation part of a progress line. */
    public String progress() {
        long acceptedRounds = rounds.stream().filter(RoundSummary::accepted).count();
        long frozenAgain =
                rounds.stream().filter(r -> RoundSummary.FROZEN.equals(r.outcome())).count();
        return String.format(
                        Locale.ROOT,
                        "key frames labelled %d%s, pseudo-labels %d, rounds %d (%d accepted, %d rolled"
                                + " back%s)",
                        labelled,
                        skippedBusy > 0 ? " (" + skippedBusy + " skipped, teacher busy)" : "",
                        received,
                        rounds.size(),
                        acceptedRounds,
                        rounds.size() - acceptedRounds - frozenAgain,
                        frozenAgain > 0 ? ", " + frozenAgain + " back to the frozen student" : "")
                + servingPerScope();
    }

    /**
     * With cameras or groups adapting on their own, the version each serves (of those that have
     * finished a round), e.g. {@code ; serving camera-1 v3, camera-2 v1}; else empty.
     */
    private String servingPerScope() {
        Map<String, Long> serving = new TreeMap<>();
        for (RoundSummary r : rounds) {
            if (r.scope() != null && !r.scope().isEmpty()) {
                serving.put(r.scope(), r.version());
            }
        }
        if (serving.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("; serving");
        String sep = " ";
        for (Map.Entry<String, Long> e : serving.entrySet()) {
            b.append(sep).append(e.getKey()).append(" v").append(e.getValue());
            sep = ", ";
        }
        return b.toString();
    }

    /** Why no round has finished after {@code waited}, in words, or null if one has. */
    public String whyNoRound(Duration waited) {
        if (!rounds.isEmpty()) {
            return null;
        }
        String what;
        if (labelled == 0) {
            what =
                    skippedBusy > 0
                            ? "the teacher has labelled no key frame yet: it was busy for all "
                                    + skippedBusy
                                    + " key frames it was offered (too slow for this machine's share of the cores)"
                            : "the teacher has labelled no key frame yet (none offered, or the teacher still loading)";
        } else if (received < roundEvery) {
            what =
                    "the trainer has "
                            + received
                            + " pseudo-labels (held-out ones included) and starts a round after "
                            + roundEvery
                            + " new training frames";
        } else {
            what = "a round is running and takes longer than that on this machine";
        }
        return String.format(
                Locale.ROOT,
                "no self-training round has finished after %d s: %s",
                waited.toSeconds(),
                what);
    }
}
