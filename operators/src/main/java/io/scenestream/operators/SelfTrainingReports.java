package io.scenestream.operators;

import io.scenestream.kafka.flink.SerializedModelUpdate;
import io.scenestream.kafka.flink.SerializedRound;
import io.scenestream.kafka.proto.ModelUpdate;
import io.scenestream.kafka.proto.SelfTrainingRound;
import io.scenestream.kafka.serde.ModelUpdates;
import io.scenestream.model.selftrain.SelfTrainer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a self-training operator says of its rounds, written once for the fleet's operator and the
 * per-camera one: the model update of a new version, the round's record on the rounds side output,
 * the client's accumulator (local console, adapt-eval), metrics and a log line.
 */
final class SelfTrainingReports {

    private static final Logger LOG = LoggerFactory.getLogger(SelfTrainingReports.class);

    private final SelfTrainingSettings settings;
    private final Output<StreamRecord<SerializedModelUpdate>> output;
    private final LongSupplier nowMs;
    private final AdaptationBudget budget;
    private final Counter pseudoLabels;
    private final Counter rounds;
    private final Counter accepted;
    private final Counter rolledBack;
    private final Counter fellBack;
    private final ListAccumulator<RoundSummary> roundLog = new ListAccumulator<>();
    private final LongCounter receivedTotal = new LongCounter();
    private final LastValues.Value lossGauge;
    private final LastValues.Value agreementGauge;
    private final LastValues.Value roundSecondsGauge;

    /** What a finished round or check changed for its scope. */
    record Served(boolean newVersion, long version, double agreement) {}

    SelfTrainingReports(
            SelfTrainingSettings settings,
            RuntimeContext context,
            MetricGroup metrics,
            Output<StreamRecord<SerializedModelUpdate>> output,
            LongSupplier nowMs,
            AdaptationBudget budget) {
        this.settings = settings;
        this.output = output;
        this.nowMs = nowMs;
        this.budget = budget;
        pseudoLabels = metrics.counter("pseudoLabelsReceived");
        rounds = metrics.counter("trainingRounds");
        accepted = metrics.counter("updatesAccepted");
        rolledBack = metrics.counter("updatesRolledBack");
        fellBack = metrics.counter("frozenFallbacks");
        // The accumulators reach the job's client (the local tools' console, adapt-eval) with the
        // heartbeats.
        context.addAccumulator(RoundSummary.ACCUMULATOR, roundLog);
        context.addAccumulator(RoundSummary.RECEIVED, receivedTotal);
        LastValues gauges = new LastValues(metrics);
        lossGauge = gauges.gauge("trainingLoss");
        agreementGauge = gauges.gauge("heldOutAgreement");
        roundSecondsGauge = gauges.gauge("roundSeconds");
        // The share of the machine the teacher and the trainer have taken (this JVM's turns).
        metrics.gauge("adaptationMachineShare", this::machineShare);
    }

    /** A pseudo-label reached the trainer. */
    void received() {
        pseudoLabels.inc();
        receivedTotal.add(1);
    }

    /**
     * A round or check that finished: a new version goes out as a signed update ({@code update},
     * the model's checkpoint or, for a camera or group, its delta), and the round is reported.
     *
     * @param scope the camera or group; empty for the fleet
     * @param number the round's number (of its scope)
     * @return what serves the scope now
     */
    Served finished(
            String scope,
            String modelName,
            long number,
            SelfTrainer.Round r,
            byte[] update,
            double seconds) {
        if (r.trained() || r.statisticsOnly()) {
            rounds.inc();
        }
        lossGauge.set(r.lastLoss());
        roundSecondsGauge.set(seconds);
        String outcome =
                switch (r.outcome()) {
                    case ACCEPTED -> RoundSummary.ACCEPTED;
                    case FROZEN -> RoundSummary.FROZEN;
                    case ROLLED_BACK -> RoundSummary.ROLLED_BACK;
                };
        String why =
                switch (r.outcome()) {
                    case ACCEPTED -> null;
                    case FROZEN ->
                            "the serving student trails the frozen one on the current scene"
                                    + (r.trained() ? "" : ", between rounds");
                    case ROLLED_BACK -> whyRolledBack(r);
                };
        double agreement;
        if (r.newVersion()) {
            agreement = r.accepted() ? r.candidateAgreement() : r.frozenAgreement();
            Map<String, Double> validation = new LinkedHashMap<>(r.validation());
            validation.put("agreement", agreement);
            validation.put("serving_agreement", r.servingAgreement());
            validation.put("candidate_agreement", r.candidateAgreement());
            validation.put("first_loss", (double) r.firstLoss());
            validation.put("last_loss", (double) r.lastLoss());
            if (r.frozen() != null) {
                validation.put("frozen_agreement", r.frozenAgreement());
            }
            validation.put("frozen", r.accepted() ? 0.0 : 1.0);
            ModelUpdate u =
                    ModelUpdates.create(
                            modelName,
                            scope,
                            r.version(),
                            update,
                            validation,
                            settings.updateKey().getBytes(StandardCharsets.UTF_8));
            if (r.accepted()) {
                accepted.inc();
            } else {
                fellBack.inc();
            }
            output.collect(
                    new StreamRecord<>(
                            new SerializedModelUpdate(
                                    modelName, scope, r.version(), u.toByteArray())));
        } else {
            agreement = r.servingAgreement();
            rolledBack.inc();
        }
        agreementGauge.set(agreement);
        RoundSummary summary =
                new RoundSummary(
                        scope,
                        number,
                        receivedTotal.getLocalValue(),
                        r.version(),
                        outcome,
                        r.servingAgreement(),
                        r.candidateAgreement(),
                        r.frozenAgreement(),
                        r.firstLoss(),
                        r.lastLoss(),
                        seconds,
                        why,
                        machineShare());
        Map<String, Double> validation = new LinkedHashMap<>(r.validation());
        perTask(validation, "serving", r.serving());
        perTask(validation, "candidate", r.candidate());
        perTask(validation, "frozen", r.frozen());
        validation.put("check_frames", (double) r.checkFrames());
        validation.put("check_frames_new", (double) r.newCheckFrames());
        validation.put("training_frames", (double) r.trainingFrames());
        validation.put("statistics_frames", (double) r.statisticsFrames());
        validation.put("skipped_steps", (double) r.skippedSteps());
        validation.put("stopped_after_steps", (double) r.stoppedAfter());
        report(modelName, summary, validation);
        if (r.stopped()) {
            // Not checked: no agreement to show.
            LOG.info(
                    "{} {} ({} check frames of the new light; trained on {} frames)",
                    modelName,
                    summary.line(),
                    r.checkFrames(),
                    r.trainingFrames());
            return new Served(r.newVersion(), r.version(), agreement);
        }
        LOG.info(
                "{} {} (segmentation, depth, depth RMSE: serving {}, candidate {}, frozen {}; {} check"
                        + " frames, {} of them new; {} {} frames{})",
                modelName,
                summary.line(),
                perTask(r.serving()),
                perTask(r.candidate()),
                perTask(r.frozen()),
                r.checkFrames(),
                r.newCheckFrames(),
                r.statisticsOnly() ? "BatchNorm statistics of" : "trained on",
                r.statisticsOnly() ? r.statisticsFrames() : r.trainingFrames(),
                r.skippedSteps() == 0
                        ? ""
                        : "; " + r.skippedSteps() + " steps left out, gradients not finite");
        return new Served(r.newVersion(), r.version(), agreement);
    }

    /** Why a round's candidate was rolled back, for its console line and record. */
    private String whyRolledBack(SelfTrainer.Round r) {
        if (r.stopped()) {
            return "the light changed after "
                    + r.stoppedAfter()
                    + " of its "
                    + settings.trainer().stepsPerRound()
                    + " steps; the next round trains on the new light";
        }
        if (!settings.trainer().judges(r.checkFrames())) {
            return "too few check frames of the current scene to judge it ("
                    + r.checkFrames()
                    + ", needs "
                    + settings.trainer().minCheckFrames()
                    + ")";
        }
        if (Double.isNaN(r.candidateAgreement())) {
            return "the candidate's outputs are not finite";
        }
        return "the candidate agrees less with the teacher on "
                + (r.worseOn().isEmpty() ? "a task" : String.join(", ", r.worseOn()));
    }

    /**
     * A student's agreement per task, segmentation then depth, and its depth RMSE against the
     * teacher in metres; "- - -" for none.
     */
    private static String perTask(SelfTrainer.Agreement a) {
        return a == null
                ? "- - -"
                : String.format("%.3f %.3f %.3f m", a.segmentation(), a.depth(), a.depthRmse());
    }

    /**
     * Adds a student's agreement per task, as {@code who_segmentation_agreement}, {@code
     * who_depth_agreement} and {@code who_depth_rmse} (metres, against the teacher).
     */
    private static void perTask(
            Map<String, Double> validation, String who, SelfTrainer.Agreement a) {
        if (a != null) {
            validation.put(who + "_segmentation_agreement", a.segmentation());
            validation.put(who + "_depth_agreement", a.depth());
            validation.put(who + "_depth_rmse", a.depthRmse());
        }
    }

    /** A round that failed: reported; what serves the scope stays. */
    void failed(
            String scope,
            String modelName,
            long number,
            long version,
            double agreement,
            Throwable cause) {
        rounds.inc();
        report(
                modelName,
                new RoundSummary(
                        scope,
                        number,
                        receivedTotal.getLocalValue(),
                        version,
                        RoundSummary.FAILED,
                        agreement,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        0,
                        String.valueOf(cause),
                        machineShare()),
                Map.of());
        LOG.error(
                "a self-training round{} failed; the serving student stays v{}",
                scope.isEmpty() ? "" : " for " + scope,
                version,
                cause);
    }

    /** To the job's client (accumulator) and to the rounds side output. */
    private void report(String modelName, RoundSummary s, Map<String, Double> validation) {
        roundLog.add(s);
        SelfTrainingRound.Builder b =
                SelfTrainingRound.newBuilder()
                        .setModelName(modelName == null ? "" : modelName)
                        .setScope(s.scope())
                        .setRound(s.round())
                        .setOutcome(s.outcome())
                        .setCheck(s.check())
                        .setVersion(s.version())
                        .setServingAgreement(s.servingAgreement())
                        .setCandidateAgreement(s.candidateAgreement())
                        .setFrozenAgreement(s.frozenAgreement())
                        .setFirstLoss(s.firstLoss())
                        .setLastLoss(s.lastLoss())
                        .setSeconds(s.seconds())
                        .setWhy(s.why() == null ? "" : s.why())
                        .setPseudoLabels(s.pseudoLabels())
                        .setMachineShare(s.machineShare())
                        .setBudget(settings.budget())
                        .setTimeUs(TimeUnit.MILLISECONDS.toMicros(nowMs.getAsLong()))
                        .putAllValidation(validation);
        output.collect(
                SelfTrainingOperator.ROUNDS,
                new StreamRecord<>(new SerializedRound(b.getModelName(), b.build().toByteArray())));
    }

    /** The share of the machine adaptation has taken in this JVM; NaN without a budget. */
    double machineShare() {
        return budget == null ? Double.NaN : budget.used();
    }
}
